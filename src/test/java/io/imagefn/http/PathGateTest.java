package io.imagefn.http;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** Which paths every reader sees alike (plain JUnit; PathSpellingsTest sends them over sockets). */
class PathGateTest {

    @ParameterizedTest
    @ValueSource(strings = { "/", "/v1/images/generations", "/v1/images/generations/", "/generate", "/q/health/ready",
            "/v1/models/gpt-image-1.5", "/playground.js", "/a.b/c..d/.e" })
    void plainPathsPass(String path) {
        assertTrue(PathGate.canonical(path), path);
    }

    @ParameterizedTest
    @ValueSource(strings = { "", "v1/images", "/v1;x/images", "/v1/images;", "/v1/%67", "/v1\\images", "//v1",
            "/v1//images", "/v1/./images", "/v1/../v1", "/v1/.", "/v1/..", "/.", "/v1/ima ges", "/v1/imag\u00e9s",
            "/v1/\u0000", "/v1/images\t" })
    void spellingsReadersDisagreeOnAreRefused(String path) {
        assertFalse(PathGate.canonical(path), path);
    }
}
