package io.imagefn;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.equalTo;
import static com.github.tomakehurst.wiremock.client.WireMock.equalToJson;
import static com.github.tomakehurst.wiremock.client.WireMock.post;
import static com.github.tomakehurst.wiremock.client.WireMock.postRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.urlEqualTo;
import static io.restassured.RestAssured.given;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.awt.Color;
import java.net.URI;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.time.Instant;
import java.util.List;

import jakarta.inject.Inject;

import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import com.github.tomakehurst.wiremock.WireMockServer;

import io.imagefn.storage.ImageStore;
import io.imagefn.support.InjectWireMock;
import io.imagefn.support.S3ProxyStorage;
import io.imagefn.support.TestImages;
import io.imagefn.support.UpstreamProfile;
import io.imagefn.support.WireMockUpstream;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.TestProfile;
import io.restassured.path.json.JsonPath;

/**
 * The happy path through the real REST client and a real S3-compatible store: what is sent upstream, what is stored,
 * and that the signed URLs open the exact bytes, and only while valid and untampered.
 */
@QuarkusTest
@TestProfile(UpstreamProfile.class)
class GenerateStorageTest {

    @InjectWireMock
    WireMockServer upstream;

    @Inject
    ImageStore store;

    @BeforeEach
    void resetUpstream() {
        upstream.resetAll();
    }

    private void upstreamAnswers(String body) {
        upstream.stubFor(post(urlEqualTo("/v1/images/generations")).willReturn(aResponse().withStatus(200)
                .withHeader("Content-Type", "application/json").withHeader("x-request-id", "req_abc123")
                .withBody(body)));
    }

    @Test
    void storesTheUpstreamImageAndReturnsASignedUrlToTheExactBytes() {
        byte[] png = TestImages.png(64, 48, Color.RED);
        upstreamAnswers("""
                {"created": 1713833628, "data": [{"b64_json": "%s"}], "background": "opaque",
                 "output_format": "png", "size": "1024x1024", "quality": "low",
                 "usage": {"total_tokens": 300, "input_tokens": 28, "output_tokens": 272,
                           "input_tokens_details": {"text_tokens": 28, "image_tokens": 0},
                           "output_tokens_details": {"image_tokens": 272, "text_tokens": 0}}}
                """.formatted(TestImages.b64(png)));

        long before = Instant.now().getEpochSecond();
        JsonPath response = given().contentType("application/json")
                .body("{\"prompt\":\"a red square\",\"model\":\"gpt-image-1\",\"size\":\"1024x1024\",\"quality\":\"low\"}")
                .when().post("/generate")
                .then().statusCode(200).extract().jsonPath();

        upstream.verify(1, postRequestedFor(urlEqualTo("/v1/images/generations"))
                .withHeader("Authorization", equalTo("Bearer " + WireMockUpstream.API_KEY))
                .withRequestBody(equalToJson("""
                        {"prompt":"a red square","model":"gpt-image-1","size":"1024x1024","quality":"low"}""")));

        assertEquals(1713833628L, response.getLong("created"));
        assertEquals("opaque", response.getString("background"));
        assertEquals("png", response.getString("output_format"));
        assertEquals(272, response.getInt("usage.output_tokens"));
        assertEquals(272, response.getInt("usage.output_tokens_details.image_tokens"));
        assertNull(response.getString("data[0].b64_json"), "no inline base64 unless asked for");

        String url = response.getString("data[0].url");
        assertTrue(url.contains("/" + S3ProxyStorage.BUCKET + "/images/"), url);
        assertTrue(url.contains("X-Amz-Signature="), url);
        assertTrue(response.getString("data[0].id").matches("img_[a-z2-7]{26}"));
        long expiresAt = response.getLong("data[0].expires_at");
        assertTrue(expiresAt >= before + 3600 && expiresAt <= Instant.now().getEpochSecond() + 3600);

        HttpResponse<byte[]> image = TestImages.fetch(url);
        assertEquals(200, image.statusCode());
        assertEquals("image/png", image.headers().firstValue("Content-Type").orElse(""));
        assertArrayEquals(png, image.body());
    }

