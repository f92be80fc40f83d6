package io.imagefn;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.post;
import static com.github.tomakehurst.wiremock.client.WireMock.postRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.urlEqualTo;
import static com.github.tomakehurst.wiremock.stubbing.Scenario.STARTED;
import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.equalTo;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.awt.Color;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

import jakarta.inject.Inject;

import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import com.github.tomakehurst.wiremock.WireMockServer;
import com.github.tomakehurst.wiremock.client.ResponseDefinitionBuilder;

import io.imagefn.idempotency.Idempotency;
import io.imagefn.storage.RecordStore;
import io.imagefn.support.InjectWireMock;
import io.imagefn.support.TestImages;
import io.imagefn.support.UpstreamProfile;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.TestProfile;
import io.restassured.path.json.JsonPath;

/**
 * A retried or redelivered request with the same idempotency key pays once: the duplicates get the first request's
 * stored images (fresh signed URLs), without an upstream call, also when they arrive at the same time.
 */
@QuarkusTest
@TestProfile(UpstreamProfile.class)
class IdempotencyTest {

    private static final String PATH = "/v1/images/generations";
    private static final String BODY = "{\"prompt\":\"a paper crane\",\"model\":\"dall-e-2\",\"size\":\"256x256\",\"n\":2}";

    @InjectWireMock
    WireMockServer upstream;

    @Inject
    RecordStore store;

    private byte[] first;
    private byte[] second;

    @BeforeEach
    void reset() {
        upstream.resetAll();
        first = TestImages.png(32, 32, Color.RED);
        second = TestImages.png(32, 32, Color.BLUE);
    }

    private ResponseDefinitionBuilder images() {
        return aResponse().withStatus(200).withHeader("Content-Type", "application/json")
                .withBody("{\"created\":7,\"data\":[{\"b64_json\":\"" + TestImages.b64(first) + "\"},{\"b64_json\":\""
                        + TestImages.b64(second) + "\"}]}");
    }

    private static JsonPath generate(String key, String body, int status) {
        return given().contentType("application/json").header("Idempotency-Key", key).body(body)
                .when().post("/v1/images/generations").then().statusCode(status).extract().jsonPath();
    }

    private void upstreamCalls(int expected) {
        upstream.verify(expected, postRequestedFor(urlEqualTo(PATH)));
    }

    @Test
    void aSequentialDuplicateGetsTheSameImagesWithoutAnUpstreamCall() {
        upstream.stubFor(post(urlEqualTo(PATH)).willReturn(images()));
        String key = UUID.randomUUID().toString();

        JsonPath one = generate(key, BODY, 200);
        JsonPath two = generate(key, BODY, 200);

        upstreamCalls(1);
        assertEquals(one.getList("data.id"), two.getList("data.id"));
        assertEquals(one.getLong("created"), two.getLong("created"));
        // the replay's URLs are signed afresh and open the very bytes the upstream produced
        assertArrayEquals(first, TestImages.fetch(two.getString("data[0].url")).body());
        assertArrayEquals(second, TestImages.fetch(two.getString("data[1].url")).body());
    }

    @Test
    void eightConcurrentDuplicatesMakeOneUpstreamCallAndGetOneImageSet() throws Exception {
        upstream.stubFor(post(urlEqualTo(PATH)).willReturn(images().withFixedDelay(400)));
        String key = UUID.randomUUID().toString();
        ExecutorService callers = Executors.newFixedThreadPool(8);
        CountDownLatch go = new CountDownLatch(1);
        List<Future<JsonPath>> answers = new ArrayList<>();
        for (int i = 0; i < 8; i++) {
            answers.add(callers.submit(() -> {
                go.await();
                return generate(key, BODY, 200);
            }));
        }
        go.countDown();
        List<List<Object>> idSets = new ArrayList<>();
        for (Future<JsonPath> answer : answers) {
            idSets.add(answer.get().getList("data.id"));
        }
        callers.shutdown();

        upstreamCalls(1);
        assertEquals(2, idSets.get(0).size());
        idSets.forEach(ids -> assertEquals(idSets.get(0), ids));
    }

    @Test
    void theSameKeyWithADifferentRequestIsRefused() {
        upstream.stubFor(post(urlEqualTo(PATH)).willReturn(images()));
        String key = UUID.randomUUID().toString();
        generate(key, BODY, 200);

        given().contentType("application/json").header("Idempotency-Key", key)
                .body(BODY.replace("a paper crane", "a paper boat"))
                .when().post(PATH).then().statusCode(409)
                .body("error.type", equalTo("invalid_request_error"))
                .body("error.param", equalTo("idempotency_key"))
                .body("error.code", equalTo("idempotency_key_reused"));
        upstreamCalls(1);
    }

    @Test
    void theBodyFieldAndTheHeaderWorkOnTheFunctionPathToo() {
        upstream.stubFor(post(urlEqualTo(PATH)).willReturn(images()));
        String key = UUID.randomUUID().toString();
        String withField = BODY.replace("{", "{\"idempotency_key\":\"" + key + "\",");

        List<Object> byField = given().contentType("application/json").body(withField).when().post("/generate").then()
                .statusCode(200).extract().jsonPath().getList("data.id");
        List<Object> byHeader = given().contentType("application/json").header("Idempotency-Key", key).body(BODY)
                .when().post("/generate").then().statusCode(200).extract().jsonPath().getList("data.id");

        upstreamCalls(1);
        assertEquals(byField, byHeader);
    }

