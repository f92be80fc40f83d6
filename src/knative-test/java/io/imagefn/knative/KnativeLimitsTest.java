package io.imagefn.knative;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.post;
import static com.github.tomakehurst.wiremock.client.WireMock.postRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.urlEqualTo;
import static io.restassured.RestAssured.given;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.awt.Color;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import java.util.UUID;

import org.junit.jupiter.api.Test;

import com.github.tomakehurst.wiremock.WireMockServer;

import io.imagefn.support.InjectWireMock;
import io.imagefn.support.TestImages;
import io.imagefn.support.UpstreamProfile;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.TestProfile;
import io.restassured.response.Response;

/**
 * Limits on CloudEvents, which carry no API key: the keys document's {@code unauthenticated} entry, from a mounted
 * file as deploy/knative mounts it, is what events may spend. A model they may not use (403) and a spent budget (429
 * {@code insufficient_quota}) are refused in the OpenAI error shape before any upstream call; a broker's redelivery
 * of an event already paid for is answered from its images and counts nothing.
 */
@QuarkusTest
@TestProfile(KnativeLimitsTest.Profile.class)
class KnativeLimitsTest {

    /** One dall-e-2 256x256 image: $0.016 (the Images API's price). */
    static final String KEYS = "{\"keys\":[],\"unauthenticated\":{\"models\":[\"dall-e-2\"],"
            + "\"budget\":{\"usd\":0.016,\"period\":\"day\"}}}";

    public static class Profile extends UpstreamProfile {
        @Override
        public Map<String, String> getConfigOverrides() {
            Map<String, String> overrides = new HashMap<>(super.getConfigOverrides());
            overrides.put("imagefn.limits.keys-file", keysFile().toString());
            overrides.put("imagefn.limits.ledger-prefix", "ledger/knative-limits-" + UUID.randomUUID() + "/");
            return overrides;
        }
    }

    /** A fixed path: Quarkus loads this class twice, and the application must read what was written. */
    static Path keysFile() {
        try {
            Path file = Path.of("target", "knative-limits-keys.json").toAbsolutePath();
            Files.createDirectories(file.getParent());
            Files.writeString(file, KEYS);
            return file;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static final String PATH = "/v1/images/generations";

    @InjectWireMock
    WireMockServer upstream;

    private static Response deliver(String id, String body) {
        return given().header("ce-id", id).header("ce-source", "/brokers/default").header("ce-specversion", "1.0")
                .header("ce-type", "imagefn.generate").contentType("application/json").body(body).when().post("/");
    }

    private void upstreamAnswers() {
        upstream.resetAll();
        upstream.stubFor(post(urlEqualTo(PATH)).willReturn(aResponse().withStatus(200)
                .withHeader("Content-Type", "application/json").withBody("{\"created\":1,\"data\":[{\"b64_json\":\""
                        + TestImages.b64(TestImages.png(16, 16, Color.PINK)) + "\"}]}")));
    }

    @Test
    void anEventForAModelEventsMayNotUseIsRefusedWithoutAnUpstreamCall() {
        upstreamAnswers();

        Response refused = deliver(UUID.randomUUID().toString(), "{\"prompt\":\"a heron\",\"model\":\"gpt-image-1\"}");

        assertEquals(403, refused.statusCode(), refused.asString());
        assertEquals("model_not_allowed", refused.jsonPath().getString("error.code"));
        assertEquals("invalid_request_error", refused.jsonPath().getString("error.type"));
        upstream.verify(0, postRequestedFor(urlEqualTo(PATH)));
    }

    @Test
    void theBudgetOfEventsPaysForWhatItCanTheRestIsRefusedAndARedeliveryCountsNothing() {
        upstreamAnswers();
        String body = "{\"prompt\":\"a heron\",\"model\":\"dall-e-2\",\"size\":\"256x256\"}";
        String first = UUID.randomUUID().toString();

        Response paid = deliver(first, body);
        Response redelivered = deliver(first, body);
        Response over = deliver(UUID.randomUUID().toString(), body);

        assertEquals(200, paid.statusCode(), paid.asString());
        assertEquals(200, redelivered.statusCode(), redelivered.asString());
        assertEquals(paid.jsonPath().getString("data[0].id"), redelivered.jsonPath().getString("data[0].id"));
        assertEquals(429, over.statusCode(), over.asString());
        assertEquals("insufficient_quota", over.jsonPath().getString("error.code"));
        upstream.verify(1, postRequestedFor(urlEqualTo(PATH)));
    }
}
