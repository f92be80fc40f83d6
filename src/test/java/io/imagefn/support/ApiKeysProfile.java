package io.imagefn.support;

import java.util.Map;

import io.quarkus.test.junit.QuarkusTestProfile;

/** The embedded defaults with caller API keys required. */
public class ApiKeysProfile implements QuarkusTestProfile {

    public static final String KEY = "imagefn-key-two";

    @Override
    public Map<String, String> getConfigOverrides() {
        return Map.of("imagefn.api-keys", "imagefn-key-one," + KEY);
    }
}
