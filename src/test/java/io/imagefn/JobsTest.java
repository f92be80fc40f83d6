package io.imagefn;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.post;
import static com.github.tomakehurst.wiremock.client.WireMock.postRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.urlEqualTo;
import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.equalTo;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.awt.Color;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

import jakarta.inject.Inject;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import com.github.tomakehurst.wiremock.WireMockServer;
import com.github.tomakehurst.wiremock.client.ResponseDefinitionBuilder;
import com.standardwebhooks.Webhook;

import io.imagefn.jobs.JobRecord;
import io.imagefn.jobs.JobStore;
import io.imagefn.support.HeldResponses;
import io.imagefn.support.InjectWireMock;
import io.imagefn.support.JobsProfile;
import io.imagefn.support.TestImages;
import io.imagefn.support.WebhookReceiver;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.TestProfile;
import io.restassured.path.json.JsonPath;
import io.restassured.response.Response;

/**
 * Generations that outlive the connection: {@code Prefer: respond-async} answers 202 with a job at once, the job is
 * polled to {@code completed} with signed URLs that open, its webhook is signed per Standard Webhooks (checked with the
 * standard's library and with an HMAC written here), a duplicate is the same job, a refusal queues nothing, a job is
 * its creator's, and cancel does what it says.
 */
@QuarkusTest
@TestProfile(JobsProfile.class)
class JobsTest {

    private static final String PATH = "/v1/images/generations";
    private static final String BODY = "{\"prompt\":\"a lighthouse at dusk\",\"model\":\"dall-e-2\",\"size\":\"256x256\"}";
    private static final String OWNERSHIP_GATE = "jobs-ownership";

    @InjectWireMock
    WireMockServer upstream;

    @Inject
    JobStore jobs;

    private WebhookReceiver receiver;
    private byte[] image;

    @BeforeEach
    void start() throws Exception {
        upstream.resetAll();
        receiver = new WebhookReceiver();
        image = TestImages.png(24, 24, new Color((int) (Math.random() * 0xFFFFFF)));
    }

    @AfterEach
    void stop() {
        receiver.close();
    }

    private ResponseDefinitionBuilder images(int delayMillis) {
        return aResponse().withStatus(200).withHeader("Content-Type", "application/json").withFixedDelay(delayMillis)
                .withBody("{\"created\":7,\"data\":[{\"b64_json\":\"" + TestImages.b64(image) + "\"}]}");
    }

    private static Response submit(String key, String path, String body, String prefer) {
        var request = given().auth().oauth2(key).contentType("application/json").body(body);
        if (prefer != null) {
            request.header("Prefer", prefer);
        }
        return request.when().post(path);
    }

    private static JsonPath job(String key, String id) {
        return given().auth().oauth2(key).when().get("/v1/images/jobs/" + id).then().statusCode(200).extract()
                .jsonPath();
    }

    /** Polls until the job is finished; the statuses seen, in order, without repeats. */
    private static List<String> pollUntilFinished(String key, String id) throws InterruptedException {
        List<String> seen = new ArrayList<>();
        for (int i = 0; i < 600; i++) {
            String status = job(key, id).getString("status");
            if (seen.isEmpty() || !seen.get(seen.size() - 1).equals(status)) {
                seen.add(status);
            }
            if (!status.equals("queued") && !status.equals("in_progress")) {
                return seen;
            }
            Thread.sleep(100);
        }
        throw new AssertionError("job " + id + " did not finish; statuses seen: " + seen);
    }

    private void upstreamCalls(int expected) {
        upstream.verify(expected, postRequestedFor(urlEqualTo(PATH)));
    }

    private static void awaitDeliveries(WebhookReceiver receiver, int count) throws InterruptedException {
        for (int i = 0; i < 200 && receiver.deliveries().size() < count; i++) {
            Thread.sleep(50);
        }
    }

