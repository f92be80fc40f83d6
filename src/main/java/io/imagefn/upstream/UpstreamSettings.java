package io.imagefn.upstream;

import org.eclipse.microprofile.config.ConfigProvider;

import io.imagefn.config.ImagefnConfig;
import io.smallrye.config.SmallRyeConfig;

/** The upstream settings for the fault-tolerance helpers, which the FT runtime instantiates outside CDI. */
final class UpstreamSettings {

    private UpstreamSettings() {
    }

    static ImagefnConfig.Upstream get() {
        return ConfigProvider.getConfig().unwrap(SmallRyeConfig.class).getConfigMapping(ImagefnConfig.class).upstream();
    }
}
