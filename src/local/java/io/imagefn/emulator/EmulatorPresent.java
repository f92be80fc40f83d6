package io.imagefn.emulator;

import jakarta.enterprise.context.ApplicationScoped;

import io.imagefn.upstream.OfflineEmulator;

/** Tells the upstream selection that this build serves the offline emulator. */
@ApplicationScoped
public class EmulatorPresent implements OfflineEmulator {
}