    @Test
    void aFailedRequestReleasesItsKeySoTheRetryRunsAgain() {
        upstream.stubFor(post(urlEqualTo(PATH)).inScenario("f").whenScenarioStateIs(STARTED)
                .willReturn(aResponse().withStatus(400).withHeader("Content-Type", "application/json")
                        .withBody("{\"error\":{\"message\":\"nope\",\"type\":\"invalid_request_error\",\"param\":null,"
                                + "\"code\":null}}"))
                .willSetStateTo("ok"));
        upstream.stubFor(post(urlEqualTo(PATH)).inScenario("f").whenScenarioStateIs("ok").willReturn(images()));
        String key = UUID.randomUUID().toString();

        generate(key, BODY, 400);
        JsonPath retry = generate(key, BODY, 200);

        upstreamCalls(2);
        assertEquals(2, retry.getList("data.id").size());
    }

    @Test
    void aClaimWhoseHolderDiedIsTakenOverAfterItsLease() {
        upstream.stubFor(post(urlEqualTo(PATH)).willReturn(images()));
        String key = UUID.randomUUID().toString();
        String fingerprint = io.imagefn.images.GenerateRequest.fromJson(new JsonPath(BODY).getMap("$")).fingerprint();
        long past = System.currentTimeMillis() - 1000;
        String abandoned = "{\"state\":\"pending\",\"fingerprint\":\"" + fingerprint + "\",\"lease_until\":" + past
                + ",\"created_at\":" + past + "}";
        assertNotNull(store.writeRecord(Idempotency.recordName(key, "anonymous", "generate"),
                abandoned.getBytes(StandardCharsets.UTF_8), null).orElseThrow());

        JsonPath answer = generate(key, BODY, 200);

        upstreamCalls(1);
        assertEquals(2, answer.getList("data.id").size());
        generate(key, BODY, 200);
        upstreamCalls(1);
    }

    @Test
    void anExplicitNullIsTheSameRequestAsALeftOutField() {
        upstream.stubFor(post(urlEqualTo(PATH)).willReturn(images()));
        String key = UUID.randomUUID().toString();

        JsonPath plain = generate(key, BODY, 200);
        JsonPath withNulls = generate(key, BODY.replace("{", "{\"user\":null,\"quality\":null,"), 200);

        upstreamCalls(1);
        assertEquals(plain.getList("data.id"), withNulls.getList("data.id"));
    }

    @Test
    void aHeaderAndADifferentBodyKeyAreRefusedNotResolvedSilently() {
        upstream.stubFor(post(urlEqualTo(PATH)).willReturn(images()));
        String body = BODY.replace("{", "{\"idempotency_key\":\"from-the-body\",");

        given().contentType("application/json").header("Idempotency-Key", "from-the-header").body(body)
                .when().post("/generate").then().statusCode(400)
                .body("error.param", equalTo("idempotency_key"))
                .body("error.code", equalTo("invalid_value"));
        upstreamCalls(0);
        given().contentType("application/json").header("Idempotency-Key", "from-the-body").body(body)
                .when().post("/generate").then().statusCode(200);
    }

    /**
     * A holder whose claim was taken over (its lease ran out while it worked) and then fails must not delete the
     * newer holder's claim: the release is conditional on the record still being its own.
     */
    @Test
    void aReplacedHolderDoesNotReleaseTheNewHoldersClaim() throws Exception {
        upstream.stubFor(post(urlEqualTo(PATH)).willReturn(aResponse().withStatus(400).withFixedDelay(800)
                .withHeader("Content-Type", "application/json")
                .withBody("{\"error\":{\"message\":\"nope\",\"type\":\"invalid_request_error\"}}")));
        String key = UUID.randomUUID().toString();
        String name = Idempotency.recordName(key, "anonymous", "generate");
        ExecutorService caller = Executors.newSingleThreadExecutor();
        Future<JsonPath> first = caller.submit(() -> generate(key, BODY, 400));
        RecordStore.Record claim = null;
        for (int i = 0; i < 100 && claim == null; i++) {
            Thread.sleep(20);
            claim = store.readRecord(name).orElse(null);
        }
        assertNotNull(claim, "the first request claimed the key");
        String fingerprint = io.imagefn.images.GenerateRequest.fromJson(new JsonPath(BODY).getMap("$")).fingerprint();
        long now = System.currentTimeMillis();
        String newer = "{\"state\":\"pending\",\"fingerprint\":\"" + fingerprint + "\",\"holder\":\"the-new-holder\","
                + "\"lease_until\":" + (now + 60_000) + ",\"created_at\":" + now + "}";
        assertTrue(store.writeRecord(name, newer.getBytes(StandardCharsets.UTF_8), claim.etag()).isPresent(),
                "taken over");

        first.get();
        caller.shutdown();

        String left = new String(store.readRecord(name).orElseThrow().body(), StandardCharsets.UTF_8);
        assertTrue(left.contains("the-new-holder"), left);
    }

    @Test
    void streamsRefuseAKeyRatherThanIgnoreIt() {
        given().contentType("application/json").header("Idempotency-Key", "k-stream")
                .body("{\"prompt\":\"x\",\"model\":\"gpt-image-1\",\"stream\":true}")
                .when().post(PATH).then().statusCode(400)
                .body("error.param", equalTo("idempotency_key"))
                .body("error.code", equalTo("unsupported_parameter"));
        upstreamCalls(0);
    }

    @Test
    void aMalformedKeyIsA400() {
        given().contentType("application/json").header("Idempotency-Key", "x".repeat(300)).body(BODY)
                .when().post(PATH).then().statusCode(400).body("error.param", equalTo("idempotency_key"))
                .body("error.message", org.hamcrest.Matchers.containsString("255"));
        given().contentType("application/json").body(BODY.replace("{", "{\"idempotency_key\":42,"))
                .when().post(PATH).then().statusCode(400).body("error.param", equalTo("idempotency_key"))
                .body("error.code", equalTo("invalid_type"));
        upstreamCalls(0);
    }
}
