package io.imagefn;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.any;
import static com.github.tomakehurst.wiremock.client.WireMock.post;
import static com.github.tomakehurst.wiremock.client.WireMock.postRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.urlEqualTo;
import static com.github.tomakehurst.wiremock.client.WireMock.urlPathMatching;
import static com.github.tomakehurst.wiremock.client.WireMock.containing;
import static io.restassured.RestAssured.given;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.awt.Color;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.math.BigDecimal;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;

import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import com.github.tomakehurst.wiremock.WireMockServer;
import com.openai.client.okhttp.OpenAIOkHttpClient;
import com.openai.models.images.ImageGenerateParams;

import io.imagefn.images.Sha256;
import io.imagefn.support.FaultyS3;
import io.imagefn.support.HeldResponses;
import io.imagefn.support.InjectWireMock;
import io.imagefn.support.OpenAiNode;
import io.imagefn.support.OpenAiSchemas;
import io.imagefn.support.PrometheusText;
import io.imagefn.support.TestImages;
import io.imagefn.support.UpstreamProfile;
import io.imagefn.support.WireMockUpstream;
import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.TestProfile;
import io.restassured.path.json.JsonPath;
import io.restassured.response.Response;

/**
 * Keys with limits, against a recording upstream and a real bucket: a model a key may not use is 403 before any call;
 * a budget admits what it can pay for and refuses the rest with 429 {@code insufficient_quota}; a rate is refused with
 * {@code Retry-After} until its window frees, and every answer says where the key stands ({@code x-ratelimit-*}); a
 * call that may have been paid is settled at its reserved cost, one that certainly was not is released; a job reserves
 * when it is submitted; {@code /v1/usage} tells a key its own standing; the keys document applies without a restart;
 * a ledger out of reach refuses, nothing paid; and the official SDKs wait out our {@code Retry-After} themselves.
 * Each case has a key of its own: their records in the bucket never meet.
 */
@QuarkusTest
@TestProfile(LimitsTest.Profile.class)
class LimitsTest {

    static final String KEY_MODELS = "imagefn-limits-models-0001";
    static final String KEY_BUDGET = "imagefn-limits-budget-0002";
    static final String KEY_RATE = "imagefn-limits-rate-0003";
    static final String KEY_CONCURRENT = "imagefn-limits-concurrent-0004";
    static final String KEY_PAID = "imagefn-limits-paid-0005";
    static final String KEY_JOBS = "imagefn-limits-jobs-0006";
    static final String KEY_SDK = "imagefn-limits-sdk-0007";
    static final String KEY_NODE = "imagefn-limits-node-0008";
    static final String KEY_STORE = "imagefn-limits-store-0009";
    static final String KEY_LATE = "imagefn-limits-late-0010";
    static final String KEY_PLAIN = "imagefn-limits-plain-0011";
    /** What one dall-e-2 256x256 image costs (the bundled price table: what each budget is counted in). */
    static final BigDecimal IMAGE = new BigDecimal("0.016");
    static final Path KEYS = keysFile();

    public static class Profile extends UpstreamProfile {
        @Override
        public Map<String, String> getConfigOverrides() {
            Map<String, String> overrides = new HashMap<>(super.getConfigOverrides());
            overrides.put("imagefn.api-keys", KEY_PLAIN);
            overrides.put("imagefn.limits.keys-file", KEYS.toString());
            overrides.put("imagefn.limits.reload", "1s");
            // a short window, so that a client can be watched waiting one out
            overrides.put("imagefn.limits.window", "2s");
            overrides.put("imagefn.upstream.timeout-seconds", "2");
            overrides.put("imagefn.upstream.retry.max-retries", "0");
            overrides.put("imagefn.limits.reservation-lease", "5s");
            overrides.put("imagefn.jobs.max-concurrent", "1");
            return overrides;
        }

        @Override
        public List<TestResourceEntry> testResources() {
            return List.of(new TestResourceEntry(WireMockUpstream.class), new TestResourceEntry(FaultyS3.class));
        }
    }

