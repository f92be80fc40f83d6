package io.imagefn.lambda;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.File;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import io.imagefn.function.ImageFunctions;
import io.imagefn.support.Descriptors;
import io.quarkus.funqy.Funq;

/**
 * Every SAM template under deploy/aws, judged by AWS's own SAM translator (the code behind {@code sam validate} and
 * {@code sam deploy}, run offline by {@code ../shared/tools/sam-validate}; reported skipped where that tool is absent,
 * a failure where {@code IMAGEFN_VALIDATORS=required}, as in .ci/run), and the CloudFormation it produces checked
 * against the code: the exported functions, the handlers, the variables the application reads, the timeout against
 * the fault-tolerance budget, the key only as a secret's ARN, and an IAM policy of exactly the actions imagefn uses.
 */
class SamTemplatesTest {

    /** The tool, from the project root; {@code SAM_VALIDATE} overrides where it is. */
    private static final Path TOOL = Path.of(System.getenv().getOrDefault("SAM_VALIDATE",
            "../shared/tools/sam-validate/sam-validate"));
    private static final ObjectMapper JSON = new ObjectMapper();

    record Translated(int exit, String output) {
    }

    static Translated translate(Path template) throws Exception {
        String missing = "AWS's SAM translator is expected at " + TOOL.toAbsolutePath()
                + " (set SAM_VALIDATE to where it is; it ships in the project's shared/tools)";
        if ("required".equals(System.getenv("IMAGEFN_VALIDATORS"))) {
            assertTrue(Files.isRegularFile(TOOL), missing);
        }
        Assumptions.assumeTrue(Files.isRegularFile(TOOL), missing);
        File out = File.createTempFile("sam", ".out");
        Process p = new ProcessBuilder(System.getenv().getOrDefault("SAM_VALIDATE_PYTHON", "python3"),
                TOOL.toString(), template.toString(), "--print").redirectErrorStream(true).redirectOutput(out).start();
        assertTrue(p.waitFor(120, TimeUnit.SECONDS), "the translator finished");
        String output = Files.readString(out.toPath(), StandardCharsets.UTF_8);
        assertTrue(p.exitValue() != 2, "the translator could not run: " + output);
        return new Translated(p.exitValue(), output);
    }

    /** The CloudFormation the translator produced from a valid template. */
    static JsonNode cloudFormation(Path template) throws Exception {
        Translated t = translate(template);
        assertEquals(0, t.exit(), template + " is refused by the SAM translator:\n" + t.output());
        return JSON.readTree(t.output().substring(0, t.output().lastIndexOf("\nvalid:")));
    }

    static Stream<Path> templates() throws Exception {
        try (Stream<Path> files = Files.list(Path.of("deploy/aws"))) {
            return files.filter(f -> f.toString().endsWith(".yaml")).sorted().toList().stream();
        }
    }

    @Test
    void thereIsAJvmAndANativeVariant() throws Exception {
        Set<String> runtimes = new TreeSet<>();
        for (Path t : templates().toList()) {
            for (JsonNode f : functions(cloudFormation(t)).values()) {
                runtimes.add(f.at("/Properties/Runtime").asText());
            }
        }
        assertEquals(Set.of("java21", "provided.al2023"), runtimes);
    }

    @ParameterizedTest
    @MethodSource("templates")
    void eachInvokeFunctionExportsOneOfTheFunctionsWithAHandlerOfThisBuild(Path template) throws Exception {
        Set<String> funqs = new TreeSet<>();
        for (Class<?> functions : List.of(ImageFunctions.class, io.imagefn.function.JobWorker.class)) {
            for (var m : functions.getDeclaredMethods()) {
                if (m.getAnnotation(Funq.class) != null) {
                    funqs.add(m.getAnnotation(Funq.class).value());
                }
            }
        }
        Set<String> exported = new TreeSet<>();
        for (JsonNode f : functions(cloudFormation(template)).values()) {
            JsonNode export = f.at("/Properties/Environment/Variables/QUARKUS_FUNQY_EXPORT");
            if (export.isMissingNode()) {
                continue;
            }
            exported.add(export.asText());
            if ("java21".equals(f.at("/Properties/Runtime").asText())) {
                String handler = f.at("/Properties/Handler").asText();
                assertTrue(handler.endsWith("::handleRequest"), handler);
                Class.forName(handler.substring(0, handler.indexOf("::"))); // a class of the Lambda build
                assertEquals("PublishedVersions", f.at("/Properties/SnapStart/ApplyOn").asText(),
                        "SnapStart on the JVM variant");
            }
        }
        assertEquals(Set.of("generate", "edit", "variation", "run-job", "job-failed"), funqs);
        assertEquals(funqs, exported);
    }