    @Test
    void dallEIsAskedForBase64AndTheCallerGetsItInlineWhenRequested() {
        byte[] first = TestImages.png(32, 32, Color.BLUE);
        byte[] second = TestImages.png(32, 32, Color.GREEN);
        upstreamAnswers("{\"created\": 1, \"data\": [{\"b64_json\": \"%s\"}, {\"b64_json\": \"%s\"}]}"
                .formatted(TestImages.b64(first), TestImages.b64(second)));

        JsonPath response = given().contentType("application/json")
                .body("{\"prompt\":\"two squares\",\"n\":2,\"size\":\"256x256\",\"response_format\":\"b64_json\"}")
                .when().post("/generate")
                .then().statusCode(200).extract().jsonPath();

        upstream.verify(1, postRequestedFor(urlEqualTo("/v1/images/generations")).withRequestBody(equalToJson("""
                {"prompt":"two squares","model":"dall-e-2","n":2,"size":"256x256","response_format":"b64_json"}""")));
        List<String> urls = response.getList("data.stored_url");
        assertEquals(2, urls.size());
        assertNotEquals(urls.get(0), urls.get(1));
        assertEquals(TestImages.b64(first), response.getString("data[0].b64_json"));
        assertArrayEquals(second, TestImages.fetch(urls.get(1)).body());
    }

    @Test
    void explicitNullsAreTreatedAsNotSet() {
        upstreamAnswers("{\"created\": 1, \"data\": [{\"b64_json\": \"%s\"}]}"
                .formatted(TestImages.b64(TestImages.png(8, 8, Color.BLACK))));

        given().contentType("application/json")
                .body("{\"prompt\":\"x\",\"model\":null,\"n\":null,\"size\":null,\"quality\":null,\"style\":null}")
                .when().post("/generate")
                .then().statusCode(200);

        upstream.verify(1, postRequestedFor(urlEqualTo("/v1/images/generations")).withRequestBody(equalToJson("""
                {"prompt":"x","model":"dall-e-2","response_format":"b64_json"}""")));
    }

    @Test
    void aTamperedSignatureIsRefused() {
        upstreamAnswers("{\"created\": 1, \"data\": [{\"b64_json\": \"%s\"}]}"
                .formatted(TestImages.b64(TestImages.png(8, 8, Color.WHITE))));
        String url = given().contentType("application/json").body("{\"prompt\":\"x\"}")
                .when().post("/generate").then().statusCode(200).extract().jsonPath().getString("data[0].url");
        assertEquals(200, TestImages.fetch(url).statusCode());

        int at = url.indexOf("X-Amz-Signature=") + "X-Amz-Signature=".length();
        char c = url.charAt(at);
        String tampered = url.substring(0, at) + (c == 'a' ? 'b' : 'a') + url.substring(at + 1);
        assertEquals(403, TestImages.fetch(tampered).statusCode());

        String otherObject = url.replace("/images/img_", "/images/img_x");
        assertEquals(403, TestImages.fetch(otherObject).statusCode());
    }

    @Test
    void anExpiredUrlIsRefused() throws InterruptedException {
        upstreamAnswers("{\"created\": 1, \"data\": [{\"b64_json\": \"%s\"}]}"
                .formatted(TestImages.b64(TestImages.png(8, 8, Color.GRAY))));
        JsonPath response = given().contentType("application/json").body("{\"prompt\":\"x\"}")
                .when().post("/generate").then().statusCode(200).extract().jsonPath();
        String id = response.getString("data[0].id");
        String path = URI.create(response.getString("data[0].url")).getPath();
        String key = path.substring(path.indexOf('/', 1) + 1);

        ImageStore.StoredImage shortLived = store.sign(id, key, Duration.ofSeconds(1));
        assertEquals(200, TestImages.fetch(shortLived.url().toString()).statusCode());
        Thread.sleep(2100);
        assertEquals(403, TestImages.fetch(shortLived.url().toString()).statusCode());
    }
}
