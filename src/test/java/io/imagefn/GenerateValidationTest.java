package io.imagefn;

import static com.github.tomakehurst.wiremock.client.WireMock.postRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.urlEqualTo;
import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.not;
import static org.hamcrest.Matchers.nullValue;

import java.util.stream.Stream;

import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

import com.github.tomakehurst.wiremock.WireMockServer;

import io.imagefn.support.InjectWireMock;
import io.imagefn.support.UpstreamProfile;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.TestProfile;

/** Every Images API rule of spec §2: a 400 in the OpenAI error shape naming the field, and no upstream call. */
@QuarkusTest
@TestProfile(UpstreamProfile.class)
class GenerateValidationTest {

    @InjectWireMock
    WireMockServer upstream;

    @BeforeEach
    void resetUpstream() {
        upstream.resetAll();
    }

    static Stream<Arguments> violations() {
        String p1001 = "a".repeat(1001);
        String p4001 = "a".repeat(4001);
        String p32001 = "a".repeat(32001);
        return Stream.of(
                Arguments.of("missing prompt", "{\"model\":\"dall-e-2\"}", "prompt"),
                Arguments.of("null prompt", "{\"prompt\":null}", "prompt"),
                Arguments.of("empty prompt", "{\"prompt\":\"\"}", "prompt"),
                Arguments.of("prompt not a string", "{\"prompt\":42}", "prompt"),
                Arguments.of("dall-e-2 prompt over 1000", "{\"prompt\":\"" + p1001 + "\"}", "prompt"),
                Arguments.of("dall-e-3 prompt over 4000", "{\"model\":\"dall-e-3\",\"prompt\":\"" + p4001 + "\"}", "prompt"),
                Arguments.of("gpt prompt over 32000", "{\"model\":\"gpt-image-1\",\"prompt\":\"" + p32001 + "\"}", "prompt"),
                Arguments.of("unknown model", "{\"prompt\":\"x\",\"model\":\"dall-e-9\"}", "model"),
                Arguments.of("model not a string", "{\"prompt\":\"x\",\"model\":[\"dall-e-2\"]}", "model"),
                Arguments.of("n zero", "{\"prompt\":\"x\",\"n\":0}", "n"),
                Arguments.of("n negative", "{\"prompt\":\"x\",\"n\":-3}", "n"),
                Arguments.of("n over 10", "{\"prompt\":\"x\",\"n\":11}", "n"),
                Arguments.of("n huge", "{\"prompt\":\"x\",\"n\":99999999999999999999}", "n"),
                Arguments.of("n fractional", "{\"prompt\":\"x\",\"n\":1.5}", "n"),
                Arguments.of("n as string", "{\"prompt\":\"x\",\"n\":\"2\"}", "n"),
                Arguments.of("dall-e-3 n=2", "{\"prompt\":\"x\",\"model\":\"dall-e-3\",\"n\":2}", "n"),
                Arguments.of("dall-e-2 gpt size", "{\"prompt\":\"x\",\"model\":\"dall-e-2\",\"size\":\"1536x1024\"}", "size"),
                Arguments.of("dall-e-2 auto size", "{\"prompt\":\"x\",\"model\":\"dall-e-2\",\"size\":\"auto\"}", "size"),
                Arguments.of("dall-e-3 small size", "{\"prompt\":\"x\",\"model\":\"dall-e-3\",\"size\":\"256x256\"}", "size"),
                Arguments.of("gpt-image-1 dall-e size", "{\"prompt\":\"x\",\"model\":\"gpt-image-1\",\"size\":\"512x512\"}", "size"),
                Arguments.of("gpt-image-1 free-form size", "{\"prompt\":\"x\",\"model\":\"gpt-image-1\",\"size\":\"2048x1152\"}", "size"),
                Arguments.of("gpt-image-2 not multiple of 16", "{\"prompt\":\"x\",\"model\":\"gpt-image-2\",\"size\":\"1000x1000\"}", "size"),
                Arguments.of("gpt-image-2 ratio over 3:1", "{\"prompt\":\"x\",\"model\":\"gpt-image-2\",\"size\":\"3200x1024\"}", "size"),
                Arguments.of("gpt-image-2 over 3840x2160", "{\"prompt\":\"x\",\"model\":\"gpt-image-2\",\"size\":\"3840x2176\"}", "size"),
                Arguments.of("gpt-image-2 garbage size", "{\"prompt\":\"x\",\"model\":\"gpt-image-2\",\"size\":\"big\"}", "size"),
                Arguments.of("gpt quality hd", "{\"prompt\":\"x\",\"model\":\"gpt-image-1\",\"quality\":\"hd\"}", "quality"),
                Arguments.of("dall-e-3 quality low", "{\"prompt\":\"x\",\"model\":\"dall-e-3\",\"quality\":\"low\"}", "quality"),
                Arguments.of("dall-e-2 quality hd", "{\"prompt\":\"x\",\"model\":\"dall-e-2\",\"quality\":\"hd\"}", "quality"),
                Arguments.of("style with gpt", "{\"prompt\":\"x\",\"model\":\"gpt-image-1\",\"style\":\"vivid\"}", "style"),
                Arguments.of("style with dall-e-2", "{\"prompt\":\"x\",\"model\":\"dall-e-2\",\"style\":\"natural\"}", "style"),
                Arguments.of("unknown style", "{\"prompt\":\"x\",\"model\":\"dall-e-3\",\"style\":\"bold\"}", "style"),
                Arguments.of("unknown response_format", "{\"prompt\":\"x\",\"response_format\":\"png\"}", "response_format"),
                Arguments.of("background with dall-e-2", "{\"prompt\":\"x\",\"model\":\"dall-e-2\",\"background\":\"opaque\"}", "background"),
                Arguments.of("output_format with dall-e-3", "{\"prompt\":\"x\",\"model\":\"dall-e-3\",\"output_format\":\"png\"}", "output_format"),
                Arguments.of("output_compression with dall-e-2", "{\"prompt\":\"x\",\"model\":\"dall-e-2\",\"output_compression\":50}", "output_compression"),
                Arguments.of("moderation with dall-e-3", "{\"prompt\":\"x\",\"model\":\"dall-e-3\",\"moderation\":\"low\"}", "moderation"),
                Arguments.of("stream with dall-e-2", "{\"prompt\":\"x\",\"model\":\"dall-e-2\",\"stream\":true}", "stream"),
                Arguments.of("partial_images with dall-e-2", "{\"prompt\":\"x\",\"model\":\"dall-e-2\",\"partial_images\":1}", "partial_images"),
                Arguments.of("transparent needs png or webp", "{\"prompt\":\"x\",\"model\":\"gpt-image-1\",\"background\":\"transparent\",\"output_format\":\"jpeg\"}", "background"),
                Arguments.of("compression with png", "{\"prompt\":\"x\",\"model\":\"gpt-image-1\",\"output_format\":\"png\",\"output_compression\":80}", "output_compression"),
                Arguments.of("compression with default png", "{\"prompt\":\"x\",\"model\":\"gpt-image-1\",\"output_compression\":80}", "output_compression"),
                Arguments.of("compression over 100", "{\"prompt\":\"x\",\"model\":\"gpt-image-1\",\"output_format\":\"jpeg\",\"output_compression\":101}", "output_compression"),
                Arguments.of("unknown output_format", "{\"prompt\":\"x\",\"model\":\"gpt-image-1\",\"output_format\":\"gif\"}", "output_format"),
                Arguments.of("unknown background", "{\"prompt\":\"x\",\"model\":\"gpt-image-1\",\"background\":\"white\"}", "background"),
                Arguments.of("unknown moderation", "{\"prompt\":\"x\",\"model\":\"gpt-image-1\",\"moderation\":\"high\"}", "moderation"),
                Arguments.of("partial_images over 3", "{\"prompt\":\"x\",\"model\":\"gpt-image-1\",\"partial_images\":4}", "partial_images"),
                Arguments.of("stream not a boolean", "{\"prompt\":\"x\",\"model\":\"gpt-image-1\",\"stream\":\"yes\"}", "stream"),
                Arguments.of("stream on the function", "{\"prompt\":\"x\",\"model\":\"gpt-image-1\",\"stream\":true}", "stream"),
                Arguments.of("user not a string", "{\"prompt\":\"x\",\"user\":7}", "user"),
                Arguments.of("unknown field", "{\"prompt\":\"x\",\"colour\":\"red\"}", "colour"));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("violations")
    void rejectsWith400NamingTheParamAndNoUpstreamCall(String rule, String body, String param) {
        given().contentType("application/json").body(body)
                .when().post("/generate")
                .then().statusCode(400)
                .contentType(containsString("application/json"))
                .body("error.type", equalTo("invalid_request_error"))
                .body("error.param", equalTo(param))
                .body("error.message", not(containsString("Exception")))
                .body("error.code", not(nullValue()));
        upstream.verify(0, postRequestedFor(urlEqualTo("/v1/images/generations")));
    }

    @Test
    void malformedJsonIsA400InTheErrorShape() {
        given().contentType("application/json").body("{\"prompt\": ")
                .when().post("/generate")
                .then().statusCode(400)
                .body("error.type", equalTo("invalid_request_error"))
                .body("error.code", equalTo("invalid_json"))
                .body("error.param", nullValue());
        upstream.verify(0, postRequestedFor(urlEqualTo("/v1/images/generations")));
    }

    @Test
    void emptyBodyIsMissingPrompt() {
        given().contentType("application/json")
                .when().post("/generate")
                .then().statusCode(400)
                .body("error.param", equalTo("prompt"))
                .body("error.code", equalTo("missing_required_parameter"));
        upstream.verify(0, postRequestedFor(urlEqualTo("/v1/images/generations")));
    }
}
