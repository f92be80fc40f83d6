package io.imagefn.support;

import java.util.HashMap;
import java.util.Map;

/**
 * Caller API keys required, a recording WireMock upstream (a refused request shows as zero calls there) and the
 * emulator served too (its paths are guarded like the rest).
 */
public class ApiKeysUpstreamProfile extends UpstreamProfile {

    public static final String KEY = "imagefn-key-upstream";

    @Override
    public Map<String, String> getConfigOverrides() {
        Map<String, String> overrides = new HashMap<>(super.getConfigOverrides());
        overrides.put("imagefn.api-keys", KEY);
        overrides.put("imagefn.emulator.enabled", "true");
        return overrides;
    }
}
