package io.imagefn.knative;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.awt.Color;
import java.net.URI;
import java.net.URL;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import io.cloudevents.CloudEvent;
import io.cloudevents.core.builder.CloudEventBuilder;
import io.cloudevents.http.HttpMessageFactory;
import io.cloudevents.jackson.JsonFormat;
import io.imagefn.support.TestImages;
import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;

/**
 * The Knative build ({@code -Dbinding=knative}), driven with the CloudEvents Java SDK as a broker or another producer
 * would: each function triggered by its own event type, in binary and structured content mode, answering with a
 * result event (read back with the SDK) whose data holds signed URLs that open; a bad request is refused with HTTP 400
 * and the OpenAI error body (no result event), which a Knative broker does not retry.
 */
@QuarkusTest
class CloudEventsTest {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final HttpClient HTTP = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();

    @TestHTTPResource("/")
    URL root;

    record Call(String function, String body) {
    }

    static List<Call> calls() {
        String square = TestImages.dataUrl("image/png", TestImages.png(64, 64, Color.ORANGE));
        return List.of(
                new Call("generate", "{\"prompt\":\"a kite\",\"size\":\"256x256\"}"),
                new Call("edit", "{\"prompt\":\"add a moon\",\"model\":\"gpt-image-1\",\"images\":[{\"image_url\":\""
                        + square + "\"}]}"),
                new Call("variation", "{\"image\":{\"image_url\":\"" + square + "\"},\"size\":\"256x256\"}"));
    }

    static CloudEvent event(String type, String source, String body) {
        return CloudEventBuilder.v1().withId(UUID.randomUUID().toString()).withSource(URI.create(source))
                .withType(type).withDataContentType("application/json")
                .withData(body.getBytes(StandardCharsets.UTF_8)).build();
    }

    /** An HTTP answer: status, headers (one value each), body. */
    record Answer(int status, Map<String, String> headers, byte[] body) {
        /** The answer as a CloudEvent, read by the SDK whatever its content mode. */
        CloudEvent event() {
            return HttpMessageFactory.createReader(headers, body).toEvent();
        }

        JsonNode json() throws Exception {
            return JSON.readTree(body);
        }
    }

    /** Posts an event in binary mode (attributes as ce- headers) or structured mode (one JSON document). */
    Answer send(CloudEvent event, boolean structured) throws Exception {
        HttpRequest.Builder request = HttpRequest.newBuilder(root.toURI());
        byte[][] body = new byte[1][];
        var writer = HttpMessageFactory.createWriter(request::header, bytes -> body[0] = bytes);
        if (structured) {
            writer.writeStructured(event, JsonFormat.CONTENT_TYPE);
        } else {
            writer.writeBinary(event);
        }
        HttpResponse<byte[]> r = HTTP.send(request.POST(HttpRequest.BodyPublishers.ofByteArray(body[0])).build(),
                HttpResponse.BodyHandlers.ofByteArray());
        Map<String, String> headers = new LinkedHashMap<>();
        r.headers().map().forEach((name, values) -> headers.put(name, values.get(0)));
        return new Answer(r.statusCode(), headers, r.body());
    }

    @ParameterizedTest
    @MethodSource("calls")
    void binaryModeEventsAreAnsweredWithAResultEvent(Call call) throws Exception {
        Answer answer = send(event("imagefn." + call.function(), "/tests/binary", call.body()), false);

        assertEquals(200, answer.status(), new String(answer.body(), StandardCharsets.UTF_8));
        assertFalse(answer.headers().getOrDefault("content-type", "").startsWith("application/cloudevents"),
                "answered in binary mode");
        resultEventHoldsImagesThatOpen(answer.event(), call.function());
    }

    @ParameterizedTest
    @MethodSource("calls")
    void structuredModeEventsAreAnsweredInStructuredMode(Call call) throws Exception {
        Answer answer = send(event("imagefn." + call.function(), "/tests/structured", call.body()), true);

        assertEquals(200, answer.status(), new String(answer.body(), StandardCharsets.UTF_8));
        assertTrue(answer.headers().get("content-type").startsWith(JsonFormat.CONTENT_TYPE), answer.headers()
                .toString());
        resultEventHoldsImagesThatOpen(answer.event(), call.function());
    }

    @Test
    void anInvalidRequestIsA400WithTheOpenAiErrorBody() throws Exception {
        Answer answer = send(event("imagefn.generate", "/tests", "{\"prompt\":\"x\",\"model\":\"dall-e-3\",\"n\":3}"),
                false);

        assertEquals(400, answer.status());
        assertEquals("invalid_request_error", answer.json().at("/error/type").asText());
        assertEquals("n", answer.json().at("/error/param").asText());
        assertFalse(answer.headers().containsKey("ce-type"), "no result event");
    }

    @Test
    void anUnknownEventTypeIsRefused() throws Exception {
        Answer answer = send(event("imagefn.unknown", "/tests", "{}"), false);
        assertTrue(answer.status() >= 400 && answer.status() < 500, "status " + answer.status());
    }

    private static void resultEventHoldsImagesThatOpen(CloudEvent result, String function) throws Exception {
        assertEquals("imagefn." + function + ".result", result.getType());
        assertEquals(URI.create("imagefn"), result.getSource());
        assertEquals("1.0", result.getSpecVersion().toString());
        assertFalse(result.getId().isBlank());
        JsonNode data = JSON.readTree(result.getData().toBytes()).path("data");
        assertTrue(data.size() > 0, "images in the result event");
        for (JsonNode image : data) {
            var fetched = TestImages.fetch(image.path("url").asText());
            assertEquals(200, fetched.statusCode());
            assertTrue(TestImages.decode(fetched.body()).getWidth() > 0);
        }
    }
}