    @ParameterizedTest
    @MethodSource("templates")
    void theKeyIsOnlyASecretsArnEveryVariableIsReadAndTheTimeoutCoversTheBudget(Path template) throws Exception {
        Set<String> known = Descriptors.imagefnVariables();
        for (Map.Entry<String, JsonNode> f : functions(cloudFormation(template)).entrySet()) {
            JsonNode variables = f.getValue().at("/Properties/Environment/Variables");
            variables.fieldNames().forEachRemaining(name -> assertTrue(known.contains(name)
                    || Set.of("DISABLE_SIGNAL_HANDLERS", "QUARKUS_FUNQY_EXPORT").contains(name),
                    name + " is not read by the application"));
            assertFalse(variables.has("IMAGEFN_UPSTREAM_API_KEY"), "no key in the configuration of " + f.getKey());
            assertFalse(variables.toString().contains("resolve:secretsmanager"), "no key resolved at deploy time");
            assertEquals("{\"Ref\":\"UpstreamKeySecretArn\"}",
                    variables.path("IMAGEFN_UPSTREAM_API_KEY_SECRET").toString());
            int attempts = 1 + 2; // imagefn.upstream.retry.max-retries defaults to 2
            int perAttempt = variables.path("IMAGEFN_UPSTREAM_TIMEOUT_SECONDS").asInt();
            int timeout = f.getValue().at("/Properties/Timeout").asInt();
            assertTrue(perAttempt > 0 && timeout > attempts * perAttempt,
                    f.getKey() + ": timeout " + timeout + " s within the budget of " + attempts * perAttempt + " s");
        }
    }

    /**
     * Least privilege: the objects under the prefix, the bucket listing and the one secret; besides, the front may
     * invoke the jobs' worker, and the worker's failure destination (a policy SAM adds), nothing else.
     */
    @ParameterizedTest
    @MethodSource("templates")
    void eachRoleMayDoExactlyWhatImagefnDoes(Path template) throws Exception {
        JsonNode cf = cloudFormation(template);
        Map<String, JsonNode> roles = new TreeMap<>();
        cf.path("Resources").fields().forEachRemaining(r -> {
            if ("AWS::IAM::Role".equals(r.getValue().path("Type").asText())) {
                roles.put(r.getKey(), r.getValue());
            }
        });
        assertEquals(Set.of("GenerateFunctionRole", "EditFunctionRole", "VariationFunctionRole", "HttpFunctionRole",
                "JobWorkerFunctionRole", "JobFailedFunctionRole"), roles.keySet(), "one role per function");
        Set<String> base = Set.of(
                "s3:GetObject on {\"Fn::Sub\":\"arn:${AWS::Partition}:s3:::${ImagesBucket}/${KeyPrefix}*\"}",
                "s3:PutObject on {\"Fn::Sub\":\"arn:${AWS::Partition}:s3:::${ImagesBucket}/${KeyPrefix}*\"}",
                "s3:DeleteObject on {\"Fn::Sub\":\"arn:${AWS::Partition}:s3:::${ImagesBucket}/${KeyPrefix}*\"}",
                "s3:ListBucket on {\"Fn::Sub\":\"arn:${AWS::Partition}:s3:::${ImagesBucket}\"}",
                "secretsmanager:GetSecretValue on {\"Ref\":\"UpstreamKeySecretArn\"}");
        // every function admits or settles paid work: the keys document, and the ledger's records read and replaced
        String ledger = "{\"Fn::Sub\":\"arn:${AWS::Partition}:s3:::${ImagesBucket}/ledger/${KeyPrefix}*\"}";
        Set<String> withKeysDocument = Set.of(
                "secretsmanager:GetSecretValue on {\"Ref\":\"KeysSecretArn\"} if HasKeysDocument",
                "s3:GetObject on " + ledger + " if HasKeysDocument",
                "s3:PutObject on " + ledger + " if HasKeysDocument");
        Map<String, String> extra = Map.of(
                "HttpFunctionRole", "lambda:InvokeFunction on {\"Ref\":\"JobWorkerFunctionAliaslive\"}",
                "JobWorkerFunctionRole", "lambda:InvokeFunction on {\"Ref\":\"JobFailedFunctionAliaslive\"}");
        for (Map.Entry<String, JsonNode> role : roles.entrySet()) {
            assertEquals("[\"arn:aws:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole\"]",
                    role.getValue().at("/Properties/ManagedPolicyArns").toString(),
                    "only the logs policy besides imagefn's own");
            Set<String> grants = new TreeSet<>();
            for (JsonNode policy : role.getValue().at("/Properties/Policies")) {
                for (JsonNode statement : policy.at("/PolicyDocument/Statement")) {
                    // a statement that exists only under a condition: {"Fn::If": [condition, statement, NoValue]}
                    JsonNode conditional = statement.path("Fn::If");
                    String when = "";
                    if (conditional.isArray()) {
                        assertEquals("{\"Ref\":\"AWS::NoValue\"}", conditional.get(2).toString(), "nothing otherwise");
                        when = " if " + conditional.get(0).asText();
                        statement = conditional.get(1);
                    }
                    assertEquals("Allow", statement.path("Effect").asText());
                    JsonNode actions = statement.path("Action");
                    for (JsonNode action : actions.isArray() ? actions : JSON.createArrayNode().add(actions)) {
                        grants.add(action.asText() + " on " + statement.path("Resource") + when);
                    }
                }
            }
            Set<String> expected = new TreeSet<>(base);
            expected.addAll(withKeysDocument);
            if (extra.containsKey(role.getKey())) {
                expected.add(extra.get(role.getKey()));
            }
            assertEquals(expected, grants, role.getKey());
        }
    }

