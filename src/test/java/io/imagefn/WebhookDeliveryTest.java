package io.imagefn;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.post;
import static com.github.tomakehurst.wiremock.client.WireMock.urlEqualTo;
import static io.restassured.RestAssured.given;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.awt.Color;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;

import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import com.github.tomakehurst.wiremock.WireMockServer;

import io.imagefn.support.InjectWireMock;
import io.imagefn.support.JobsProfile;
import io.imagefn.support.TestImages;
import io.imagefn.support.TricklingReceiver;
import io.imagefn.support.WebhookReceiver;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.TestProfile;
import io.restassured.path.json.JsonPath;

/**
 * Webhook receivers as slow ones behave: one that answers 200 and then trickles its body, one that answers nothing.
 * Each attempt has one deadline for all of it, so a trickling answer is cut at the deadline, recorded as a timeout and
 * retried; and a slow receiver delays only its own deliveries: another key's webhook arrives within a second while two
 * receivers are held.
 */
@QuarkusTest
@TestProfile(WebhookDeliveryTest.Profile.class)
class WebhookDeliveryTest {

    private static final long TIMEOUT_MILLIS = 4000;
    /** What "at the deadline" allows on top: the attempt's record written, a loaded machine. */
    private static final long SLACK_MILLIS = 3000;

    public static class Profile extends JobsProfile {
        @Override
        public Map<String, String> getConfigOverrides() {
            Map<String, String> overrides = new HashMap<>(super.getConfigOverrides());
            overrides.put("imagefn.webhook.timeout", TIMEOUT_MILLIS + "ms");
            overrides.put("imagefn.webhook.max-attempts", "2");
            overrides.put("imagefn.webhook.initial-delay", "500ms");
            overrides.put("imagefn.webhook.max-delay", "1s");
            return overrides;
        }
    }

    @InjectWireMock
    WireMockServer upstream;

    @BeforeEach
    void stub() {
        upstream.resetAll();
        upstream.stubFor(post(urlEqualTo("/v1/images/generations")).willReturn(aResponse().withStatus(200)
                .withHeader("Content-Type", "application/json").withBody("{\"created\":7,\"data\":[{\"b64_json\":\""
                        + TestImages.b64(TestImages.png(12, 12, Color.PINK)) + "\"}]}")));
    }

    private static String submit(String key, String webhook) {
        return given().auth().oauth2(key).contentType("application/json").header("Prefer", "respond-async")
                .body("{\"prompt\":\"a heron\",\"model\":\"dall-e-2\",\"size\":\"256x256\",\"webhook\":\"" + webhook
                        + "\"}")
                .when().post("/v1/images/generations").then().statusCode(202).extract().path("id");
    }

    private static JsonPath job(String key, String id) {
        return given().auth().oauth2(key).when().get("/v1/images/jobs/" + id).then().statusCode(200).extract()
                .jsonPath();
    }

    private static void waitFor(BooleanSupplier condition, long millis, String what) {
        long until = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(millis);
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > until) {
                throw new AssertionError("not within " + millis + " ms: " + what);
            }
            try {
                Thread.sleep(10);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new AssertionError(e);
            }
        }
    }

    @Test
    void aReceiverThatTricklesItsAnswerIsCutAtTheDeadlineAndRetried() throws Exception {
        try (TricklingReceiver trickling = new TricklingReceiver(true, 1000, 60_000)) {
            String id = submit(JobsProfile.KEY_A, trickling.url("/hook"));
            waitFor(() -> !trickling.arrivals().isEmpty(), 30_000, "the first delivery");
            long arrived = trickling.arrivals().get(0);

            waitFor(() -> job(JobsProfile.KEY_A, id).getList("webhook.attempts").size() == 1, 30_000,
                    "the first attempt recorded");
            long recordedAfter = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - arrived);
            assertTrue(recordedAfter <= TIMEOUT_MILLIS + SLACK_MILLIS, "the attempt ended " + recordedAfter
                    + " ms after the delivery arrived; its deadline is " + TIMEOUT_MILLIS + " ms");
            JsonPath first = job(JobsProfile.KEY_A, id);
            assertEquals("retrying", first.getString("webhook.attempts[0].outcome"));
            assertTrue(first.getString("webhook.attempts[0].detail").startsWith("timeout"),
                    first.getString("webhook.attempts[0].detail"));
            waitFor(() -> !trickling.cuts().isEmpty(), 5000, "the trickling answer cut off");
            long cutAfter = TimeUnit.NANOSECONDS.toMillis(trickling.cuts().get(0) - arrived);
            assertTrue(cutAfter <= TIMEOUT_MILLIS + SLACK_MILLIS, "cut " + cutAfter + " ms after arriving");

            // the schedule retries it, and with two attempts in all the second is the last
            waitFor(() -> job(JobsProfile.KEY_A, id).getList("webhook.attempts").size() == 2,
                    TIMEOUT_MILLIS + 30_000, "the retry recorded");
            assertEquals(2, trickling.arrivals().size());
            assertEquals("gave_up", job(JobsProfile.KEY_A, id).getString("webhook.attempts[1].outcome"));
        }
    }

    @Test
    void aSlowReceiverDelaysOnlyItsOwnDeliveries() throws Exception {
        try (TricklingReceiver trickling = new TricklingReceiver(true, 1000, 30_000);
                TricklingReceiver silent = new TricklingReceiver(false, 0, 30_000);
                WebhookReceiver fast = new WebhookReceiver()) {
            submit(JobsProfile.KEY_A, trickling.url("/hook"));
            submit(JobsProfile.KEY_A, silent.url("/hook"));
            waitFor(() -> !trickling.arrivals().isEmpty() && !silent.arrivals().isEmpty(), 30_000,
                    "both slow receivers holding a delivery");

            String other = submit(JobsProfile.KEY_B, fast.url("/hook"));
            waitFor(() -> job(JobsProfile.KEY_B, other).getString("status").equals("completed"), 30_000,
                    "the other key's job completed");
            long completed = System.nanoTime();
            waitFor(() -> !fast.deliveries().isEmpty(), 30_000, "the other key's webhook");
            long arrivedAfter = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - completed);
            System.out.printf("measured: another key's webhook arrived %d ms after its job completed, while two "
                    + "receivers were held%n", arrivedAfter);
            assertTrue(arrivedAfter <= 1000, "the other key's webhook waited " + arrivedAfter + " ms");
        }
    }
}
