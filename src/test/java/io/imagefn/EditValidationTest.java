package io.imagefn;

import static com.github.tomakehurst.wiremock.client.WireMock.anyRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.anyUrl;
import static io.imagefn.support.TestImages.dataUrl;
import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.equalTo;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.awt.Color;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

import com.github.tomakehurst.wiremock.WireMockServer;

import io.imagefn.support.InjectWireMock;
import io.imagefn.support.TestImages;
import io.imagefn.support.UpstreamProfile;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.TestProfile;

/**
 * Spec §3 and §4 on the bytes, not on declared types, and the remote-URL guard: each bad input is a 4xx naming its
 * param, and the upstream is never called.
 */
@QuarkusTest
@TestProfile(UpstreamProfile.class)
class EditValidationTest {

    private static final String PNG = dataUrl("image/png", TestImages.png(64, 64, Color.RED));
    private static final String MASK = dataUrl("image/png", TestImages.pngWithAlpha(64, 64, true));

    @InjectWireMock
    WireMockServer upstream;

    @BeforeEach
    void resetUpstream() {
        upstream.resetAll();
    }

    private static Map<String, Object> url(String url) {
        return Map.of("image_url", url);
    }

    private static Map<String, Object> edit(Object... extra) {
        Map<String, Object> body = new HashMap<>(Map.of("prompt", "add a boat", "images", List.of(url(PNG))));
        for (int i = 0; i < extra.length; i += 2) {
            body.put((String) extra[i], extra[i + 1]);
        }
        return body;
    }

    private static Map<String, Object> variation(Object... extra) {
        Map<String, Object> body = new HashMap<>(Map.of("image", url(PNG)));
        for (int i = 0; i < extra.length; i += 2) {
            body.put((String) extra[i], extra[i + 1]);
        }
        return body;
    }