    /**
     * Jobs on Lambda: the front names the worker's alias; Lambda retries a job's event once, drops it after an hour,
     * and sends what it gave up on to the failure function; the bucket's expiry is the jobs' retention.
     */
    @ParameterizedTest
    @MethodSource("templates")
    void jobsRunInTheWorkerWhoseFailuresEndInTheFailureFunction(Path template) throws Exception {
        JsonNode cf = cloudFormation(template);
        assertEquals("{\"Ref\":\"JobWorkerFunctionAliaslive\"}", functions(cf).get("HttpFunction")
                .at("/Properties/Environment/Variables/IMAGEFN_JOBS_WORKER_FUNCTION").toString());
        JsonNode invoke = cf.at("/Resources/JobWorkerFunctionEventInvokeConfig/Properties");
        assertEquals(1, invoke.path("MaximumRetryAttempts").asInt());
        assertEquals(3600, invoke.path("MaximumEventAgeInSeconds").asInt());
        assertEquals("live", invoke.path("Qualifier").asText());
        assertEquals("{\"Ref\":\"JobFailedFunctionAliaslive\"}", invoke.at("/DestinationConfig/OnFailure/Destination")
                .toString());
        assertEquals(cf.at("/Resources/ImagesBucket/Properties/LifecycleConfiguration/Rules/0/ExpirationInDays")
                .asInt() * 24 + "h", functions(cf).get("JobWorkerFunction")
                        .at("/Properties/Environment/Variables/IMAGEFN_JOBS_RETENTION").asText());
    }

    @ParameterizedTest
    @MethodSource("templates")
    void theFunctionUrlAuthIsAChoiceAndAPublicUrlAsksForKeys(Path template) throws Exception {
        JsonNode cf = cloudFormation(template);
        assertEquals("{\"Ref\":\"FunctionUrlAuth\"}", cf.at("/Resources/HttpFunctionUrl/Properties/AuthType")
                .toString());
        assertEquals("[\"AWS_IAM\",\"NONE\"]", cf.at("/Parameters/FunctionUrlAuth/AllowedValues").toString());
        assertTrue(functions(cf).get("HttpFunction").at("/Properties/Environment/Variables/IMAGEFN_API_KEYS")
                .toString().contains("PublicUrl"), "IMAGEFN_API_KEYS set when the URL is public");
        for (String permission : List.of("HttpFunctionPublicUrlPermission", "HttpFunctionPublicInvokePermission")) {
            assertEquals("PublicUrl", cf.at("/Resources/" + permission + "/Condition").asText(),
                    permission + " exists only for a public URL");
        }
        assertEquals(1, cf.at("/Resources/ImagesBucket/Properties/LifecycleConfiguration/Rules/0/ExpirationInDays")
                .asInt());
    }