    @Test
    void aSlowGenerationIsA202AtOnceThenPolledToCompletedWithAWebhookWhoseSignatureVerifies() throws Exception {
        upstream.stubFor(post(urlEqualTo(PATH)).willReturn(images(3000)));
        String body = BODY.replace("}", ",\"webhook\":\"" + receiver.url("/hooks/imagefn") + "\"}");

        // one job at a time here: a second submitted behind the first waits as queued
        Response first = submit(JobsProfile.KEY_A, PATH, body, "respond-async");
        Response second = submit(JobsProfile.KEY_A, PATH, BODY, "respond-async");

        first.then().statusCode(202)
                .header("Preference-Applied", "respond-async")
                .header("Retry-After", "5")
                .body("object", equalTo("image.job"))
                .body("operation", equalTo("generate"))
                .body("model", equalTo("dall-e-2"));
        String id = first.jsonPath().getString("id");
        assertEquals("/v1/images/jobs/" + id, first.header("Location"));
        assertEquals("/v1/images/jobs/" + id, first.header("Operation-Location"));
        // answered before the upstream could have: the generation takes 3 s
        assertTrue(List.of("queued", "in_progress").contains(first.jsonPath().getString("status")));
        assertEquals("queued", second.jsonPath().getString("status"));
        assertNull(first.jsonPath().get("result"));

        List<String> statuses = pollUntilFinished(JobsProfile.KEY_A, id);
        assertEquals("completed", statuses.get(statuses.size() - 1), "statuses seen: " + statuses);
        assertTrue(statuses.contains("in_progress"), "statuses seen: " + statuses);
        List<String> queuedThen = pollUntilFinished(JobsProfile.KEY_A, second.jsonPath().getString("id"));
        assertEquals(List.of("queued", "in_progress", "completed").subList(3 - queuedThen.size(), 3), queuedThen,
                "the second job waited its turn");

        JsonPath done = job(JobsProfile.KEY_A, id);
        assertNotNull(done.get("started_at"));
        assertNotNull(done.get("completed_at"));
        assertTrue(done.getLong("expires_at") > done.getLong("completed_at"));
        assertNull(done.get("result.data[0].b64_json"), "a job's result carries URLs, never base64");
        assertArrayEquals(image, TestImages.fetch(done.getString("result.data[0].url")).body());
        upstreamCalls(2);

        awaitDeliveries(receiver, 1);
        Thread.sleep(300); // a second (wrong) delivery would come now
        List<WebhookReceiver.Delivery> deliveries = receiver.deliveries();
        assertEquals(1, deliveries.size(), "one delivery: the terminal event, accepted at once");
        WebhookReceiver.Delivery hook = deliveries.get(0);
        assertEquals("/hooks/imagefn", hook.path());
        assertTrue(hook.body().length() < 20_000);
        // the standard's own verifier, with either secret of the rotation
        Map<String, List<String>> headers = Map.of(
                "webhook-id", List.of(hook.header("webhook-id")),
                "webhook-timestamp", List.of(hook.header("webhook-timestamp")),
                "webhook-signature", List.of(hook.header("webhook-signature")));
        new Webhook(JobsProfile.SECRET_OLD).verify(hook.body(), headers);
        new Webhook(JobsProfile.SECRET_NEW).verify(hook.body(), headers);
        // and the signature computed here from the spec: v1, HMAC-SHA256 of id.timestamp.body, one per secret
        String[] signatures = hook.header("webhook-signature").split(" ");
        assertEquals(2, signatures.length);
        assertEquals("v1," + hmac(JobsProfile.SECRET_OLD, hook), signatures[0]);
        assertEquals("v1," + hmac(JobsProfile.SECRET_NEW, hook), signatures[1]);

        JsonPath event = new JsonPath(hook.body());
        assertEquals("image.job.completed", event.getString("type"));
        assertNotNull(event.getString("timestamp"));
        assertEquals(id, event.getString("data.id"));
        assertEquals("completed", event.getString("data.status"));
        assertArrayEquals(image, TestImages.fetch(event.getString("data.result.data[0].url")).body());
        assertFalse(hook.body().contains("b64_json"));

        JsonPath recorded = job(JobsProfile.KEY_A, id);
        assertEquals(200, recorded.getInt("webhook.last_status") / 100 * 100);
        assertEquals("delivered", recorded.getString("webhook.attempts[0].outcome"));
        assertNotNull(recorded.get("webhook.delivered_at"));
    }

