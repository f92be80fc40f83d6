package io.imagefn.lambda;

import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.TestProfile;

/** The Lambda artifact deployed with QUARKUS_FUNQY_EXPORT=generate. */
@QuarkusTest
@TestProfile(LambdaGenerateTest.Profile.class)
class LambdaGenerateTest extends LambdaInvoke {

    public static class Profile extends Export {
        public Profile() {
            super("generate");
        }
    }

    @Override
    String path() {
        return "/v1/images/generations";
    }

    @Override
    String goodEvent() {
        return "{\"prompt\":\"a lighthouse\",\"model\":\"dall-e-2\",\"size\":\"256x256\"}";
    }

    @Override
    String badEvent() {
        return "{\"prompt\":\"x\",\"model\":\"dall-e-3\",\"n\":2}";
    }

    @Override
    String badParam() {
        return "n";
    }
}
