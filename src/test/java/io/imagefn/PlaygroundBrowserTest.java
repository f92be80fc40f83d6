package io.imagefn;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.fail;

import java.io.IOException;
import java.net.URL;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;

import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;

/**
 * The playground page in a real headless Chromium, on the default run (offline emulator, embedded S3): a user picks a
 * model, types a prompt, sees the images load from their signed URLs, streams partial images, edits one with a painted
 * mask, and reads the API's message for a bad request. The steps live in {@code src/test/browser/playground.mjs}
 * (Playwright).
 *
 * <p>It needs Node.js, Debian's {@code chromium} and {@code npm ci --prefix src/test/browser}; {@code .ci/run} installs
 * them and sets {@code IMAGEFN_BROWSER_TEST=required}, which turns their absence into a failure. Elsewhere the test
 * is reported as skipped, with the reason.
 */
@QuarkusTest
class PlaygroundBrowserTest {

    private static final Path DRIVER = Path.of("src/test/browser/playground.mjs");
    private static final Path PLAYWRIGHT = Path.of("src/test/browser/node_modules/playwright-core");

    @TestHTTPResource("/")
    URL page;

    @Test
    void aUserGeneratesStreamsAndEditsImagesInTheBrowser() throws Exception {
        drive(DRIVER, page);
    }

    /** Runs a Playwright script ({@code node <script> <page>}) and fails with its output unless it passes. */
    static void drive(Path script, URL page) throws Exception {
        String chromium = System.getenv().getOrDefault("CHROMIUM", "/usr/bin/chromium");
        List<String> missing = new ArrayList<>();
        if (!Files.isExecutable(Path.of(chromium))) {
            missing.add("Chromium at " + chromium + " (apt-get install chromium)");
        }
        if (!Files.isDirectory(PLAYWRIGHT)) {
            missing.add("playwright-core (npm ci --prefix src/test/browser)");
        }
        if (!onPath("node")) {
            missing.add("Node.js");
        }
        if (!missing.isEmpty()) {
            String why = "the browser test needs " + String.join(", ", missing);
            if ("required".equals(System.getenv("IMAGEFN_BROWSER_TEST"))) {
                fail(why);
            }
            Assumptions.abort(why + "; .ci/run installs them");
        }

        Process node = new ProcessBuilder("node", script.toString(), page.toString()).redirectErrorStream(true).start();
        String output;
        if (!node.waitFor(3, TimeUnit.MINUTES)) {
            node.destroyForcibly();
            fail("the browser steps did not finish in 3 minutes");
        }
        output = new String(node.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        System.out.println(output);
        assertEquals(0, node.exitValue(), output);
    }

    private static boolean onPath(String command) throws IOException {
        for (String dir : System.getenv().getOrDefault("PATH", "").split(java.io.File.pathSeparator)) {
            if (Files.isExecutable(Path.of(dir, command))) {
                return true;
            }
        }
        return false;
    }
}
