package io.imagefn.upstream;

/**
 * Present (as a bean) in the builds that serve the offline emulator under {@code /emulator/v1}. Without it, an
 * upstream URL or key must be configured.
 */
public interface OfflineEmulator {

    /**
     * A secret of this process, made at startup, with which imagefn's own upstream client calls the emulator. When
     * callers need API keys, the emulator needs one of them or this token: it never answers anonymous callers then.
     */
    String accessToken();
}
