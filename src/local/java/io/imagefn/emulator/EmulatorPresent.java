package io.imagefn.emulator;

import java.security.SecureRandom;
import java.util.HexFormat;

import jakarta.enterprise.context.ApplicationScoped;

import io.imagefn.upstream.OfflineEmulator;

/** Tells the upstream selection that this build serves the offline emulator, and holds its access token. */
@ApplicationScoped
public class EmulatorPresent implements OfflineEmulator {

    private final String token;

    public EmulatorPresent() {
        byte[] random = new byte[32];
        new SecureRandom().nextBytes(random);
        token = "emu-" + HexFormat.of().formatHex(random);
    }

    @Override
    public String accessToken() {
        return token;
    }
}
