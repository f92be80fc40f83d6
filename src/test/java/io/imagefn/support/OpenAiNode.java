package io.imagefn.support;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Assumptions;

import io.restassured.path.json.JsonPath;

/**
 * The official OpenAI Node SDK ({@code openai} on npm, in {@code src/test/openai-node}) run against imagefn with its
 * default retries: what a JavaScript caller sees. It needs Node.js and {@code npm ci --prefix src/test/openai-node};
 * {@code .ci/run} installs it and sets {@code IMAGEFN_NODE_SDK_TEST=required}, which turns its absence into a
 * failure. Elsewhere the test is skipped and says why.
 */
public final class OpenAiNode {

    private static final Path DIR = Path.of("src/test/openai-node");

    private OpenAiNode() {
    }

    /** What one generation came to, as the SDK saw it. */
    public record Outcome(boolean ok, Integer status, String type, long millis) {
    }

    /** Runs {@code count} generations one after another; their outcomes in order. */
    public static List<Outcome> generate(String baseUrl, String apiKey, int count, String prompt) throws Exception {
        available();
        Process node = new ProcessBuilder("node", DIR.resolve("generate.mjs").toString(), baseUrl, apiKey,
                Integer.toString(count), prompt).redirectErrorStream(true).start();
        if (!node.waitFor(3, TimeUnit.MINUTES)) {
            node.destroyForcibly();
            throw new AssertionError("the Node SDK did not finish within 3 minutes");
        }
        String output = new String(node.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        List<Outcome> outcomes = new ArrayList<>();
        for (String line : output.split("\n")) {
            if (line.startsWith("{")) {
                JsonPath j = JsonPath.from(line);
                outcomes.add(new Outcome(j.getBoolean("ok"), j.get("status"), j.getString("type"), j.getLong("ms")));
            }
        }
        assertTrue(outcomes.size() == count, "the Node SDK's output:\n" + output);
        return outcomes;
    }

    private static void available() {
        String why = null;
        if (!Files.isDirectory(DIR.resolve("node_modules/openai"))) {
            why = "the openai package is not installed (npm ci --prefix src/test/openai-node)";
        } else if (!onPath("node")) {
            why = "Node.js is not installed";
        }
        if (why != null) {
            if ("required".equals(System.getenv("IMAGEFN_NODE_SDK_TEST"))) {
                throw new AssertionError(why);
            }
            Assumptions.abort(why + "; .ci/run installs it");
        }
    }

    private static boolean onPath(String command) {
        for (String dir : System.getenv().getOrDefault("PATH", "").split(java.io.File.pathSeparator)) {
            if (Files.isExecutable(Path.of(dir, command))) {
                return true;
            }
        }
        return false;
    }
}