    private static String keysDocument(String... extra) {
        StringBuilder keys = new StringBuilder("{\"keys\":[");
        keys.append(entry("models", KEY_MODELS, "\"models\":[\"dall-e-3\"]"));
        keys.append(',').append(entry("budget", KEY_BUDGET, "\"budget\":{\"usd\":0.048,\"period\":\"day\"}"));
        keys.append(',').append(entry("rate", KEY_RATE, "\"images_per_minute\":3,\"requests_per_minute\":10"));
        keys.append(',').append(entry("concurrent", KEY_CONCURRENT, "\"max_concurrent_requests\":1"));
        keys.append(',').append(entry("paid", KEY_PAID, "\"budget\":{\"usd\":1,\"period\":\"grant\"}"));
        keys.append(',').append(entry("jobs", KEY_JOBS, "\"budget\":{\"usd\":0.032,\"period\":\"month\"}"));
        keys.append(',').append(entry("sdk", KEY_SDK, "\"requests_per_minute\":1"));
        keys.append(',').append(entry("node", KEY_NODE, "\"requests_per_minute\":1"));
        keys.append(',').append(entry("store", KEY_STORE, "\"budget\":{\"usd\":1,\"period\":\"day\"}"));
        for (String e : extra) {
            keys.append(',').append(e);
        }
        return keys.append("]}").toString();
    }

    private static String entry(String name, String key, String limits) {
        return "{\"name\":\"" + name + "\",\"sha256\":\"" + Sha256.hex(key) + "\"," + limits + "}";
    }