    private static String hmac(String secret, WebhookReceiver.Delivery hook) throws Exception {
        Mac mac = Mac.getInstance("HmacSHA256");
        mac.init(new SecretKeySpec(Base64.getDecoder().decode(secret.substring("whsec_".length())), "HmacSHA256"));
        String signed = hook.header("webhook-id") + "." + hook.header("webhook-timestamp") + "." + hook.body();
        return Base64.getEncoder().encodeToString(mac.doFinal(signed.getBytes(StandardCharsets.UTF_8)));
    }

    @Test
    void theSameIdempotencyKeyTwiceIsOneJobAndOneUpstreamCall() throws Exception {
        upstream.stubFor(post(urlEqualTo(PATH)).willReturn(images(500)));
        String key = UUID.randomUUID().toString();
        ExecutorService callers = Executors.newFixedThreadPool(4);
        List<Future<String>> ids = new ArrayList<>();
        for (int i = 0; i < 4; i++) {
            ids.add(callers.submit(() -> given().auth().oauth2(JobsProfile.KEY_A).contentType("application/json")
                    .header("Prefer", "respond-async").header("Idempotency-Key", key).body(BODY)
                    .when().post(PATH).then().statusCode(202).extract().jsonPath().getString("id")));
        }
        List<String> seen = new ArrayList<>();
        for (Future<String> id : ids) {
            seen.add(id.get());
        }
        callers.shutdown();
        seen.forEach(id -> assertEquals(seen.get(0), id));
        assertEquals("completed", lastOf(pollUntilFinished(JobsProfile.KEY_A, seen.get(0))));
        upstreamCalls(1);

        // the same key with another request is refused, as on a synchronous request
        given().auth().oauth2(JobsProfile.KEY_A).contentType("application/json").header("Prefer", "respond-async")
                .header("Idempotency-Key", key).body(BODY.replace("lighthouse", "harbour"))
                .when().post(PATH).then().statusCode(409).body("error.code", equalTo("idempotency_key_reused"));
    }

    @Test
    void aRefusedRequestQueuesNothingAndCallsNoUpstream() {
        upstream.stubFor(post(urlEqualTo(PATH)).willReturn(images(0)));
        String before = given().auth().oauth2(JobsProfile.KEY_B).when().get("/v1/images/jobs").then().statusCode(200)
                .extract().jsonPath().getString("first_id");

        // dall-e-2 makes at most 10 images (the spec), and a stream cannot be a job
        submit(JobsProfile.KEY_B, PATH, BODY.replace("}", ",\"n\":11}"), "respond-async").then().statusCode(400)
                .body("error.param", equalTo("n"));
        submit(JobsProfile.KEY_B, PATH, BODY.replace("dall-e-2\",\"size\":\"256x256\"", "gpt-image-1\"")
                .replace("}", ",\"stream\":true}"), "respond-async").then().statusCode(400)
                .body("error.param", equalTo("stream"));
        // a webhook field without respond-async says what it needs
        submit(JobsProfile.KEY_B, PATH, BODY.replace("}", ",\"webhook\":\"" + receiver.url("/x") + "\"}"), null)
                .then().statusCode(400).body("error.param", equalTo("webhook"));
        submit(JobsProfile.KEY_B, PATH, BODY.replace("}", ",\"webhook\":\"" + receiver.url("/x")
                + "\",\"webhook_events\":[\"image.job.exploded\"]}"), "respond-async").then().statusCode(400)
                .body("error.param", equalTo("webhook_events"));

        upstreamCalls(0);
        assertEquals(before, given().auth().oauth2(JobsProfile.KEY_B).when().get("/v1/images/jobs").then()
                .statusCode(200).extract().jsonPath().getString("first_id"), "no job was made");
    }

