package io.imagefn;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.awt.Color;
import java.awt.image.BufferedImage;
import java.net.URL;
import java.util.List;
import java.util.stream.Collectors;

import org.junit.jupiter.api.Test;

import com.openai.client.OpenAIClient;
import com.openai.client.okhttp.OpenAIOkHttpClient;
import com.openai.core.http.StreamResponse;
import com.openai.models.images.ImageCreateVariationParams;
import com.openai.models.images.ImageEditParams;
import com.openai.models.images.ImageEditStreamEvent;
import com.openai.models.images.ImageGenStreamEvent;
import com.openai.models.images.ImageGenerateParams;
import com.openai.models.images.ImageModel;
import com.openai.models.images.ImagesResponse;

import io.imagefn.support.TestImages;
import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;

/**
 * The official openai-java SDK, unchanged but for its base URL, against the embedded defaults: what it returns is
 * what a user of the SDK would check.
 */
@QuarkusTest
class OpenAiSdkTest {

    @TestHTTPResource("/v1")
    URL v1;

    private OpenAIClient client() {
        return OpenAIOkHttpClient.builder().baseUrl(v1.toString()).apiKey("sk-not-checked").maxRetries(0).build();
    }

    private static BufferedImage open(String url) {
        return TestImages.decode(TestImages.fetch(url).body());
    }

    /** imagefn's extension on an item answered inline: its stored copy's signed URL. */
    private static String storedUrl(com.openai.models.images.Image image) {
        return image._additionalProperties().get("stored_url").convert(String.class);
    }

    private static BufferedImage decode(String b64) {
        return TestImages.decode(java.util.Base64.getDecoder().decode(b64));
    }

    /** OpenAI's own documentation code for GPT image models reads data[0].b64_json: it works unchanged. */
    @Test
    void aGptGenerationAnswersB64JsonAsOpenAiDoesPlusTheStoredCopysUrl() {
        ImagesResponse r = client().images().generate(ImageGenerateParams.builder().prompt("a lighthouse")
                .model(ImageModel.GPT_IMAGE_1).size(ImageGenerateParams.Size._1536X1024).n(2).build());

        assertEquals(2, r.data().orElseThrow().size());
        BufferedImage image = decode(r.data().get().get(1).b64Json().orElseThrow());
        assertEquals(1536, image.getWidth());
        assertEquals(1024, image.getHeight());
        assertTrue(r.data().get().get(1).url().isEmpty(), "url or b64_json, never both");
        assertEquals(image.getRGB(700, 500), open(storedUrl(r.data().get().get(1))).getRGB(700, 500),
                "the stored image is the one inline");
        assertTrue(r.usage().orElseThrow().outputTokens() > 0);
        assertEquals(ImagesResponse.OutputFormat.PNG, r.outputFormat().orElseThrow());
    }

    @Test
    void aDallEGenerationAnswersAUrlAsOpenAiDoes() {
        ImagesResponse r = client().images().generate(ImageGenerateParams.builder().prompt("a lighthouse")
                .model(ImageModel.DALL_E_3).size(ImageGenerateParams.Size._1792X1024).build());

        assertTrue(r.data().orElseThrow().get(0).b64Json().isEmpty(), "no inline image unless asked for");
        assertEquals(1792, open(r.data().get().get(0).url().orElseThrow()).getWidth());
    }

    @Test
    void editWithTwoImagesAndAMask() {
        ImagesResponse r = client().images().edit(ImageEditParams.builder()
                .image(ImageEditParams.Image.ofInputStreams(List.of(
                        new java.io.ByteArrayInputStream(TestImages.png(1024, 1024, Color.RED)),
                        new java.io.ByteArrayInputStream(TestImages.png(1024, 1024, Color.BLUE)))))
                .mask(new java.io.ByteArrayInputStream(TestImages.pngWithAlpha(1024, 1024, true)))
                .prompt("put the blue one on the left").model(ImageModel.GPT_IMAGE_1).build());

        BufferedImage image = decode(r.data().orElseThrow().get(0).b64Json().orElseThrow());
        assertEquals(1024, image.getWidth());
        // right half outside the mask: still the first image's red
        assertEquals(Color.RED.getRGB(), image.getRGB(800, 512));
        assertTrue(r.usage().orElseThrow().inputTokensDetails().imageTokens() > 0, "both images were counted");
        assertEquals(Color.RED.getRGB(), open(storedUrl(r.data().get().get(0))).getRGB(800, 512), "and stored");
    }

    @Test
    void createVariation() {
        ImagesResponse r = client().images().createVariation(ImageCreateVariationParams.builder()
                .image(TestImages.png(64, 64, Color.GREEN)).n(2).size(ImageCreateVariationParams.Size._256X256)
                .build());

        List<String> urls = r.data().orElseThrow().stream().map(i -> i.url().orElseThrow()).toList();
        assertEquals(2, urls.size());
        assertEquals(256, open(urls.get(0)).getWidth());
    }

