package io.imagefn;

import static io.imagefn.support.TestImages.dataUrl;
import static io.restassured.RestAssured.given;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.awt.image.BufferedImage;
import java.util.Arrays;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;

import io.imagefn.support.TestImages;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.path.json.JsonPath;

/**
 * Generate, then edit the result by its id with a mask, then make variations: all through the functions on the
 * embedded defaults (emulator and S3Proxy), every result a signed URL whose image decodes.
 */
@QuarkusTest
class ImageChainingTest {

    private static JsonPath call(String function, Map<String, Object> body) {
        return given().contentType("application/json").body(body).when().post("/" + function)
                .then().statusCode(200).extract().jsonPath();
    }

    private static BufferedImage image(JsonPath response, int index) {
        return TestImages.decode(TestImages.fetch(response.getString("data[" + index + "].url")).body());
    }

    @Test
    void anEditByIdWithAMaskChangesOnlyTheMasksTransparentArea() {
        JsonPath generated = call("generate", Map.of("prompt", "a harbour", "model", "gpt-image-1", "size",
                "1024x1024"));
        String id = generated.getString("data[0].id");
        BufferedImage before = image(generated, 0);

        JsonPath edited = call("edit", Map.of("images", List.of(Map.of("file_id", id)), "prompt", "add a boat",
                "mask", Map.of("image_url", dataUrl("image/png", TestImages.pngWithAlpha(1024, 1024, true)))));
        BufferedImage after = image(edited, 0);

        assertEquals(1024, after.getWidth());
        assertEquals(1024, after.getHeight());
        int changedInside = 0;
        for (int y = 0; y < 1024; y += 4) {
            for (int x = 0; x < 1024; x += 4) {
                if (x >= 512) {
                    assertEquals(before.getRGB(x, y), after.getRGB(x, y), "pixel outside the mask at " + x + "," + y);
                } else if (before.getRGB(x, y) != after.getRGB(x, y)) {
                    changedInside++;
                }
            }
        }
        assertTrue(changedInside > 128 * 256 / 2, "only " + changedInside + " sampled pixels changed in the mask");
        assertTrue(edited.getInt("usage.input_tokens_details.image_tokens") > 0);
    }

    @Test
    void aDallE2EditWithoutAMaskUsesTheImagesOwnTransparency() {
        byte[] input = TestImages.pngWithAlpha(256, 256, true);
        JsonPath edited = call("edit", Map.of("model", "dall-e-2", "size", "256x256", "prompt", "fill the gap",
                "images", List.of(Map.of("image_url", dataUrl("image/png", input)))));
        BufferedImage before = TestImages.decode(input);
        BufferedImage after = image(edited, 0);
        for (int y = 0; y < 256; y += 8) {
            assertEquals(before.getRGB(200, y), after.getRGB(200, y), "opaque half kept");
            assertTrue((after.getRGB(20, y) >>> 24) > 0, "transparent half filled in");
        }
    }

    @Test
    void anEditUsesEveryInputImage() {
        String first = call("generate", Map.of("prompt", "base", "model", "gpt-image-1", "size", "1024x1024"))
                .getString("data[0].id");
        String second = call("generate", Map.of("prompt", "other", "model", "gpt-image-1", "size", "1024x1024"))
                .getString("data[0].id");
        byte[] alone = TestImages.fetch(call("edit", Map.of("prompt", "merge", "images",
                List.of(Map.of("file_id", first)))).getString("data[0].url")).body();
        byte[] composed = TestImages.fetch(call("edit", Map.of("prompt", "merge", "images",
                List.of(Map.of("file_id", first), Map.of("file_id", second)))).getString("data[0].url")).body();
        assertFalse(Arrays.equals(alone, composed), "the second image left no trace");
    }

    @Test
    void variationsOfAStoredSquarePngHaveTheRequestedSizeAndDiffer() {
        String id = call("generate", Map.of("prompt", "a square", "size", "256x256")).getString("data[0].id");

        JsonPath variations = call("variation", Map.of("image", Map.of("file_id", id), "n", 2, "size", "512x512"));

        List<String> urls = variations.getList("data.url");
        assertEquals(2, urls.size());
        byte[] a = TestImages.fetch(urls.get(0)).body();
        byte[] b = TestImages.fetch(urls.get(1)).body();
        for (byte[] bytes : List.of(a, b)) {
            BufferedImage image = TestImages.decode(bytes);
            assertEquals(512, image.getWidth());
            assertEquals(512, image.getHeight());
        }
        assertFalse(Arrays.equals(a, b));
        assertTrue(variations.getString("data[0].id").startsWith("img_"));
    }

    @Test
    void anEditedImageCanBeEditedAgainById() {
        String id = call("generate", Map.of("prompt", "step one", "model", "gpt-image-1.5", "size", "1024x1024"))
                .getString("data[0].id");
        JsonPath once = call("edit", Map.of("prompt", "step two", "images", List.of(Map.of("file_id", id))));
        JsonPath twice = call("edit", Map.of("prompt", "step three", "images",
                List.of(Map.of("file_id", once.getString("data[0].id")))));
        assertArrayEquals(new int[] { 1024, 1024 },
                new int[] { image(twice, 0).getWidth(), image(twice, 0).getHeight() });
    }
}