    @Test
    void anotherKeysJobIsNotFound() throws Exception {
        upstream.stubFor(post(urlEqualTo(PATH)).willReturn(images(0)));
        String id = submit(JobsProfile.KEY_A, PATH, BODY, "respond-async").then().statusCode(202).extract()
                .jsonPath().getString("id");
        pollUntilFinished(JobsProfile.KEY_A, id);

        given().auth().oauth2(JobsProfile.KEY_B).when().get("/v1/images/jobs/" + id).then().statusCode(404)
                .body("error.code", equalTo("job_not_found"));
        given().when().get("/v1/images/jobs/" + id).then().statusCode(401);
    }

    /** Cancelling under another key finds nothing, and the owner's queued job is not cancelled by it. */
    @Test
    void anotherKeyCannotCancelAJob() throws Exception {
        HeldResponses.hold(OWNERSHIP_GATE);
        try {
            upstream.stubFor(post(urlEqualTo(PATH)).willReturn(images(0).withTransformers(HeldResponses.NAME)
                    .withTransformerParameter("gate", OWNERSHIP_GATE)));
            String running = submit(JobsProfile.KEY_A, PATH, BODY, "respond-async").jsonPath().getString("id");
            // one job at a time: the second one waits as queued, which a cancel would stop
            String queued = submit(JobsProfile.KEY_A, PATH, BODY, "respond-async").jsonPath().getString("id");
            assertEquals("queued", job(JobsProfile.KEY_A, queued).getString("status"));

            given().auth().oauth2(JobsProfile.KEY_B).when().post("/v1/images/jobs/" + queued + "/cancel").then()
                    .statusCode(404).body("error.code", equalTo("job_not_found"));

            JsonPath after = job(JobsProfile.KEY_A, queued);
            assertEquals("queued", after.getString("status"));
            assertFalse(Boolean.TRUE.equals(after.get("cancel_requested")), after.prettify());
            HeldResponses.release(OWNERSHIP_GATE);
            assertEquals("completed", last(pollUntilFinished(JobsProfile.KEY_A, running)));
            assertEquals("completed", last(pollUntilFinished(JobsProfile.KEY_A, queued)));
        } finally {
            HeldResponses.release(OWNERSHIP_GATE);
        }
    }

    @Test
    void anotherKeysJobsAreNotListed() throws Exception {
        upstream.stubFor(post(urlEqualTo(PATH)).willReturn(images(0)));
        String id = submit(JobsProfile.KEY_A, PATH, BODY, "respond-async").then().statusCode(202).extract()
                .jsonPath().getString("id");
        pollUntilFinished(JobsProfile.KEY_A, id);

        assertTrue(given().auth().oauth2(JobsProfile.KEY_A).when().get("/v1/images/jobs").then().statusCode(200)
                .extract().jsonPath().getList("data.id").contains(id), "its owner lists it");
        assertFalse(given().auth().oauth2(JobsProfile.KEY_B).when().get("/v1/images/jobs").then().statusCode(200)
                .extract().jsonPath().getList("data.id").contains(id), "another key does not");
    }

    private static String last(List<String> statuses) {
        return statuses.get(statuses.size() - 1);
    }

    @Test
    void theListIsNewestFirstAndPagesWithAfter() throws Exception {
        upstream.stubFor(post(urlEqualTo(PATH)).willReturn(images(0)));
        List<String> made = new ArrayList<>();
        for (int i = 0; i < 3; i++) {
            made.add(0, submit(JobsProfile.KEY_B, PATH, BODY, "respond-async").jsonPath().getString("id"));
            Thread.sleep(5);
        }
        JsonPath page = given().auth().oauth2(JobsProfile.KEY_B).queryParam("limit", 2).when()
                .get("/v1/images/jobs").then().statusCode(200).extract().jsonPath();
        assertEquals("list", page.getString("object"));
        assertEquals(made.subList(0, 2), page.getList("data.id"));
        assertTrue(page.getBoolean("has_more"));
        JsonPath next = given().auth().oauth2(JobsProfile.KEY_B).queryParam("limit", 1)
                .queryParam("after", page.getString("last_id")).when().get("/v1/images/jobs").then().statusCode(200)
                .extract().jsonPath();
        assertEquals(List.of(made.get(2)), next.getList("data.id"));
        given().auth().oauth2(JobsProfile.KEY_B).queryParam("limit", 0).when().get("/v1/images/jobs").then()
                .statusCode(400).body("error.param", equalTo("limit"));
        for (String id : made) {
            pollUntilFinished(JobsProfile.KEY_B, id);
        }
    }

