package io.imagefn.knative;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.post;
import static com.github.tomakehurst.wiremock.client.WireMock.postRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.urlEqualTo;
import static io.restassured.RestAssured.given;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.awt.Color;
import java.io.IOException;
import java.net.URI;
import java.net.URL;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.github.tomakehurst.wiremock.WireMockServer;

import io.cloudevents.CloudEvent;
import io.cloudevents.http.HttpMessageFactory;
import io.imagefn.support.InjectWireMock;
import io.imagefn.support.TestImages;
import io.imagefn.support.UpstreamProfile;
import io.imagefn.support.WebhookReceiver;
import io.quarkus.test.common.QuarkusTestResourceLifecycleManager;
import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.TestProfile;

/**
 * Jobs on Knative: {@code Prefer: respond-async} on the HTTP front answers 202 and hands the job to the broker (a
 * stand-in sink here, read with the CloudEvents SDK) as an {@code imagefn.job.requested} event carrying only the job's
 * address; delivered to the service as the Trigger would, the event runs the job, and the reply is an
 * {@code imagefn.job.completed} event whose job holds signed URLs that open. A redelivery pays nothing again.
 */
@QuarkusTest
@TestProfile(JobEventsTest.WithBroker.class)
class JobEventsTest {

    /** A broker's ingress standing in for {@code K_SINK}: it records what it receives and answers 202. */
    public static class BrokerSink implements QuarkusTestResourceLifecycleManager {
        static WebhookReceiver broker;

        @Override
        public Map<String, String> start() {
            try {
                broker = new WebhookReceiver();
            } catch (IOException e) {
                throw new IllegalStateException(e);
            }
            broker.answer(n -> WebhookReceiver.Reply.of(202));
            return Map.of("imagefn.jobs.sink", broker.url("/default/broker"));
        }

        @Override
        public void stop() {
            broker.close();
        }
    }

    public static class WithBroker extends UpstreamProfile {
        @Override
        public List<TestResourceEntry> testResources() {
            List<TestResourceEntry> all = new java.util.ArrayList<>(super.testResources());
            all.add(new TestResourceEntry(BrokerSink.class));
            return all;
        }
    }

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final HttpClient HTTP = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
    private static final String PATH = "/v1/images/generations";
    private static final byte[] IMAGE = TestImages.png(20, 20, Color.CYAN);

    @InjectWireMock
    WireMockServer upstream;

    @TestHTTPResource("/")
    URL root;

    @BeforeEach
    void upstreamAnswers() {
        upstream.resetAll();
        upstream.stubFor(post(urlEqualTo(PATH)).willReturn(aResponse().withStatus(200)
                .withHeader("Content-Type", "application/json")
                .withBody("{\"created\":3,\"data\":[{\"b64_json\":\"" + TestImages.b64(IMAGE) + "\"}]}")));
    }

    private static CloudEvent read(Map<String, String> headers, byte[] body) {
        return HttpMessageFactory.createReader(headers, body).toEvent();
    }

    /** Delivers an event to the service as the Trigger would (binary mode); the reply event. */
    private HttpResponse<byte[]> deliver(Map<String, String> headers, byte[] body) throws Exception {
        HttpRequest.Builder request = HttpRequest.newBuilder(root.toURI());
        headers.forEach((name, value) -> {
            if (name.toLowerCase().startsWith("ce-") || name.equalsIgnoreCase("content-type")) {
                request.header(name, value);
            }
        });
        return HTTP.send(request.POST(HttpRequest.BodyPublishers.ofByteArray(body)).build(),
                HttpResponse.BodyHandlers.ofByteArray());
    }

    private static Map<String, String> single(HttpResponse<?> r) {
        Map<String, String> headers = new LinkedHashMap<>();
        r.headers().map().forEach((name, values) -> headers.put(name, values.get(0)));
        return headers;
    }

    @Test
    void aJobGoesThroughTheBrokerAndItsReplyEventCarriesTheImages() throws Exception {
        int before = BrokerSink.broker.deliveries().size();
        var accepted = given().contentType("application/json").header("Prefer", "respond-async")
                .body("{\"prompt\":\"a buoy\",\"model\":\"dall-e-2\",\"size\":\"256x256\"}").when().post(PATH);
        accepted.then().statusCode(202);
        String id = accepted.jsonPath().getString("id");
        assertEquals("queued", accepted.jsonPath().getString("status"), "handed to the broker, not run here");
        upstream.verify(0, postRequestedFor(urlEqualTo(PATH)));

        List<WebhookReceiver.Delivery> sent = BrokerSink.broker.deliveries();
        assertEquals(before + 1, sent.size());
        WebhookReceiver.Delivery delivery = sent.get(sent.size() - 1);
        Map<String, String> headers = new HashMap<>();
        delivery.headers().forEach((name, values) -> headers.put(name.toLowerCase(), values.get(0)));
        byte[] body = delivery.body().getBytes(StandardCharsets.UTF_8);
        CloudEvent requested = read(headers, body);
        assertEquals("imagefn.job.requested", requested.getType());
        assertEquals(URI.create("imagefn"), requested.getSource());
        assertEquals(id, requested.getSubject());
        JsonNode data = JSON.readTree(requested.getData().toBytes());
        assertEquals(id, data.path("job_id").asText());
        assertFalse(delivery.body().contains("prompt"), "only the job's address travels; the request is in the bucket");

        HttpResponse<byte[]> reply = deliver(headers, body);
        assertEquals(200, reply.statusCode(), new String(reply.body(), StandardCharsets.UTF_8));
        CloudEvent completed = read(single(reply), reply.body());
        assertEquals("imagefn.job.completed", completed.getType());
        assertEquals(URI.create("imagefn"), completed.getSource());
        JsonNode job = JSON.readTree(completed.getData().toBytes());
        assertEquals(id, job.path("id").asText());
        assertEquals("completed", job.path("status").asText());
        assertArrayEquals(IMAGE, TestImages.fetch(job.at("/result/data/0/url").asText()).body());
        assertTrue(job.at("/result/data/0/b64_json").isMissingNode());
        upstream.verify(1, postRequestedFor(urlEqualTo(PATH)));

        // the broker redelivers (its answer was lost): the job is finished, nothing is paid again
        HttpResponse<byte[]> again = deliver(headers, body);
        assertEquals(200, again.statusCode());
        assertEquals("imagefn.job.completed", read(single(again), again.body()).getType());
        upstream.verify(1, postRequestedFor(urlEqualTo(PATH)));
        given().when().get("/v1/images/jobs/" + id).then().statusCode(200)
                .body("status", org.hamcrest.Matchers.equalTo("completed"));
    }
}
