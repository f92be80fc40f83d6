package io.imagefn;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.containing;
import static com.github.tomakehurst.wiremock.client.WireMock.get;
import static com.github.tomakehurst.wiremock.client.WireMock.post;
import static com.github.tomakehurst.wiremock.client.WireMock.postRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.urlEqualTo;
import static com.github.tomakehurst.wiremock.client.WireMock.urlPathMatching;
import static com.github.tomakehurst.wiremock.stubbing.Scenario.STARTED;
import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.awt.Color;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.math.BigDecimal;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.logging.Handler;
import java.util.logging.LogRecord;

import jakarta.inject.Inject;

import org.jboss.logmanager.ExtLogRecord;
import org.jboss.logmanager.LogContext;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import com.github.tomakehurst.wiremock.WireMockServer;
import com.github.tomakehurst.wiremock.client.ResponseDefinitionBuilder;

import io.imagefn.storage.S3Clients;
import io.imagefn.support.HeldResponses;
import io.imagefn.support.InjectWireMock;
import io.imagefn.support.TestImages;
import io.imagefn.support.UpstreamProfile;
import io.imagefn.upstream.UpstreamSlots;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.TestProfile;
import io.restassured.path.json.JsonPath;
import io.restassured.response.Response;
import io.smallrye.faulttolerance.api.CircuitBreakerMaintenance;

/**
 * What the documented settings do, end to end against a recording upstream and a real bucket: idempotency keys live
 * in their caller's key space, a duplicate that waits too long is told so, a record past its time or whose images are
 * gone runs again; unknown models pass through when allowed; a pricing file replaces the bundled prices; prompts are
 * logged when asked; a non-default URL lifetime is signed; an allow-list lets its host through and no other; a body of
 * the wrong type is an exact 415.
 */
@QuarkusTest
@TestProfile(ConfiguredBehavioursTest.Profile.class)
class ConfiguredBehavioursTest {

    static final String KEY_A = "imagefn-key-a-0123456789";
    static final String KEY_B = "imagefn-key-b-0123456789";
    /** A price no bundled model has: 100 USD per million output image tokens. */
    static final BigDecimal OUTPUT_PRICE = new BigDecimal("100.00");

    public static class Profile extends UpstreamProfile {
        @Override
        public Map<String, String> getConfigOverrides() {
            Map<String, String> overrides = new HashMap<>(super.getConfigOverrides());
            overrides.put("imagefn.api-keys", KEY_A + "," + KEY_B);
            overrides.put("imagefn.upstream.allow-unknown-models", "true");
            overrides.put("imagefn.pricing.file", pricingFile().toString());
            overrides.put("imagefn.log.prompts", "true");
            overrides.put("imagefn.url-ttl", "2h");
            overrides.put("imagefn.inputs.allow-http", "true");
            overrides.put("imagefn.inputs.allow-private-addresses", "true");
            overrides.put("imagefn.inputs.allowed-hosts", "localhost");
            overrides.put("imagefn.idempotency.max-wait", "1s");
            overrides.put("imagefn.idempotency.ttl", "3s");
            return overrides;
        }

