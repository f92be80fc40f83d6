package io.imagefn.lambda;

import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.TestProfile;

/** The Lambda artifact deployed with QUARKUS_FUNQY_EXPORT=edit. */
@QuarkusTest
@TestProfile(LambdaEditTest.Profile.class)
class LambdaEditTest extends LambdaInvoke {

    public static class Profile extends Export {
        public Profile() {
            super("edit");
        }
    }

    @Override
    String path() {
        return "/v1/images/edits";
    }

    @Override
    String goodEvent() {
        return "{\"prompt\":\"add a moon\",\"model\":\"gpt-image-1\",\"images\":[{\"image_url\":\"" + SQUARE
                + "\"}]}";
    }

    @Override
    String badEvent() {
        return "{\"prompt\":\"x\",\"model\":\"gpt-image-1\"}";
    }

    @Override
    String badParam() {
        return "images";
    }
}