    @Test
    void cancelStopsAQueuedJobBeforeItsUpstreamCallAndSaysARunningOneFinishes() throws Exception {
        upstream.stubFor(post(urlEqualTo(PATH)).willReturn(images(2000)));
        String running = submit(JobsProfile.KEY_A, PATH, BODY, "respond-async").jsonPath().getString("id");
        String hook = receiver.url("/cancelled");
        String queued = submit(JobsProfile.KEY_A, PATH, BODY.replace("}", ",\"webhook\":\"" + hook + "\"}"),
                "respond-async").jsonPath().getString("id");
        for (int i = 0; i < 100 && !job(JobsProfile.KEY_A, running).getString("status").equals("in_progress"); i++) {
            Thread.sleep(50);
        }

        JsonPath cancelled = given().auth().oauth2(JobsProfile.KEY_A).when()
                .post("/v1/images/jobs/" + queued + "/cancel").then().statusCode(200).extract().jsonPath();
        assertEquals("cancelled", cancelled.getString("status"));
        // idempotent
        given().auth().oauth2(JobsProfile.KEY_A).when().post("/v1/images/jobs/" + queued + "/cancel").then()
                .statusCode(200).body("status", equalTo("cancelled"));

        JsonPath inFlight = given().auth().oauth2(JobsProfile.KEY_A).when()
                .post("/v1/images/jobs/" + running + "/cancel").then().statusCode(200).extract().jsonPath();
        assertEquals("in_progress", inFlight.getString("status"));
        assertTrue(inFlight.getBoolean("cancel_requested"));
        assertTrue(inFlight.getString("note").contains("cannot be unpaid"));

        assertEquals("completed", lastOf(pollUntilFinished(JobsProfile.KEY_A, running)));
        assertEquals("cancelled", job(JobsProfile.KEY_A, queued).getString("status"));
        upstreamCalls(1);
        assertNotNull(job(JobsProfile.KEY_A, running).getString("result.data[0].url"), "it kept its images");
        given().auth().oauth2(JobsProfile.KEY_A).when().post("/v1/images/jobs/" + running + "/cancel").then()
                .statusCode(409).body("error.code", equalTo("job_already_finished"));

        awaitDeliveries(receiver, 1);
        assertEquals("image.job.cancelled", new JsonPath(receiver.deliveries().get(0).body()).getString("type"));
    }

    private static String lastOf(List<String> statuses) {
        return statuses.get(statuses.size() - 1);
    }

    @Test
    void theFunctionPathsTakeRespondAsyncToo() throws Exception {
        upstream.stubFor(post(urlEqualTo(PATH)).willReturn(images(300)));
        Response accepted = submit(JobsProfile.KEY_A, "/generate", BODY, "respond-async");
        accepted.then().statusCode(202).header("Preference-Applied", "respond-async");
        String id = accepted.jsonPath().getString("id");
        assertEquals("/v1/images/jobs/" + id, accepted.header("Location"));
        assertEquals("completed", lastOf(pollUntilFinished(JobsProfile.KEY_A, id)));
        assertArrayEquals(image, TestImages.fetch(job(JobsProfile.KEY_A, id).getString("result.data[0].url")).body());

        submit(JobsProfile.KEY_A, "/generate", BODY.replace("}", ",\"n\":11}"), "respond-async").then()
                .statusCode(400).body("error.param", equalTo("n"));
        upstreamCalls(1);
    }

