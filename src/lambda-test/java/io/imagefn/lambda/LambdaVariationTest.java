package io.imagefn.lambda;

import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.TestProfile;

/** The Lambda artifact deployed with QUARKUS_FUNQY_EXPORT=variation. */
@QuarkusTest
@TestProfile(LambdaVariationTest.Profile.class)
class LambdaVariationTest extends LambdaInvoke {

    public static class Profile extends Export {
        public Profile() {
            super("variation");
        }
    }

    @Override
    String path() {
        return "/v1/images/variations";
    }

    @Override
    String goodEvent() {
        return "{\"image\":{\"image_url\":\"" + SQUARE + "\"},\"size\":\"256x256\"}";
    }

    @Override
    String badEvent() {
        return "{\"image\":{\"image_url\":\"" + SQUARE + "\"},\"n\":11}";
    }

    @Override
    String badParam() {
        return "n";
    }
}
