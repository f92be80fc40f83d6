package io.imagefn;

import io.quarkus.test.junit.QuarkusIntegrationTest;

/** {@link BadInputTest} against the packaged application (the jar here; the native executable where it is built). */
@QuarkusIntegrationTest
class BadInputIT extends BadInputTest {
}