        private static Path pricingFile() {
            try {
                Path file = Files.createTempFile("imagefn-prices", ".json");
                Files.writeString(file, "{\"taken\":\"2026-12-03\",\"source\":\"a test's own table\",\"currency\":"
                        + "\"USD\",\"token_models\":{\"gpt-image-1\":{\"text_input\":0,\"image_input\":0,"
                        + "\"image_output\":" + OUTPUT_PRICE + ",\"text_output\":0}},\"per_image_models\":{}}");
                return file;
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
    }

    private static final String PATH = "/v1/images/generations";
    private static final byte[] RED = TestImages.png(8, 8, Color.RED);
    private static final byte[] BLUE = TestImages.png(8, 8, Color.BLUE);
    private static final String GATE = "configured-behaviours";

    @InjectWireMock
    WireMockServer upstream;

    @Inject
    S3Clients storage;

    @Inject
    UpstreamSlots slots;

    @BeforeEach
    void reset() {
        upstream.resetAll();
        CircuitBreakerMaintenance.get().resetAll();
        answersWith(RED);
    }

    private static ResponseDefinitionBuilder answer(byte[] image) {
        return aResponse().withStatus(200).withHeader("Content-Type", "application/json")
                .withBody("{\"created\":1,\"data\":[{\"b64_json\":\"" + TestImages.b64(image) + "\"}],\"usage\":"
                        + "{\"input_tokens\":10,\"output_tokens\":1000,\"total_tokens\":1010,\"input_tokens_details\":"
                        + "{\"text_tokens\":10,\"image_tokens\":0}}}");
    }

    private void answersWith(byte[] image) {
        upstream.stubFor(post(urlEqualTo(PATH)).willReturn(answer(image)));
    }

    private static Response generate(String apiKey, String idempotencyKey, String body) {
        var request = given().contentType("application/json").header("Authorization", "Bearer " + apiKey);
        if (idempotencyKey != null) {
            request.header("Idempotency-Key", idempotencyKey);
        }
        return request.body(body).when().post("/generate");
    }

    private static final String BODY = "{\"prompt\":\"a harbour\",\"model\":\"gpt-image-1\",\"quality\":\"low\"}";

    private int upstreamCalls() {
        return upstream.findAll(postRequestedFor(urlEqualTo(PATH))).size();
    }

    /** Caller B reusing caller A's key gets its own generation, never A's images. */
    @Test
    void anIdempotencyKeyIsTheCallersOwn() {
        upstream.resetAll();
        upstream.stubFor(post(urlEqualTo(PATH)).inScenario("two").whenScenarioStateIs(STARTED)
                .willReturn(answer(RED)).willSetStateTo("second"));
        upstream.stubFor(post(urlEqualTo(PATH)).inScenario("two").whenScenarioStateIs("second")
                .willReturn(answer(BLUE)));
        String key = UUID.randomUUID().toString();

        JsonPath a = generate(KEY_A, key, BODY).then().statusCode(200).extract().jsonPath();
        JsonPath b = generate(KEY_B, key, BODY).then().statusCode(200).extract().jsonPath();
        JsonPath again = generate(KEY_A, key, BODY).then().statusCode(200).extract().jsonPath();

        assertEquals(2, upstreamCalls(), "one generation per caller");
        assertNotEquals(a.getString("data[0].id"), b.getString("data[0].id"));
        assertArrayEquals(BLUE, TestImages.fetch(b.getString("data[0].url")).body(), "B's own image");
        assertEquals(a.getString("data[0].id"), again.getString("data[0].id"), "A's replay is A's");
    }

    /** A duplicate of a request still running waits IMAGEFN_IDEMPOTENCY_MAX_WAIT (1 s here), then learns so. */
    @Test
    void aDuplicateThatWaitsPastTheMaxWaitIs409InProgress() throws Exception {
        HeldResponses.hold(GATE);
        upstream.stubFor(post(urlEqualTo(PATH)).willReturn(answer(RED).withTransformers(HeldResponses.NAME)
                .withTransformerParameter("gate", GATE)));
        String key = UUID.randomUUID().toString();
        ExecutorService caller = Executors.newSingleThreadExecutor();
        try {
            Future<Response> first = caller.submit(() -> generate(KEY_A, key, BODY));
            for (int i = 0; i < 6000 && slots.inUse() == 0; i++) {
                Thread.sleep(10);
            }
            assertEquals(1, slots.inUse(), "the first request is at the upstream");

            generate(KEY_A, key, BODY).then().statusCode(409)
                    .body("error.code", equalTo("idempotency_key_in_progress"))
                    .header("Retry-After", org.hamcrest.Matchers.notNullValue());

            HeldResponses.release(GATE);
            assertEquals(200, first.get().statusCode());
        } finally {
            HeldResponses.release(GATE);
            caller.shutdown();
        }
    }

    /** After IMAGEFN_IDEMPOTENCY_TTL (3 s here) the key answers no more: the request runs again. */
    @Test
    void aRecordPastItsTtlRunsAgain() throws Exception {
        String key = UUID.randomUUID().toString();
        generate(KEY_A, key, BODY).then().statusCode(200);
        generate(KEY_A, key, BODY).then().statusCode(200);
        assertEquals(1, upstreamCalls(), "replayed within its time");

        Thread.sleep(3_500); // the record's time passing is the subject; a longer wait changes nothing

        generate(KEY_A, key, BODY).then().statusCode(200);
        assertEquals(2, upstreamCalls(), "run again");
    }

    /** A record whose images have gone from the bucket cannot be replayed: the request runs again. */
    @Test
    void aRecordWhoseImagesAreGoneRunsAgain() {
        String key = UUID.randomUUID().toString();
        String url = generate(KEY_A, key, BODY).then().statusCode(200).extract().path("data[0].url");
        S3Clients.Clients c = storage.get();
        String objectKey = URI.create(url).getPath().substring(("/" + c.bucket() + "/").length());
        c.s3().deleteObject(d -> d.bucket(c.bucket()).key(objectKey));

        String again = generate(KEY_A, key, BODY).then().statusCode(200).extract().path("data[0].url");

        assertEquals(2, upstreamCalls());
        assertArrayEquals(RED, TestImages.fetch(again).body());
    }

    @Test
    void anUnknownModelPassesThroughWhenAllowed() {
        generate(KEY_A, null, "{\"prompt\":\"x\",\"model\":\"my-own-model-7\"}").then().statusCode(200);
        upstream.verify(1, postRequestedFor(urlEqualTo(PATH)).withRequestBody(containing("\"my-own-model-7\"")));
    }

    /** 1000 output tokens at the file's 100 USD per million: 0.1 USD (the bundled table says 40). */
    @Test
    void aPricingFileReplacesTheBundledPrices() {
        BigDecimal usd = new BigDecimal(generate(KEY_A, null, BODY).then().statusCode(200).extract().jsonPath()
                .getString("estimated_cost.usd"));
        assertEquals(0, usd.compareTo(OUTPUT_PRICE.multiply(new BigDecimal("0.001"))), usd.toPlainString());
    }

    @Test
    void promptsAreLoggedWhenAsked() {
        List<String> lines = new ArrayList<>();
        Handler capture = new Handler() {
            @Override
            public synchronized void publish(LogRecord record) {
                lines.add(ExtLogRecord.wrap(record).getFormattedMessage());
            }

            @Override
            public void flush() {
            }

            @Override
            public void close() {
            }
        };
        LogContext.getLogContext().getLogger("imagefn.request").addHandler(capture);
        try {
            generate(KEY_A, null, "{\"prompt\":\"a harbour at \\\"noon\\\"\\nsecond line\",\"model\":\"gpt-image-1\"}")
                    .then().statusCode(200);
        } finally {
            LogContext.getLogContext().getLogger("imagefn.request").removeHandler(capture);
        }
        synchronized (capture) {
            assertTrue(lines.stream().anyMatch(l -> l.contains("prompt=\"a harbour at 'noon' second line\"")),
                    lines.toString());
        }
    }

    @Test
    void aNonDefaultUrlLifetimeIsSigned() {
        JsonPath r = generate(KEY_A, null, BODY).then().statusCode(200).extract().jsonPath();
        long now = System.currentTimeMillis() / 1000;
        assertTrue(r.getString("data[0].url").contains("X-Amz-Expires=7200"), r.getString("data[0].url"));
        long expires = r.getLong("data[0].expires_at");
        assertTrue(expires > now + 7200 - 120 && expires <= now + 7200 + 5, expires + " vs " + now);
    }

    /** IMAGEFN_INPUTS_ALLOWED_HOSTS=localhost: localhost is fetched, the same server by address is not. */
    @Test
    void anAllowListLetsItsHostThroughAndNoOther() {
        upstream.stubFor(get(urlPathMatching("/files/.*")).willReturn(aResponse().withBody(RED)));
        upstream.stubFor(post(urlEqualTo("/v1/images/edits")).willReturn(answer(BLUE)));
        String body = "{\"prompt\":\"a hat\",\"model\":\"gpt-image-1\",\"images\":[{\"image_url\":\"%s\"}]}";

        given().contentType("application/json").header("Authorization", "Bearer " + KEY_A)
                .body(body.formatted("http://localhost:" + upstream.port() + "/files/a.png"))
                .when().post("/edit").then().statusCode(200);
        given().contentType("application/json").header("Authorization", "Bearer " + KEY_A)
                .body(body.formatted("http://127.0.0.1:" + upstream.port() + "/files/a.png"))
                .when().post("/edit").then().statusCode(400)
                .body("error.message", containsString("the host 127.0.0.1 is not in the allowed list"));
        upstream.verify(1, postRequestedFor(urlEqualTo("/v1/images/edits")));
    }

    @Test
    void aBodyOfAnotherTypeIsExactly415() {
        for (String path : List.of("/generate", PATH)) {
            given().contentType("text/plain").header("Authorization", "Bearer " + KEY_A).body(BODY)
                    .when().post(path).then().statusCode(415)
                    .body("error.code", equalTo("unsupported_media_type"));
        }
        upstream.verify(0, postRequestedFor(urlEqualTo(PATH)));
    }
}
