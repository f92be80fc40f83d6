package io.imagefn.lambda;

import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.File;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Test;

/**
 * The packaged Lambda build has no embedded S3 server and no offline emulator: started without a bucket, or without
 * an upstream, it stops at once and says what to set, instead of failing on the first paid image.
 */
class MissingConfigurationIT {

    private static String run(Map<String, String> env) throws Exception {
        File[] runners = new File("target").listFiles((dir, name) -> name.endsWith("-runner.jar"));
        assertTrue(runners != null && runners.length == 1, "run after `package -Dbinding=lambda`");
        Path log = Files.createTempFile("imagefn-lambda", ".log");
        ProcessBuilder pb = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-jar", runners[0].getPath()).redirectErrorStream(true).redirectOutput(log.toFile());
        pb.environment().keySet().removeIf(k -> k.startsWith("IMAGEFN_") || k.equals("OPENAI_API_KEY")
                || k.startsWith("QUARKUS_"));
        pb.environment().put("QUARKUS_FUNQY_EXPORT", "generate");
        pb.environment().putAll(env);
        Process p = pb.start();
        assertTrue(p.waitFor(60, TimeUnit.SECONDS), "it stops by itself");
        String output = Files.readString(log);
        assertNotEquals(0, p.exitValue(), output);
        return output;
    }

    @Test
    void withoutABucketItStopsAndNamesTheSetting() throws Exception {
        String output = run(Map.of("IMAGEFN_UPSTREAM_API_KEY", "sk-x"));
        assertTrue(output.contains("No bucket configured: set IMAGEFN_S3_BUCKET"), output);
    }

    @Test
    void withoutAnUpstreamItStopsAndNamesTheSetting() throws Exception {
        String output = run(Map.of("IMAGEFN_S3_BUCKET", "images"));
        assertTrue(output.contains("No upstream configured: set IMAGEFN_UPSTREAM_API_KEY"), output);
        assertTrue(!output.contains("sk-"), "no key in the output");
    }

    @Test
    void aSecretThatCannotBeReadStopsTheStartupAndNamesTheSetting() throws Exception {
        var secrets = SecretsManagerStandIn.start("sk-never-used");
        try {
            String missing = "arn:aws:secretsmanager:us-east-1:123456789012:secret:imagefn/deleted-XyZ";
            String output = run(Map.of("IMAGEFN_S3_BUCKET", "images",
                    "IMAGEFN_UPSTREAM_API_KEY_SECRET", missing,
                    "IMAGEFN_UPSTREAM_SECRETS_ENDPOINT", secrets.baseUrl(),
                    "AWS_REGION", "us-east-1", "AWS_ACCESS_KEY_ID", "AKIATEST", "AWS_SECRET_ACCESS_KEY", "test"));
            assertTrue(output.contains("IMAGEFN_UPSTREAM_API_KEY_SECRET is " + missing), output);
            assertTrue(output.contains("can't find the specified secret"), output);
            assertTrue(secrets.countRequestsMatching(SecretsManagerStandIn.reads().build()).getCount() >= 1,
                    "asked Secrets Manager");
        } finally {
            secrets.stop();
        }
    }
}
