package io.imagefn.lambda;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

import org.junit.jupiter.api.Test;

import com.fasterxml.jackson.databind.JsonNode;

import io.imagefn.function.ImageFunctions;
import io.imagefn.support.Descriptors;
import io.quarkus.funqy.Funq;

/**
 * deploy/aws/template.yaml against the code: the exported function names are the Lambda build's functions, the JVM
 * handlers exist, every variable set is one the application reads, the timeout covers the fault-tolerance budget,
 * the upstream key is never in plain text, and the policy reaches the images bucket only.
 */
class AwsDescriptorsTest {

    private static final Path TEMPLATE = Path.of("deploy/aws/template.yaml");

    private static JsonNode template() throws Exception {
        return Descriptors.documents(TEMPLATE).get(0);
    }

    @Test
    void eachInvokeFunctionExportsOneOfTheFunctions() throws Exception {
        Set<String> functions = new TreeSet<>();
        for (var m : ImageFunctions.class.getDeclaredMethods()) {
            Funq funq = m.getAnnotation(Funq.class);
            if (funq != null) {
                functions.add(funq.value());
            }
        }
        Set<String> exported = new TreeSet<>();
        for (Map.Entry<String, JsonNode> r : resources(template(), "AWS::Serverless::Function")) {
            JsonNode export = r.getValue().at("/Properties/Environment/Variables/QUARKUS_FUNQY_EXPORT");
            if (!export.isMissingNode()) {
                exported.add(export.asText());
            }
        }
        assertEquals(Set.of("generate", "edit", "variation"), functions);
        assertEquals(functions, exported);
    }

    /** The invoke functions' JVM handlers (the function URL's is checked in the lambda-http build). */
    @Test
    void theJvmHandlersExist() throws Exception {
        List<String> handlers = new ArrayList<>();
        for (Map.Entry<String, JsonNode> r : resources(template(), "AWS::Serverless::Function")) {
            if (r.getValue().at("/Properties/Environment/Variables/QUARKUS_FUNQY_EXPORT").isMissingNode()) {
                continue;
            }
            handlers.add(jvmHandler(r.getValue()));
        }
        assertEquals(3, handlers.size());
        for (String handler : handlers) {
            String type = handler.substring(0, handler.indexOf("::"));
            Class.forName(type); // throws when the class is not in the Lambda build
            assertTrue(handler.endsWith("::handleRequest"), handler);
        }
    }

    @Test
    void theEnvironmentIsReadTheKeyIsASecretAndTheTimeoutCoversTheBudget() throws Exception {
        JsonNode globals = template().at("/Globals/Function");
        JsonNode variables = globals.at("/Environment/Variables");
        Set<String> known = Descriptors.imagefnVariables();
        variables.fieldNames().forEachRemaining(name -> assertTrue(known.contains(name) || Set.of(
                "DISABLE_SIGNAL_HANDLERS").contains(name), name + " is not read by the application"));
        assertTrue(variables.path("IMAGEFN_UPSTREAM_API_KEY").asText().startsWith("{{resolve:secretsmanager:"),
                "the upstream key comes from Secrets Manager, never in plain text");
        int attempts = 1 + 2; // imagefn.upstream.retry.max-retries defaults to 2
        int perAttempt = variables.path("IMAGEFN_UPSTREAM_TIMEOUT_SECONDS").asInt();
        assertTrue(globals.path("Timeout").asInt() > attempts * perAttempt,
                "Lambda timeout " + globals.path("Timeout").asInt() + " s within the budget of " + attempts * perAttempt);
    }

    @Test
    void thePolicyReachesTheImagesBucketOnlyAndTheBucketExpiresObjects() throws Exception {
        JsonNode policies = template().at("/Globals/Function/Policies");
        assertEquals(1, policies.size(), policies.toString());
        assertTrue(policies.get(0).has("S3CrudPolicy"), policies.toString());
        assertEquals("ImagesBucket", policies.get(0).at("/S3CrudPolicy/BucketName").asText());
        JsonNode rules = template().at("/Resources/ImagesBucket/Properties/LifecycleConfiguration/Rules");
        assertEquals(1, rules.get(0).path("ExpirationInDays").asInt());
        assertEquals("AWS_IAM", template().at("/Resources/HttpFunction/Properties/FunctionUrlConfig/AuthType").asText());
    }

    /** Handler: !If [Jvm, <class>::handleRequest, ...]; the tag is dropped, the list stays. */
    static String jvmHandler(JsonNode function) {
        JsonNode handler = function.at("/Properties/Handler");
        return handler.isArray() ? handler.get(1).asText() : handler.asText();
    }

    static List<Map.Entry<String, JsonNode>> resources(JsonNode template, String type) {
        List<Map.Entry<String, JsonNode>> found = new ArrayList<>();
        template.path("Resources").fields().forEachRemaining(e -> {
            if (type.equals(e.getValue().path("Type").asText())) {
                found.add(e);
            }
        });
        return found;
    }
}