    /** One path whichever class loader reads this class (Quarkus loads a test class twice): the app reads what we write. */
    private static Path keysFile() {
        try {
            Path file = Path.of("target", "limits-test-keys.json").toAbsolutePath();
            Files.createDirectories(file.getParent());
            Files.writeString(file, keysDocument());
            return file;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static final String PATH = "/v1/images/generations";
    private static final String GATE = "limits";

    /** A caller thread of its own: the common pool may run one task at a time on a small machine. */
    private static final java.util.concurrent.ExecutorService CALLER = java.util.concurrent.Executors
            .newCachedThreadPool();

    @InjectWireMock
    WireMockServer upstream;

    @jakarta.inject.Inject
    io.imagefn.upstream.UpstreamSlots slots;

    @FaultyS3.Gate
    WireMockServer s3;

    @TestHTTPResource("/v1")
    java.net.URL v1;

    @BeforeEach
    void answerImages() {
        upstream.resetAll();
        FaultyS3.clearFaults(s3);
        upstream.stubFor(post(urlEqualTo(PATH)).willReturn(images()));
    }

    private static com.github.tomakehurst.wiremock.client.ResponseDefinitionBuilder images() {
        return aResponse().withStatus(200).withHeader("Content-Type", "application/json").withBody(
                "{\"created\":7,\"data\":[{\"b64_json\":\"" + TestImages.b64(TestImages.png(8, 8, Color.BLUE))
                        + "\"}]}");
    }

    private static Response generate(String key, String prompt) {
        return given().auth().oauth2(key).contentType("application/json")
                .body("{\"prompt\":\"" + prompt + "\",\"model\":\"dall-e-2\",\"size\":\"256x256\"}").when().post(PATH);
    }

    private static JsonPath usage(String key) {
        return given().auth().oauth2(key).when().get("/v1/usage").then().statusCode(200).extract().jsonPath();
    }

    private int upstreamCalls(String prompt) {
        return upstream.findAll(postRequestedFor(urlEqualTo(PATH)).withRequestBody(containing(prompt))).size();
    }

    @Test
    void aModelTheKeyMayNotUseIsRefused403BeforeAnyUpstreamCall() {
        Response r = generate(KEY_MODELS, "a boat");
        assertEquals(403, r.statusCode(), r.asString());
        assertEquals("model_not_allowed", r.jsonPath().getString("error.code"));
        assertEquals("model", r.jsonPath().getString("error.param"));
        assertTrue(r.jsonPath().getString("error.message").contains("dall-e-3"), r.asString());
        assertEquals("false", r.header("x-should-retry"));
        OpenAiSchemas.assertErrorShape(r.asString());
        assertEquals(0, upstreamCalls("a boat"));

        // a stream is refused the same way, before it opens
        Response stream = given().auth().oauth2(KEY_MODELS).contentType("application/json")
                .body("{\"prompt\":\"a streamed boat\",\"model\":\"gpt-image-1\",\"stream\":true}").when().post(PATH);
        assertEquals(403, stream.statusCode(), stream.asString());
        assertEquals("model_not_allowed", stream.jsonPath().getString("error.code"));
        assertEquals(0, upstreamCalls("a streamed boat"));
    }

    @Test
    void aBudgetAdmitsWhatItCanPayForAndRefusesTheRestWithInsufficientQuota() {
        for (int i = 0; i < 3; i++) {
            generate(KEY_BUDGET, "budget " + i).then().statusCode(200);
        }
        Response refused = generate(KEY_BUDGET, "budget 3");
        assertEquals(429, refused.statusCode(), refused.asString());
        assertEquals("insufficient_quota", refused.jsonPath().getString("error.code"));
        assertEquals("insufficient_quota", refused.jsonPath().getString("error.type"));
        String tomorrow = LocalDate.now(ZoneOffset.UTC).plusDays(1) + "T00:00:00Z";
        assertTrue(refused.jsonPath().getString("error.message").contains(tomorrow), refused.asString());
        assertEquals("false", refused.header("x-should-retry"));
        OpenAiSchemas.assertErrorShape(refused.asString());
        assertEquals(0, upstreamCalls("budget 3"), "the refused request cost nothing upstream");
        // the same key on the function path
        Response function = given().auth().oauth2(KEY_BUDGET).contentType("application/json")
                .body("{\"prompt\":\"budget function\",\"model\":\"dall-e-2\",\"size\":\"256x256\"}").when()
                .post("/generate");
        assertEquals(429, function.statusCode(), function.asString());
        assertEquals("insufficient_quota", function.jsonPath().getString("error.code"));
        assertEquals(0, upstreamCalls("budget function"));

        JsonPath usage = usage(KEY_BUDGET);
        assertEquals("budget", usage.getString("key"));
        assertEquals(0, new BigDecimal(usage.getString("budget.spent_usd")).compareTo(IMAGE.multiply(
                BigDecimal.valueOf(3))), usage.prettify());
        assertEquals(0, new BigDecimal(usage.getString("budget.reserved_usd")).signum(), usage.prettify());
        assertEquals(0, usage.getInt("budget.reservations"));
        assertEquals(LocalDate.now(ZoneOffset.UTC).plusDays(1).atStartOfDay(ZoneOffset.UTC).toEpochSecond(),
                usage.getLong("budget.resets_at"));
    }

    @Test
    void aRateIsRefusedWithRetryAfterUntilItsWindowFreesAndEveryAnswerSaysWhereTheKeyStands() throws Exception {
        for (int i = 0; i < 3; i++) {
            Response ok = generate(KEY_RATE, "rate " + i);
            assertEquals(200, ok.statusCode(), ok.asString());
            assertEquals("3", ok.header("x-ratelimit-limit-images"));
            assertEquals(Integer.toString(2 - i), ok.header("x-ratelimit-remaining-images"));
            assertEquals("10", ok.header("x-ratelimit-limit-requests"));
            assertNotNull(ok.header("x-ratelimit-reset-images"));
        }
        Response refused = generate(KEY_RATE, "rate 3");
        assertEquals(429, refused.statusCode(), refused.asString());
        assertEquals("rate_limit_exceeded", refused.jsonPath().getString("error.code"));
        assertEquals("0", refused.header("x-ratelimit-remaining-images"));
        long waitMs = Long.parseLong(refused.header("retry-after-ms"));
        // the window is counted in sixtieths: an admission leaves at most one of them (33 ms) after its window
        assertTrue(waitMs > 0 && waitMs <= 2034, "retry-after-ms " + waitMs + " within the 2-s window");
        assertTrue(Integer.parseInt(refused.header("Retry-After")) >= 1);
        OpenAiSchemas.assertErrorShape(refused.asString());
        assertEquals(0, upstreamCalls("rate 3"));

        Thread.sleep(waitMs + 50);
        generate(KEY_RATE, "rate 4").then().statusCode(200);
    }

    @Test
    void aCallThatMayHaveBeenPaidIsSettledAtItsReservedCostAndOneThatCertainlyWasNotIsReleased() {
        // refused by the upstream (429): nothing was generated, the reservation goes back
        upstream.stubFor(post(urlEqualTo(PATH)).withRequestBody(containing("paid refused")).willReturn(aResponse()
                .withStatus(429).withHeader("Content-Type", "application/json").withBody("{\"error\":{\"message\":"
                        + "\"slow down\",\"type\":\"requests\",\"code\":\"rate_limit_exceeded\"}}")));
        assertEquals(429, generate(KEY_PAID, "paid refused").statusCode());
        assertEquals(0, new BigDecimal(usage(KEY_PAID).getString("budget.spent_usd")).signum());
        assertEquals(0, usage(KEY_PAID).getInt("budget.reservations"));

        // the request went out and no answer came in time: it may be billed, so it counts at its reserved cost
        upstream.stubFor(post(urlEqualTo(PATH)).withRequestBody(containing("paid timeout")).willReturn(images()
                .withFixedDelay(4000)));
        assertEquals(504, generate(KEY_PAID, "paid timeout").statusCode());
        JsonPath usage = usage(KEY_PAID);
        assertEquals(0, new BigDecimal(usage.getString("budget.spent_usd")).compareTo(IMAGE), usage.prettify());
        assertEquals(0, usage.getInt("budget.reservations"));
    }

    @Test
    void requestsInFlightForAKeyAreBoundedOnThisInstance() throws Exception {
        HeldResponses.hold(GATE);
        try {
            upstream.stubFor(post(urlEqualTo(PATH)).withRequestBody(containing("concurrent held")).willReturn(
                    images().withTransformers(HeldResponses.NAME).withTransformerParameter("gate", GATE)));
            CompletableFuture<Response> held = CompletableFuture.supplyAsync(() -> generate(KEY_CONCURRENT,
                    "concurrent held"), CALLER);
            waitUntil(() -> slots.inUse() == 1, "the first request's upstream call in flight");
            Response refused = generate(KEY_CONCURRENT, "concurrent second");
            assertEquals(429, refused.statusCode(), refused.asString());
            assertEquals("rate_limit_exceeded", refused.jsonPath().getString("error.code"));
            assertEquals("1", refused.header("Retry-After"));
            assertEquals(0, upstreamCalls("concurrent second"));
            HeldResponses.release(GATE);
            assertEquals(200, held.get().statusCode());
            generate(KEY_CONCURRENT, "concurrent third").then().statusCode(200);
        } finally {
            HeldResponses.release(GATE);
        }
    }

    @Test
    void usageTellsAKeyItsOwnStandingOnly() {
        assertEquals("budget", usage(KEY_BUDGET).getString("key"));
        JsonPath rate = usage(KEY_RATE);
        assertEquals("rate", rate.getString("key"));
        assertNull(rate.get("budget"), "the rate key has no budget and sees none");
        assertEquals(3, rate.getInt("images.limit"));
        JsonPath plain = usage(KEY_PLAIN);
        assertEquals("api-key-1", plain.getString("key"));
        assertNull(plain.get("budget"));
        given().when().get("/v1/usage").then().statusCode(401);
    }

    @Test
    void aJobReservesWhenSubmittedAndACancelledQueuedJobGivesItsReservationBack() throws Exception {
        HeldResponses.hold(GATE);
        try {
            upstream.stubFor(post(urlEqualTo(PATH)).withRequestBody(containing("job")).willReturn(images()
                    .withTransformers(HeldResponses.NAME).withTransformerParameter("gate", GATE)));
            String running = submit("job one");
            String queued = submit("job two");
            JsonPath held = usage(KEY_JOBS);
            assertEquals(2, held.getInt("budget.reservations"), held.prettify());
            assertEquals(0, new BigDecimal(held.getString("budget.reserved_usd")).compareTo(IMAGE.multiply(
                    BigDecimal.valueOf(2))));

            Response third = given().auth().oauth2(KEY_JOBS).contentType("application/json")
                    .header("Prefer", "respond-async").body(body("job three")).when().post(PATH);
            assertEquals(429, third.statusCode(), third.asString());
            assertEquals("insufficient_quota", third.jsonPath().getString("error.code"));

            given().auth().oauth2(KEY_JOBS).when().post("/v1/images/jobs/" + queued + "/cancel").then()
                    .statusCode(200);
            assertEquals(1, usage(KEY_JOBS).getInt("budget.reservations"), "the cancelled job's went back");

            HeldResponses.release(GATE);
            for (int i = 0; i < 200 && !status(running).equals("completed"); i++) {
                Thread.sleep(50);
            }
            JsonPath after = usage(KEY_JOBS);
            assertEquals(0, after.getInt("budget.reservations"), after.prettify());
            assertEquals(0, new BigDecimal(after.getString("budget.spent_usd")).compareTo(IMAGE));
            assertEquals(1, upstreamCalls("job"), "only the job that ran was paid");
        } finally {
            HeldResponses.release(GATE);
        }
    }

    private static String body(String prompt) {
        return "{\"prompt\":\"" + prompt + "\",\"model\":\"dall-e-2\",\"size\":\"256x256\"}";
    }

    private static String submit(String prompt) {
        return given().auth().oauth2(KEY_JOBS).contentType("application/json").header("Prefer", "respond-async")
                .body(body(prompt)).when().post(PATH).then().statusCode(202).extract().path("id");
    }

    private static String status(String job) {
        return given().auth().oauth2(KEY_JOBS).when().get("/v1/images/jobs/" + job).then().statusCode(200)
                .extract().path("status");
    }

    @Test
    void aChangedKeysDocumentAppliesWithoutARestartAndABrokenOneKeepsTheLastGood() throws Exception {
        generate(KEY_LATE, "late before").then().statusCode(401);
        try {
            Files.writeString(KEYS, keysDocument(entry("late", KEY_LATE, "\"models\":[\"dall-e-2\"]")));
            waitUntil(() -> generate(KEY_LATE, "late after").statusCode() == 200, "the new key is taken");
            Files.writeString(KEYS, "{\"keys\":[{\"name\":\"broken\",\"sha256\":\"nope\"}]}");
            Thread.sleep(2500);
            generate(KEY_LATE, "late kept").then().statusCode(200);
        } finally {
            Files.writeString(KEYS, keysDocument());
        }
    }

    private static void waitUntil(java.util.function.BooleanSupplier condition, String what) throws Exception {
        for (int i = 0; i < 100; i++) {
            if (condition.getAsBoolean()) {
                return;
            }
            Thread.sleep(100);
        }
        throw new AssertionError("not within 10 s: " + what);
    }

    @Test
    void aLedgerOutOfReachRefuses503AndPaysNothing() {
        s3.stubFor(any(urlPathMatching(".*/ledger/.*")).atPriority(1).willReturn(aResponse().withStatus(503)));
        Response r = generate(KEY_STORE, "store down");
        assertEquals(503, r.statusCode(), r.asString());
        assertEquals("limits_unavailable", r.jsonPath().getString("error.code"));
        assertNotNull(r.header("Retry-After"));
        assertEquals(0, upstreamCalls("store down"));
    }

    /**
     * The official SDKs' own retries honour our {@code Retry-After}: with one request a window, the second call is
     * refused with 429 and {@code retry-after-ms}, the SDK waits it out and tries again, and the caller sees success.
     */
    @Test
    void theOfficialJavaSdkWaitsOutOurRetryAfterItself() {
        var client = OpenAIOkHttpClient.builder().baseUrl(v1.toString()).apiKey(KEY_SDK).build();
        double refusedBefore = refused("sdk");
        for (int i = 0; i < 2; i++) {
            var answer = client.images().generate(ImageGenerateParams.builder().prompt("sdk " + i)
                    .model("dall-e-2").size(ImageGenerateParams.Size._256X256)
                    .responseFormat(ImageGenerateParams.ResponseFormat.B64_JSON).build());
            assertEquals(1, answer.data().orElseThrow().size());
        }
        assertEquals(refusedBefore + 1, refused("sdk"), "one 429, waited out by the SDK");
        assertEquals(2, upstreamCalls("sdk "));
    }

    @Test
    void theOfficialNodeSdkWaitsOutOurRetryAfterItself() throws Exception {
        double refusedBefore = refused("node");
        List<OpenAiNode.Outcome> outcomes = OpenAiNode.generate(v1.toString(), KEY_NODE, 2, "node sdk");
        assertTrue(outcomes.stream().allMatch(OpenAiNode.Outcome::ok), outcomes.toString());
        assertEquals(refusedBefore + 1, refused("node"), "one 429, waited out by the SDK");
        assertEquals(2, upstreamCalls("node sdk"));
    }

    private static double refused(String key) {
        return PrometheusText.scrape().sum("imagefn_limits_refused_total", Map.of("key", key, "reason",
                "rate_limit_exceeded"));
    }
}
