package io.imagefn;

import io.quarkus.test.junit.QuarkusIntegrationTest;

/** {@link V1SurfaceTest} against the packaged application (the jar here; the native executable where it is built). */
@QuarkusIntegrationTest
class V1SurfaceIT extends V1SurfaceTest {
}
