package io.imagefn;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.post;
import static com.github.tomakehurst.wiremock.client.WireMock.postRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.urlEqualTo;
import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;

import java.util.HashMap;
import java.util.Map;

import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import com.github.tomakehurst.wiremock.WireMockServer;

import io.imagefn.support.InjectWireMock;
import io.imagefn.support.JobsProfile;
import io.imagefn.support.LoopbackOnlyNetwork;
import io.imagefn.support.UpstreamProfile;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.TestProfile;

/**
 * A webhook URL passes the input URLs' address policy before a job exists: https only, public addresses only, a host
 * that resolves. A refusal is a 400 naming {@code webhook}, no job, no upstream call, and no connection attempted
 * (the tests' network fails any test in which one is attempted off loopback; loopback itself is refused here).
 */
@QuarkusTest
@TestProfile(WebhookAddressPolicyTest.ProductionPolicy.class)
class WebhookAddressPolicyTest {

    /** The production defaults of the webhook policy, with a signing secret. */
    public static class ProductionPolicy extends UpstreamProfile {
        @Override
        public Map<String, String> getConfigOverrides() {
            Map<String, String> overrides = new HashMap<>(super.getConfigOverrides());
            overrides.put("imagefn.webhook.secret", JobsProfile.SECRET_NEW);
            return overrides;
        }
    }

    private static final String PATH = "/v1/images/generations";

    @InjectWireMock
    WireMockServer upstream;

    @BeforeEach
    void reset() {
        upstream.resetAll();
        upstream.stubFor(post(urlEqualTo(PATH)).willReturn(aResponse().withStatus(500)));
    }

    private static void refused(String webhook, String why) {
        given().contentType("application/json").header("Prefer", "respond-async")
                .body("{\"prompt\":\"a kite\",\"model\":\"dall-e-2\",\"webhook\":\"" + webhook + "\"}")
                .when().post(PATH).then().statusCode(400)
                .body("error.param", equalTo("webhook"))
                .body("error.code", equalTo("invalid_webhook_url"))
                .body("error.message", containsString(why));
    }

    @Test
    void aWebhookToAPrivateOrLoopbackAddressIsRefusedWithoutAConnection() {
        refused("https://10.1.2.3/hook", "non-public address");
        refused("https://192.168.0.10/hook", "non-public address");
        refused("https://169.254.169.254/latest/meta-data", "non-public address");
        refused("https://127.0.0.1:9/hook", "non-public address");
        refused("https://[::1]/hook", "non-public address");
        refused("https://localhost/hook", "non-public address");
        upstream.verify(0, postRequestedFor(urlEqualTo(PATH)));
    }

    /** A listening socket on loopback: the refusal is decided before any connection, so it sees none. */
    @Test
    void aRefusedWebhookIsNeverConnectedTo() throws Exception {
        try (java.net.ServerSocket listening = new java.net.ServerSocket(0, 50,
                java.net.InetAddress.getLoopbackAddress())) {
            listening.setSoTimeout(1000);
            refused("https://127.0.0.1:" + listening.getLocalPort() + "/hook", "non-public address");
            refused("https://localhost:" + listening.getLocalPort() + "/hook", "non-public address");
            org.junit.jupiter.api.Assertions.assertThrows(java.net.SocketTimeoutException.class, listening::accept,
                    "a connection reached the webhook's address");
        }
        upstream.verify(0, postRequestedFor(urlEqualTo(PATH)));
    }

    @Test
    void aWebhookMustBeHttpsToAHostThatResolves() {
        refused("http://hooks.example.com/x", "https URLs only");
        refused("ftp://hooks.example.com/x", "https URLs only");
        refused("https://user:secret@hooks.example.com/x", "credentials");
        refused("https://hooks.example/x", "does not resolve");
        refused("not a url", "");
        upstream.verify(0, postRequestedFor(urlEqualTo(PATH)));
    }

    /**
     * DNS rebinding: the name resolves to a public address when the job is submitted (only looked up, never connected
     * to) and to loopback when the webhook is sent. The attempt is refused at the connection's own lookup and
     * recorded as {@code refused}; the loopback socket it would have reached sees no connection.
     */
    @Test
    void aWebhookWhoseNameResolvesToARefusedAddressWhenSentIsRefusedAtTheConnection() throws Exception {
        try (java.net.ServerSocket listening = new java.net.ServerSocket(0, 50,
                java.net.InetAddress.getLoopbackAddress())) {
            LoopbackOnlyNetwork.script("rebinds.test", "203.0.113.10", "127.0.0.1");
            String id = given().contentType("application/json").header("Prefer", "respond-async")
                    .body("{\"prompt\":\"a kite\",\"model\":\"dall-e-2\",\"webhook\":\"https://rebinds.test:"
                            + listening.getLocalPort() + "/hook\"}")
                    .when().post(PATH).then().statusCode(202).extract().path("id");

            io.restassured.path.json.JsonPath job = null;
            for (int i = 0; i < 300; i++) {
                job = given().when().get("/v1/images/jobs/" + id).then().statusCode(200).extract().jsonPath();
                if (!job.getList("webhook.attempts").isEmpty()) {
                    break;
                }
                Thread.sleep(100);
            }
            org.junit.jupiter.api.Assertions.assertEquals("refused", job.getString("webhook.attempts[0].outcome"),
                    job.prettify());
            org.junit.jupiter.api.Assertions.assertTrue(job.getString("webhook.attempts[0].detail")
                    .contains("non-public"), job.getString("webhook.attempts[0].detail"));
            listening.setSoTimeout(1000);
            org.junit.jupiter.api.Assertions.assertThrows(java.net.SocketTimeoutException.class, listening::accept,
                    "a connection reached the address the name was re-pointed to");
        }
    }
}