    @Test
    void waitAnswersTheUsual200WhenTheJobFinishesInTime() {
        upstream.stubFor(post(urlEqualTo(PATH)).willReturn(images(200)));
        Response answer = submit(JobsProfile.KEY_A, PATH, BODY, "respond-async, wait=20");
        answer.then().statusCode(200).header("Preference-Applied", "wait=20");
        assertArrayEquals(image, TestImages.fetch(answer.jsonPath().getString("data[0].url")).body());

        // a job that outlasts the wait is a 202 after it
        upstream.stubFor(post(urlEqualTo(PATH)).willReturn(images(4000)));
        submit(JobsProfile.KEY_A, PATH, BODY, "respond-async, wait=1").then().statusCode(202)
                .header("Preference-Applied", "respond-async, wait=1");
        // and a failure within the wait is the request's own error
        upstream.stubFor(post(urlEqualTo(PATH)).willReturn(aResponse().withStatus(400)
                .withHeader("Content-Type", "application/json").withBody("{\"error\":{\"message\":\"Your request was "
                        + "rejected by the safety system.\",\"type\":\"invalid_request_error\",\"param\":null,"
                        + "\"code\":\"moderation_blocked\"}}")));
        submit(JobsProfile.KEY_A, PATH, BODY, "respond-async, wait=20").then().statusCode(400)
                .body("error.code", equalTo("moderation_blocked"));
    }

    @Test
    void aFailedJobKeepsItsErrorAndItsWebhookSaysSo() throws Exception {
        upstream.stubFor(post(urlEqualTo(PATH)).willReturn(aResponse().withStatus(400)
                .withHeader("Content-Type", "application/json").withBody("{\"error\":{\"message\":\"Your request was "
                        + "rejected by the safety system.\",\"type\":\"invalid_request_error\",\"param\":null,"
                        + "\"code\":\"moderation_blocked\"}}")));
        String id = submit(JobsProfile.KEY_A, PATH, BODY.replace("}", ",\"webhook\":\"" + receiver.url("/f") + "\"}"),
                "respond-async").jsonPath().getString("id");
        assertEquals("failed", lastOf(pollUntilFinished(JobsProfile.KEY_A, id)));
        JsonPath failed = job(JobsProfile.KEY_A, id);
        assertEquals("moderation_blocked", failed.getString("error.code"));
        assertEquals("invalid_request_error", failed.getString("error.type"));
        awaitDeliveries(receiver, 1);
        assertEquals("image.job.failed", new JsonPath(receiver.deliveries().get(0).body()).getString("type"));
    }

    @Test
    void aFailingReceiverIsRetriedHonouringRetryAfterAnd410StopsIt() throws Exception {
        upstream.stubFor(post(urlEqualTo(PATH)).willReturn(images(0)));
        receiver.answer(n -> n == 1 ? new WebhookReceiver.Reply(503, Map.of("Retry-After", "1"))
                : n == 2 ? WebhookReceiver.Reply.of(302) : WebhookReceiver.Reply.of(200));
        String id = submit(JobsProfile.KEY_A, PATH, BODY.replace("}", ",\"webhook\":\"" + receiver.url("/r") + "\"}"),
                "respond-async").jsonPath().getString("id");
        pollUntilFinished(JobsProfile.KEY_A, id);
        awaitDeliveries(receiver, 3);
        List<WebhookReceiver.Delivery> deliveries = receiver.deliveries();
        assertEquals(3, deliveries.size());
        // the same message id on every attempt: the receiver's idempotency key
        assertEquals(deliveries.get(0).header("webhook-id"), deliveries.get(2).header("webhook-id"));
        for (int i = 0; i < 50 && job(JobsProfile.KEY_A, id).get("webhook.delivered_at") == null; i++) {
            Thread.sleep(50);
        }
        JsonPath recorded = job(JobsProfile.KEY_A, id);
        assertEquals(List.of(503, 302, 200), recorded.getList("webhook.attempts.status"));
        assertEquals(List.of("retrying", "retrying", "delivered"), recorded.getList("webhook.attempts.outcome"));
        long first = recorded.getLong("webhook.attempts[0].at");
        long second = recorded.getLong("webhook.attempts[1].at");
        assertTrue(second - first >= 1, "Retry-After: 1 was honoured");

        WebhookReceiver gone = new WebhookReceiver();
        try {
            gone.answer(n -> WebhookReceiver.Reply.of(410));
            String other = submit(JobsProfile.KEY_A, PATH, BODY.replace("}", ",\"webhook\":\"" + gone.url("/g")
                    + "\"}"), "respond-async").jsonPath().getString("id");
            pollUntilFinished(JobsProfile.KEY_A, other);
            awaitDeliveries(gone, 1);
            Thread.sleep(1500); // retries would have come by now
            assertEquals(1, gone.deliveries().size());
            assertEquals("stopped", job(JobsProfile.KEY_A, other).getString("webhook.attempts[0].outcome"));
        } finally {
            gone.close();
        }
    }

