package io.imagefn;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URL;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.UUID;

import org.junit.jupiter.api.Test;

import io.imagefn.images.Sha256;
import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;

/**
 * The playground shows a key with limits what it has left, in a real headless Chromium on the default run (offline
 * emulator, embedded S3) with a keys document: the budget once the key is typed, and less after a generation by what
 * its image cost (the Images API's price of a dall-e-2 256x256 image, $0.016). Steps: src/test/browser/usage.mjs.
 * Needs what {@link PlaygroundBrowserTest} needs.
 */
@QuarkusTest
@TestProfile(PlaygroundUsageBrowserTest.Profile.class)
class PlaygroundUsageBrowserTest {

    static final String KEY = "sk-playground-usage-0001";

    public static class Profile implements QuarkusTestProfile {
        @Override
        public Map<String, String> getConfigOverrides() {
            return Map.of("imagefn.limits.keys-file", keysFile().toString(),
                    "imagefn.limits.ledger-prefix", "ledger/playground-usage-" + UUID.randomUUID() + "/");
        }
    }

    /** A fixed path: Quarkus loads this class twice, and the application must read what was written. */
    static Path keysFile() {
        try {
            Path file = Path.of("target", "playground-usage-keys.json").toAbsolutePath();
            Files.createDirectories(file.getParent());
            Files.writeString(file, "{\"keys\":[{\"name\":\"playground\",\"sha256\":\"" + Sha256.hex(KEY) + "\","
                    + "\"budget\":{\"usd\":0.05,\"period\":\"day\"}}]}");
            return file;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    @TestHTTPResource("/")
    URL page;

    @Test
    void theKeysBudgetIsShownAndFallsByWhatAnImageCost() throws Exception {
        PlaygroundBrowserTest.drive(Path.of("src/test/browser/usage.mjs"), page);
    }
}
