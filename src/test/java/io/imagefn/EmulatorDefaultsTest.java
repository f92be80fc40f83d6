package io.imagefn;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.equalTo;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.awt.image.BufferedImage;
import java.net.http.HttpResponse;
import java.util.List;

import jakarta.inject.Inject;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import io.imagefn.storage.S3Clients;
import io.imagefn.support.TestImages;
import io.imagefn.upstream.UpstreamTarget;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.path.json.JsonPath;

/**
 * Nothing configured: the embedded S3Proxy stores the images and the offline emulator draws them, through the same
 * REST client and S3 code as production. What a newcomer gets from the README's run command.
 */
@QuarkusTest
class EmulatorDefaultsTest {

    @Inject
    UpstreamTarget target;

    @Inject
    S3Clients store;

    @AfterEach
    void clearFaults() {
        given().when().delete("/emulator/faults").then().statusCode(204);
    }

    private static JsonPath generate(String body) {
        return given().contentType("application/json").body(body).when().post("/generate")
                .then().statusCode(200).extract().jsonPath();
    }

    private static BufferedImage open(String url, String contentType) {
        HttpResponse<byte[]> r = TestImages.fetch(url);
        assertEquals(200, r.statusCode(), url);
        assertEquals(contentType, r.headers().firstValue("Content-Type").orElse(""));
        return TestImages.decode(r.body());
    }

    @Test
    void usesTheEmbeddedDefaults() {
        assertTrue(target.usesEmulator());
        assertTrue(store.usesEmbedded());
    }

    @Test
    void generatesAPngOfTheRequestedSize() {
        JsonPath r = generate("{\"prompt\":\"a lighthouse at dusk\",\"size\":\"512x512\"}");
        BufferedImage image = open(r.getString("data[0].url"), "image/png");
        assertEquals(512, image.getWidth());
        assertEquals(512, image.getHeight());
    }

    @Test
    void honoursGptSizeFormatAndCount() {
        JsonPath r = generate("{\"prompt\":\"harbour\",\"model\":\"gpt-image-1\",\"size\":\"1536x1024\","
                + "\"output_format\":\"jpeg\",\"output_compression\":60,\"n\":2,\"quality\":\"low\"}");
        List<String> urls = r.getList("data.url");
        assertEquals(2, urls.size());
        for (String url : urls) {
            BufferedImage image = open(url, "image/jpeg");
            assertEquals(1536, image.getWidth());
            assertEquals(1024, image.getHeight());
        }
        assertEquals("jpeg", r.getString("output_format"));
        assertEquals("1536x1024", r.getString("size"));
        assertEquals("low", r.getString("quality"));
        assertTrue(r.getInt("usage.output_tokens") > 0);
        assertEquals(r.getInt("usage.input_tokens") + r.getInt("usage.output_tokens"), r.getInt("usage.total_tokens"));
    }

    @Test
    void honoursFreeFormGptImage2Sizes() {
        JsonPath r = generate("{\"prompt\":\"panorama\",\"model\":\"gpt-image-2\",\"size\":\"1280x720\"}");
        BufferedImage image = open(r.getString("data[0].url"), "image/png");
        assertEquals(1280, image.getWidth());
        assertEquals(720, image.getHeight());
    }

    @Test
    void drawsATransparentBackgroundWhenAsked() {
        JsonPath r = generate("{\"prompt\":\"sticker\",\"model\":\"gpt-image-1.5\",\"size\":\"1024x1024\","
                + "\"background\":\"transparent\"}");
        BufferedImage image = open(r.getString("data[0].url"), "image/png");
        assertTrue(image.getColorModel().hasAlpha());
        assertEquals("transparent", r.getString("background"));
        boolean someClear = false;
        for (int x = 0; x < image.getWidth() && !someClear; x += 7) {
            someClear = (image.getRGB(x, 0) >>> 24) == 0 || (image.getRGB(x, image.getHeight() - 1) >>> 24) == 0;
        }
        assertTrue(someClear, "no transparent pixel along the edges");
    }

    @Test
    void isDeterministicFromTheRequest() {
        String body = "{\"prompt\":\"the same prompt\",\"size\":\"256x256\"}";
        byte[] a = TestImages.fetch(generate(body).getString("data[0].url")).body();
        byte[] b = TestImages.fetch(generate(body).getString("data[0].url")).body();
        byte[] c = TestImages.fetch(generate("{\"prompt\":\"another prompt\",\"size\":\"256x256\"}")
                .getString("data[0].url")).body();
        assertArrayEquals(a, b);
        assertFalse(java.util.Arrays.equals(a, c));
    }

    @Test
    void labelsItsAnswersAsTheEmulator() {
        given().contentType("application/json").body("{\"prompt\":\"x\",\"response_format\":\"b64_json\"}")
                .when().post("/emulator/v1/images/generations")
                .then().statusCode(200)
                .header("x-imagefn-emulator", "offline-emulator")
                .header("x-request-id", org.hamcrest.Matchers.startsWith("req_emu_"));
    }

    @Test
    void injectedRateLimitsAreRetriedTransparently() {
        given().contentType("application/json").body("{\"status\":429,\"retry_after\":1,\"count\":1}")
                .when().post("/emulator/faults").then().statusCode(200).body("pending", equalTo(1));
        JsonPath r = generate("{\"prompt\":\"patience\",\"size\":\"256x256\"}");
        assertNotEquals(null, r.getString("data[0].url"));
    }
}