    @Test
    void aJobWhoseInstanceDiedAfterPayingIsTakenOverWithoutASecondUpstreamCall() throws Exception {
        upstream.stubFor(post(urlEqualTo(PATH)).willReturn(images(0)));
        // the dead instance's work: its paid call ran under the job's id as idempotency key and stored the image...
        String id = "job_" + String.format("%012x", 0xFFFF_FFFF_FFFFL - System.currentTimeMillis())
                + "deadinstancezzzz";
        JsonPath paid = given().auth().oauth2(JobsProfile.KEY_A).contentType("application/json")
                .header("Idempotency-Key", id).body(BODY).when().post(PATH).then().statusCode(200).extract().jsonPath();
        upstreamCalls(1);
        // ...then it died before recording the job as completed: the job is in progress under a lapsed lease
        String owner = "key:" + java.util.HexFormat.of().formatHex(java.security.MessageDigest.getInstance("SHA-256")
                .digest(JobsProfile.KEY_A.getBytes(StandardCharsets.UTF_8)));
        long now = System.currentTimeMillis();
        assertTrue(jobs.create(new JobRecord(id, owner, "generate", "dall-e-2", 1, JobRecord.IN_PROGRESS, now / 1000,
                now / 1000, null, Map.of("prompt", "a lighthouse at dusk", "model", "dall-e-2", "size", "256x256"),
                null, null, null, null, null, "a-dead-instance", now - 1, false, null)));

        // the next instance that reads it takes it over, and the idempotency record answers: nothing is paid again
        assertEquals("completed", lastOf(pollUntilFinished(JobsProfile.KEY_A, id)));
        upstreamCalls(1);
        assertEquals(paid.getString("data[0].id"), job(JobsProfile.KEY_A, id).getString("result.data[0].id"));
    }

    @Test
    void aJobWhoseInstanceDiedBeforeItsCallRunsOnceElsewhere() throws Exception {
        upstream.stubFor(post(urlEqualTo(PATH)).willReturn(images(0)));
        String id = "job_" + String.format("%012x", 0xFFFF_FFFF_FFFFL - System.currentTimeMillis())
                + "queuedonadeadone";
        String owner = "key:" + java.util.HexFormat.of().formatHex(java.security.MessageDigest.getInstance("SHA-256")
                .digest(JobsProfile.KEY_A.getBytes(StandardCharsets.UTF_8)));
        long now = System.currentTimeMillis();
        // queued on an instance that died; its lease still runs for a moment: nobody takes it before that
        assertTrue(jobs.create(new JobRecord(id, owner, "generate", "dall-e-2", 1, JobRecord.QUEUED, now / 1000, null,
                null, Map.of("prompt", "a lighthouse at dusk", "model", "dall-e-2", "size", "256x256"), null, null,
                null, null, null, "a-dead-instance", now + 1500, false, null)));
        assertEquals("queued", job(JobsProfile.KEY_A, id).getString("status"));
        upstreamCalls(0);
        Thread.sleep(1600);
        assertEquals("completed", lastOf(pollUntilFinished(JobsProfile.KEY_A, id)));
        // read again and again: run once
        job(JobsProfile.KEY_A, id);
        upstreamCalls(1);
        assertNotEquals(null, job(JobsProfile.KEY_A, id).getString("result.data[0].url"));
    }
}
