package io.imagefn;

import io.quarkus.test.junit.QuarkusIntegrationTest;

/** {@link OpenAiSdkTest} against the packaged application (the jar here; the native executable where it is built). */
@QuarkusIntegrationTest
class OpenAiSdkIT extends OpenAiSdkTest {
}
