package io.imagefn.lambda;

import static com.github.tomakehurst.wiremock.client.WireMock.equalTo;
import static com.github.tomakehurst.wiremock.client.WireMock.matchingJsonPath;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import org.junit.jupiter.api.Test;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.github.tomakehurst.wiremock.WireMockServer;

import io.imagefn.function.ImagesApiError;
import io.imagefn.function.InvalidRequestError;
import io.imagefn.function.LambdaStreamHandler;
import io.imagefn.function.QuotaExceededError;
import io.imagefn.support.InjectWireMock;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.TestProfile;

/**
 * Limits on Lambda invoke, where IAM decides who may invoke and no API key travels: the keys document, read from
 * Secrets Manager as the SAM templates configure it ({@code IMAGEFN_LIMITS_KEYS_SECRET}), gives callers without a key
 * its {@code unauthenticated} limits. A model they may not use and a spent budget are refused before any upstream
 * call, each with the error type a workflow reacts to.
 */
@QuarkusTest
@TestProfile(LambdaLimitsTest.Profile.class)
class LambdaLimitsTest {

    static final String KEYS_ARN = "arn:aws:secretsmanager:us-east-1:123456789012:secret:imagefn/keys-XyZ123";
    /** Two dall-e-2 256x256 images: $0.016 each (the Images API's price). */
    static final String KEYS = "{\"keys\":[],\"unauthenticated\":{\"models\":[\"dall-e-2\"],"
            + "\"budget\":{\"usd\":0.032,\"period\":\"day\"}}}";

    public static class Profile extends LambdaInvoke.Export {
        public Profile() {
            super("generate");
        }

        @Override
        public Map<String, String> getConfigOverrides() {
            Map<String, String> overrides = new HashMap<>(super.getConfigOverrides());
            overrides.put("imagefn.limits.keys-secret", KEYS_ARN);
            // a ledger of its own, whatever earlier runs left in the bucket
            overrides.put("imagefn.limits.ledger-prefix", "ledger/lambda-limits-" + UUID.randomUUID() + "/");
            return overrides;
        }

        @Override
        public List<TestResourceEntry> testResources() {
            List<TestResourceEntry> resources = new ArrayList<>(super.testResources());
            resources.add(new TestResourceEntry(KeysSecret.class));
            return resources;
        }
    }

    /** Secrets Manager holding the upstream key and the keys document. */
    public static class KeysSecret extends SecretsManagerStandIn {
        @Override
        public Map<String, String> start() {
            Map<String, String> config = super.start();
            holds(server, KEYS_ARN, KEYS);
            return config;
        }
    }

    private static final String PATH = "/v1/images/generations";
    private static final ObjectMapper JSON = new ObjectMapper();

    @InjectWireMock
    WireMockServer upstream;

    @Test
    void theKeysDocumentIsReadFromItsSecret() {
        assertTrue(SecretsManagerStandIn.server.countRequestsMatching(SecretsManagerStandIn.reads()
                .withRequestBody(matchingJsonPath("$.SecretId", equalTo(KEYS_ARN))).build()).getCount() >= 1);
    }

    @Test
    void aModelCallersWithoutAKeyMayNotUseIsRefusedWithoutAnUpstreamCall() throws Exception {
        LambdaInvoke.upstreamAnswers(upstream, PATH);

        JsonNode error = refused(InvalidRequestError.class, "{\"prompt\":\"a kite\",\"model\":\"gpt-image-1\"}");

        assertEquals(403, error.path("status").asInt(), error.toString());
        assertEquals("model_not_allowed", error.at("/error/code").asText());
        assertTrue(error.at("/error/message").asText().contains("gpt-image-1"), error.toString());
        LambdaInvoke.upstreamCalls(upstream, PATH, 0);
    }

    @Test
    void theirBudgetPaysForWhatItCanAndTheRestIsAQuotaErrorWithoutAnUpstreamCall() throws Exception {
        LambdaInvoke.upstreamAnswers(upstream, PATH);
        String event = "{\"prompt\":\"a kite\",\"model\":\"dall-e-2\",\"size\":\"256x256\"}";

        invoke(event);
        invoke(event);
        JsonNode error = refused(QuotaExceededError.class, event);

        assertEquals(429, error.path("status").asInt(), error.toString());
        assertEquals("insufficient_quota", error.at("/error/code").asText());
        LambdaInvoke.upstreamCalls(upstream, PATH, 2);
    }

    private static JsonNode invoke(String event) throws Exception {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        new LambdaStreamHandler().handleRequest(new ByteArrayInputStream(event.getBytes(StandardCharsets.UTF_8)), out,
                LambdaHandlerTest.context(UUID.randomUUID().toString()));
        JsonNode result = JSON.readTree(out.toByteArray());
        assertEquals(1, result.path("data").size(), result.toString());
        return result;
    }

    private static <E extends ImagesApiError> JsonNode refused(Class<E> type, String event) {
        E error = assertThrows(type, () -> invoke(event));
        try {
            return JSON.readTree(error.getMessage());
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }
}
