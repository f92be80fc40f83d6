package io.imagefn;

import io.quarkus.test.junit.QuarkusIntegrationTest;

/** {@link ImageChainingTest} against the packaged application (the jar here; the native executable where it is built). */
@QuarkusIntegrationTest
class ImageChainingIT extends ImageChainingTest {
}