    /**
     * Per-key limits: the keys document is a secret's ARN, read at runtime by every function, only when given; the
     * ledger is under a prefix the bucket's expiry rule does not cover (a month's spend must survive an idle day), and
     * a public URL may rely on the document's keys instead of ApiKeys.
     */
    @ParameterizedTest
    @MethodSource("templates")
    void theKeysDocumentIsASecretAndTheLedgerOutlivesTheBucketsExpiry(Path template) throws Exception {
        JsonNode cf = cloudFormation(template);
        for (Map.Entry<String, JsonNode> f : functions(cf).entrySet()) {
            JsonNode variables = f.getValue().at("/Properties/Environment/Variables");
            assertEquals("{\"Fn::If\":[\"HasKeysDocument\",{\"Ref\":\"KeysSecretArn\"},{\"Ref\":\"AWS::NoValue\"}]}",
                    variables.path("IMAGEFN_LIMITS_KEYS_SECRET").toString(), f.getKey());
            assertEquals("{\"Fn::Sub\":\"ledger/${KeyPrefix}\"}", variables.path("IMAGEFN_LIMITS_LEDGER_PREFIX").toString(),
                    f.getKey());
        }
        assertEquals("{\"Fn::Not\":[{\"Fn::Equals\":[{\"Ref\":\"KeysSecretArn\"},\"\"]}]}",
                cf.at("/Conditions/HasKeysDocument").toString());
        assertEquals("", cf.at("/Parameters/KeysSecretArn/Default").asText(), "limits are optional");

        // the expiry rule covers the key prefix only; the ledger, ledger/<prefix>, is outside it for any prefix the
        // parameter allows but ledger/ itself, which a rule refuses
        JsonNode rule = cf.at("/Resources/ImagesBucket/Properties/LifecycleConfiguration/Rules/0");
        assertEquals("{\"Ref\":\"KeyPrefix\"}", rule.path("Prefix").toString());
        java.util.regex.Pattern allowed = java.util.regex.Pattern.compile(cf.at("/Parameters/KeyPrefix/AllowedPattern")
                .asText());
        assertFalse(allowed.matcher("").matches(), "an empty prefix would let the expiry rule cover the ledger");
        String prefix = cf.at("/Parameters/KeyPrefix/Default").asText();
        assertTrue(allowed.matcher(prefix).matches());
        assertFalse(("ledger/" + prefix).startsWith(prefix), "the default prefix leaves the ledger unexpired");
        assertEquals("{\"Fn::Not\":[{\"Fn::Equals\":[{\"Ref\":\"KeyPrefix\"},\"ledger/\"]}]}",
                cf.at("/Rules/LedgerOutsideTheExpiry/Assertions/0/Assert").toString());
        assertTrue(cf.at("/Rules/PublicUrlNeedsKeys/Assertions/0/Assert").toString().contains("KeysSecretArn"),
                "a public URL may take its keys from the keys document");
    }

    /** The translator is a real judge: the shape the first template had is refused. */
    @Test
    void theTranslatorRefusesPoliciesInGlobals() throws Exception {
        Path broken = Files.createTempFile("template", ".yaml");
        Files.writeString(broken, Files.readString(Path.of("deploy/aws/template.yaml")).replace("""
                    AutoPublishAlias: live
                """, """
                    AutoPublishAlias: live
                    Policies:
                      - AWSLambdaBasicExecutionRole
                """));
        Translated t = translate(broken);
        assertEquals(1, t.exit(), t.output());
        assertTrue(t.output().contains("'Policies' is not a supported property"), t.output());
    }

    /** The translated {@code AWS::Lambda::Function} resources by logical id. */
    static Map<String, JsonNode> functions(JsonNode cloudFormation) {
        Map<String, JsonNode> found = new java.util.TreeMap<>();
        cloudFormation.path("Resources").fields().forEachRemaining(e -> {
            if ("AWS::Lambda::Function".equals(e.getValue().path("Type").asText())) {
                found.put(e.getKey(), e.getValue());
            }
        });
        return found;
    }
}