    @Test
    void generateStreamingDeliversPartialsThenTheStoredImage() {
        List<ImageGenStreamEvent> events;
        try (StreamResponse<ImageGenStreamEvent> stream = client().images().generateStreaming(
                ImageGenerateParams.builder().prompt("a fox").model(ImageModel.GPT_IMAGE_1)
                        .size(ImageGenerateParams.Size._1024X1024).partialImages(2).build())) {
            events = stream.stream().collect(Collectors.toList());
        }

        assertEquals(3, events.size());
        assertEquals(0, events.get(0).asGenerationPartialImage().partialImageIndex());
        assertEquals(1, events.get(1).asGenerationPartialImage().partialImageIndex());
        var completed = events.get(2).asGenerationCompleted();
        assertTrue(completed.usage().totalTokens() > 0);
        String url = completed._additionalProperties().get("stored_url").convert(String.class);
        BufferedImage image = open(url);
        assertEquals(1024, image.getWidth());
        assertEquals(TestImages.decode(java.util.Base64.getDecoder().decode(completed.b64Json())).getRGB(10, 10),
                image.getRGB(10, 10), "the stored image is the streamed one");
    }

    @Test
    void editStreamingDeliversPartialsThenTheStoredImage() {
        List<ImageEditStreamEvent> events;
        try (StreamResponse<ImageEditStreamEvent> stream = client().images().editStreaming(ImageEditParams.builder()
                .image(TestImages.png(128, 128, Color.ORANGE)).prompt("add a hat").model(ImageModel.GPT_IMAGE_1)
                .partialImages(1).build())) {
            events = stream.stream().collect(Collectors.toList());
        }

        assertEquals(2, events.size());
        assertTrue(events.get(0).isPartialImage());
        assertTrue(events.get(1).isCompleted());
        String url = events.get(1).asCompleted()._additionalProperties().get("stored_url").convert(String.class);
        // no size asked: the supported size nearest the input's shape, as the GPT image models answer
        assertEquals(1024, open(url).getWidth());
    }

    @Test
    void theSdkListsAndRetrievesTheImageModels() {
        List<String> ids = client().models().list().data().stream().map(com.openai.models.models.Model::id).toList();

        assertTrue(ids.containsAll(List.of("gpt-image-1", "gpt-image-1.5", "gpt-image-2", "dall-e-2", "dall-e-3")),
                ids.toString());
        assertEquals(io.imagefn.images.ImageModel.KNOWN.size(), ids.size());
        var model = client().models().retrieve("gpt-image-1");
        assertEquals("gpt-image-1", model.id());
        assertEquals("openai", model.ownedBy());
        var e = org.junit.jupiter.api.Assertions.assertThrows(com.openai.errors.NotFoundException.class,
                () -> client().models().retrieve("gpt-4o"));
        assertEquals("model_not_found", e.code().orElseThrow());
    }

    @Test
    void badInputSurfacesAsTheSdksBadRequestException() {
        var e = org.junit.jupiter.api.Assertions.assertThrows(com.openai.errors.BadRequestException.class,
                () -> client().images().generate(ImageGenerateParams.builder().prompt("x").model(ImageModel.DALL_E_3)
                        .n(2).build()));
        assertEquals(400, e.statusCode());
        assertEquals("n", e.param().orElseThrow());
        assertEquals("invalid_request_error", e.type().orElseThrow());
    }

    /**
     * What a client built on openai-java's {@code Image} model sees, read the way Spring AI 2.0.1's
     * {@code OpenAiImageModel} does (its {@code call} lambda, decompiled): {@code url} if present, and then no bytes;
     * otherwise {@code b64_json}.
     */
    private record SpringAiImage(String url, String b64Json) {
        static SpringAiImage of(com.openai.models.images.Image image) {
            return image.url().isPresent() ? new SpringAiImage(image.url().get(), null)
                    : new SpringAiImage(null, image.b64Json().orElse(null));
        }
    }

    /** Asked for bytes (GPT's default, or b64_json for any model): Spring AI finds them; asked for a link: the link. */
    @org.junit.jupiter.params.ParameterizedTest
    @org.junit.jupiter.params.provider.CsvSource({ "gpt-image-1,,true", "gpt-image-1,url,false",
            "dall-e-2,b64_json,true", "dall-e-3,,false" })
    void aClientThatReadsUrlFirstGetsWhatItAskedFor(String model, String format, boolean bytes) {
        ImageGenerateParams.Builder params = ImageGenerateParams.builder().prompt("a lighthouse").model(model)
                .size(model.equals("dall-e-2") ? ImageGenerateParams.Size._256X256 : ImageGenerateParams.Size._1024X1024);
        if (format != null) {
            params.responseFormat(ImageGenerateParams.ResponseFormat.of(format));
        }

        SpringAiImage image = SpringAiImage.of(client().images().generate(params.build()).data().orElseThrow().get(0));

        org.junit.jupiter.api.Assertions.assertNotNull(bytes ? image.b64Json() : image.url(),
                "a client that reads url first finds what it asked for: " + image);
        BufferedImage got = bytes ? decode(image.b64Json()) : open(image.url());
        assertEquals(model.equals("dall-e-2") ? 256 : 1024, got.getWidth(), image.toString());
        if (bytes) {
            assertEquals(null, image.url(), "an image answered inline carries no url");
        } else {
            assertEquals(null, image.b64Json());
        }
    }
}