    static Stream<Arguments> editViolations() {
        List<Object> seventeen = new ArrayList<>(Collections.nCopies(17, url(PNG)));
        Map<String, Object> both = new HashMap<>(url(PNG));
        both.put("file_id", "img_aaaaaaaaaaaaaaaaaaaaaaaaaa");
        return Stream.of(
                Arguments.of("missing images", Map.of("prompt", "x"), 400, "images"),
                Arguments.of("images not an array", edit("images", url(PNG)), 400, "images"),
                Arguments.of("empty images", edit("images", List.of()), 400, "images"),
                Arguments.of("17 images", edit("images", seventeen), 400, "images"),
                Arguments.of("missing prompt", Map.of("images", List.of(url(PNG))), 400, "prompt"),
                Arguments.of("unknown field", edit("style", "vivid"), 400, "style"),
                Arguments.of("dall-e-3 cannot edit", edit("model", "dall-e-3"), 400, "model"),
                Arguments.of("dall-e-2 prompt over 1000", edit("model", "dall-e-2", "prompt", "a".repeat(1001)), 400, "prompt"),
                Arguments.of("dall-e-2 takes one image", edit("model", "dall-e-2", "images", List.of(url(PNG), url(PNG))), 400, "images"),
                Arguments.of("JPEG renamed .png for dall-e-2", edit("model", "dall-e-2", "images",
                        List.of(url(dataUrl("image/png", TestImages.jpeg(64, 64))))), 400, "images[0]"),
                Arguments.of("non-square PNG for dall-e-2", edit("model", "dall-e-2", "images",
                        List.of(url(dataUrl("image/png", TestImages.png(64, 32, Color.RED))))), 400, "images[0]"),
                Arguments.of("dall-e-2 PNG of 4 MB", edit("model", "dall-e-2", "images",
                        List.of(url(dataUrl("image/png", TestImages.paddedTo(TestImages.png(64, 64, Color.RED), 4 * 1024 * 1024))))), 400, "images[0]"),
                Arguments.of("header claiming 100000x100000", edit("images",
                        List.of(url(dataUrl("image/png", TestImages.pngClaiming(100_000, 100_000))))), 400, "images[0]"),
                Arguments.of("base64 that is not an image", edit("images",
                        List.of(url("data:image/png;base64," + TestImages.b64("hello, world".getBytes())))), 400, "images[0]"),
                Arguments.of("broken base64", edit("images", List.of(url(PNG), url("data:image/png;base64,@@@notbase64"))), 400, "images[1]"),
                Arguments.of("data URL not base64", edit("images", List.of(url("data:image/png,rawbytes"))), 400, "images[0]"),
                Arguments.of("URL resolving to 127.0.0.1", edit("images", List.of(url("https://127.0.0.1/cat.png"))), 400, "images[0]"),
                Arguments.of("URL to localhost", edit("images", List.of(url("https://localhost:8443/cat.png"))), 400, "images[0]"),
                Arguments.of("cloud metadata address", edit("images", List.of(url("https://169.254.169.254/latest/meta-data/"))), 400, "images[0]"),
                Arguments.of("private network", edit("images", List.of(url("https://10.1.2.3/cat.png"))), 400, "images[0]"),
                Arguments.of("plain http refused", edit("images", List.of(url("http://images.example.com/cat.png"))), 400, "images[0]"),
                Arguments.of("ftp refused", edit("images", List.of(url("ftp://images.example.com/cat.png"))), 400, "images[0]"),
                Arguments.of("both image_url and file_id", edit("images", List.of(both)), 400, "images[0]"),
                Arguments.of("neither image_url nor file_id", edit("images", List.of(Map.of())), 400, "images[0]"),
                Arguments.of("extra key in a reference", edit("images", List.of(Map.of("image_url", PNG, "detail", "high"))), 400, "images[0]"),
                Arguments.of("unknown file_id", edit("images", List.of(Map.of("file_id", "img_aaaaaaaaaaaaaaaaaaaaaaaaaa"))), 404, "images[0]"),
                Arguments.of("foreign file_id", edit("images", List.of(Map.of("file_id", "file-abc123"))), 404, "images[0]"),
                Arguments.of("mask without alpha", edit("mask", url(PNG)), 400, "mask"),
                Arguments.of("mask of other dimensions", edit("mask", url(dataUrl("image/png", TestImages.pngWithAlpha(32, 32, true)))), 400, "mask"),
                Arguments.of("mask that is a JPEG", edit("mask", url(dataUrl("image/png", TestImages.jpeg(64, 64)))), 400, "mask"),
                Arguments.of("input_fidelity with gpt-image-1-mini", edit("model", "gpt-image-1-mini", "input_fidelity", "high"), 400, "input_fidelity"),
                Arguments.of("input_fidelity with dall-e-2", edit("model", "dall-e-2", "input_fidelity", "low"), 400, "input_fidelity"),
                Arguments.of("unknown input_fidelity", edit("input_fidelity", "max"), 400, "input_fidelity"),
                Arguments.of("background with dall-e-2", edit("model", "dall-e-2", "background", "opaque"), 400, "background"),
                Arguments.of("moderation with dall-e-2", edit("model", "dall-e-2", "moderation", "low"), 400, "moderation"),
                Arguments.of("unknown moderation", edit("moderation", "strict"), 400, "moderation"),
                Arguments.of("stream on the function", edit("stream", true), 400, "stream"));
    }

