package io.imagefn;

import static com.github.tomakehurst.wiremock.client.WireMock.anyRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.anyUrl;
import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.equalTo;

import java.awt.Color;
import java.util.ArrayList;
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
 * A request the Images API would refuse is refused before any money is spent, on every door: the function paths, /v1,
 * and /v1 with {@code stream: true}. The upstream is a recording WireMock with no stubs: a request that slipped through
 * would show as a call there (and no upstream refusal stands in for imagefn's own).
 */
@QuarkusTest
@TestProfile(UpstreamProfile.class)
class RefusalsCostNothingTest {

    @InjectWireMock
    WireMockServer upstream;

    @BeforeEach
    void reset() {
        upstream.resetAll();
    }

    private static final String IMAGE = TestImages.dataUrl("image/png", TestImages.png(64, 64, Color.RED));

    /** name, operation, the invalid fields, the param the refusal names. */
    static Stream<Arguments> invalid() {
        List<Arguments> cases = new ArrayList<>();
        for (boolean stream : new boolean[] { false, true }) {
            String gpt = "gpt-image-1";
            cases.add(Arguments.of("generate", Map.of("model", "dall-e-3", "n", 3), "n", stream));
            cases.add(Arguments.of("generate", Map.of("model", gpt, "quality", "ultra"), "quality", stream));
            cases.add(Arguments.of("generate", Map.of("model", gpt, "size", "999x999"), "size", stream));
            cases.add(Arguments.of("generate", Map.of("model", gpt, "partial_images", 4), "partial_images", stream));
            cases.add(Arguments.of("generate", Map.of("model", gpt, "style", "vivid"), "style", stream));
            cases.add(Arguments.of("generate", Map.of("model", "dall-e-2", "prompt", "p".repeat(1001)), "prompt",
                    stream));
            cases.add(Arguments.of("generate", Map.of("model", gpt, "output_compression", 101, "output_format",
                    "jpeg"), "output_compression", stream));
            cases.add(Arguments.of("edit", Map.of("model", gpt, "n", 11), "n", stream));
            cases.add(Arguments.of("edit", Map.of("model", gpt, "input_fidelity", "medium"), "input_fidelity",
                    stream));
            cases.add(Arguments.of("edit", Map.of("model", "gpt-image-1-mini", "input_fidelity", "high"),
                    "input_fidelity", stream));
        }
        // a DALL·E model cannot stream at all: its stream cases are refused for that first
        cases.removeIf(c -> (Boolean) c.get()[3] && String.valueOf(((Map<?, ?>) c.get()[1]).get("model"))
                .startsWith("dall-e"));
        cases.add(Arguments.of("generate", Map.of("model", "gpt-image-1", "n", 11), "n", true));
        cases.add(Arguments.of("generate", Map.of("model", "gpt-image-1", "prompt", "p".repeat(32001)), "prompt", true));
        cases.add(Arguments.of("generate", Map.of("model", "dall-e-3"), "stream", true));
        return cases.stream();
    }

    private static Map<String, Object> body(String operation, Map<String, Object> invalid, boolean stream) {
        Map<String, Object> body = new HashMap<>(Map.of("prompt", "a lighthouse"));
        if (operation.equals("edit")) {
            body.put("images", List.of(Map.of("image_url", IMAGE)));
        }
        body.putAll(invalid);
        if (stream) {
            body.put("stream", true);
        }
        return body;
    }

    @ParameterizedTest(name = "{0} {1} stream={3}")
    @MethodSource("invalid")
    void isRefusedOnEveryDoorWithoutAnUpstreamCall(String operation, Map<String, Object> invalid, String param,
            boolean stream) {
        List<String> doors = new ArrayList<>(List.of(operation.equals("edit") ? "/v1/images/edits"
                : "/v1/images/generations"));
        if (!stream) {
            doors.add("/" + operation);
        }
        for (String door : doors) {
            given().contentType("application/json").body(body(operation, invalid, stream)).when().post(door)
                    .then().statusCode(400).contentType("application/json")
                    .body("error.type", equalTo("invalid_request_error"))
                    .body("error.param", equalTo(param));
        }
        upstream.verify(0, anyRequestedFor(anyUrl()));
    }
}
