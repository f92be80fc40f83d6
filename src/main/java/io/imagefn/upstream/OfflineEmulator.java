package io.imagefn.upstream;

/**
 * Present (as a bean) in the builds that serve the offline emulator under {@code /emulator/v1}. Without it, an
 * upstream URL or key must be configured.
 */
public interface OfflineEmulator {
}