    static Stream<Arguments> variationViolations() {
        return Stream.of(
                Arguments.of("missing image", Map.of("n", 1), 400, "image"),
                Arguments.of("GPT model", variation("model", "gpt-image-1"), 400, "model"),
                Arguments.of("non-square PNG", variation("image", url(dataUrl("image/png", TestImages.png(64, 48, Color.RED)))), 400, "image"),
                Arguments.of("JPEG", variation("image", url(dataUrl("image/png", TestImages.jpeg(64, 64)))), 400, "image"),
                Arguments.of("PNG of 4 MB", variation("image", url(dataUrl("image/png", TestImages.paddedTo(TestImages.png(64, 64, Color.RED), 4 * 1024 * 1024)))), 400, "image"),
                Arguments.of("GPT size", variation("size", "1536x1024"), 400, "size"),
                Arguments.of("auto size", variation("size", "auto"), 400, "size"),
                Arguments.of("n over 10", variation("n", 11), 400, "n"),
                Arguments.of("prompt is not a variation field", variation("prompt", "x"), 400, "prompt"),
                Arguments.of("URL to the metadata service", variation("image", url("https://169.254.169.254/")), 400, "image"));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("editViolations")
    void editRefusesWithTheParamAndNoUpstreamCall(String rule, Map<String, Object> body, int status, String param) {
        given().contentType("application/json").body(body)
                .when().post("/edit")
                .then().statusCode(status)
                .body("error.type", equalTo("invalid_request_error"))
                .body("error.param", equalTo(param));
        upstream.verify(0, anyRequestedFor(anyUrl()));
    }

    /**
     * URLs the address policy refuses, refused by the policy itself (its own reason in the message, not a failed
     * connection that also makes a 400); the tests' network stops any attempt to reach them regardless.
     */
    @ParameterizedTest(name = "{0}")
    @org.junit.jupiter.params.provider.CsvSource(delimiter = '|', value = {
            "https://127.0.0.1/cat.png | the host 127.0.0.1 resolves to a non-public address",
            "https://localhost:8443/cat.png | the host localhost resolves to a non-public address",
            "https://169.254.169.254/latest/meta-data/ | the host 169.254.169.254 resolves to a non-public address",
            "https://10.1.2.3/cat.png | the host 10.1.2.3 resolves to a non-public address",
            "https://[::1]/cat.png | resolves to a non-public address",
            "https://[64:ff9b::a9fe:a9fe]/x | resolves to a non-public address",
            "http://images.example.com/cat.png | only https URLs are fetched, not http",
            "ftp://images.example.com/cat.png | only https URLs are fetched, not ftp" })
    void aUrlThePolicyRefusesIsRefusedForItsReason(String imageUrl, String reason) {
        for (String[] call : new String[][] { { "/edit", "images" }, { "/variation", "image" } }) {
            Object ref = Map.of("image_url", imageUrl);
            Map<String, Object> body = call[1].equals("images") ? edit("images", List.of(ref))
                    : variation("image", ref);
            given().contentType("application/json").body(body).when().post(call[0])
                    .then().statusCode(400).body("error.code", equalTo("invalid_image_url"))
                    .body("error.message", org.hamcrest.Matchers.containsString(reason));
        }
        upstream.verify(0, anyRequestedFor(anyUrl()));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("variationViolations")
    void variationRefusesWithTheParamAndNoUpstreamCall(String rule, Map<String, Object> body, int status,
            String param) {
        given().contentType("application/json").body(body)
                .when().post("/variation")
                .then().statusCode(status)
                .body("error.type", equalTo("invalid_request_error"))
                .body("error.param", equalTo(param));
        upstream.verify(0, anyRequestedFor(anyUrl()));
    }

    /** The spec's data URL size (20,971,520 characters) is accepted, not refused by the JSON parser's own limit. */
    @org.junit.jupiter.api.Test
    void aDataUrlUpToTheDocumentedSizeIsAccepted() {
        upstream.stubFor(com.github.tomakehurst.wiremock.client.WireMock.post(
                com.github.tomakehurst.wiremock.client.WireMock.urlEqualTo("/v1/images/edits"))
                .willReturn(com.github.tomakehurst.wiremock.client.WireMock.aResponse().withStatus(200)
                        .withHeader("Content-Type", "application/json").withBody("{\"created\":1,\"data\":[{\"b64_json\":\""
                                + TestImages.b64(TestImages.png(16, 16, Color.RED)) + "\"}]}")));
        String url = dataUrl("image/png", TestImages.paddedTo(TestImages.png(64, 64, Color.RED), 15_300_222));
        assertEquals(20_400_318, url.length());

        given().contentType("application/json").body(Map.of("prompt", "add a hat", "model", "gpt-image-1",
                "images", List.of(Map.of("image_url", url))))
                .when().post("/edit")
                .then().statusCode(200);
    }

    @org.junit.jupiter.api.Test
    void aDataUrlOverTheDocumentedSizeIsRefusedByName() {
        String url = dataUrl("image/png", TestImages.paddedTo(TestImages.png(64, 64, Color.RED), 15_728_640));
        assertTrue(url.length() > 20_971_520);

        given().contentType("application/json").body(Map.of("prompt", "add a hat", "model", "gpt-image-1",
                "images", List.of(Map.of("image_url", url))))
                .when().post("/edit")
                .then().statusCode(400)
                .body("error.param", equalTo("images[0]"))
                .body("error.code", equalTo("string_above_max_length"));
        upstream.verify(0, anyRequestedFor(anyUrl()));
    }
}
