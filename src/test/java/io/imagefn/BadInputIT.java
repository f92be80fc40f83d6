package io.imagefn;

import io.imagefn.support.UpstreamProfile;
import io.quarkus.test.junit.QuarkusIntegrationTest;
import io.quarkus.test.junit.TestProfile;

/** {@link BadInputTest} against the packaged application (the jar here; the native executable where it is built). */
@QuarkusIntegrationTest
@TestProfile(UpstreamProfile.class)
class BadInputIT extends BadInputTest {
}
