package io.imagefn.support;

import java.util.HashMap;
import java.util.Map;

/**
 * Jobs against the WireMock upstream and S3Proxy: two API keys (a job is its creator's), one job at a time (so a
 * second one is seen {@code queued}), a short lease, two webhook signing secrets (a rotation), webhooks allowed to the
 * tests' loopback receiver over plain http, and retries seconds apart.
 */
public class JobsProfile extends UpstreamProfile {

    public static final String KEY_A = "imagefn-jobs-key-a";
    public static final String KEY_B = "imagefn-jobs-key-b";
    /** Two secrets, as during a rotation: whsec_ and base64 of 32 bytes each. */
    public static final String SECRET_OLD = "whsec_AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8=";
    public static final String SECRET_NEW = "whsec_ICEiIyQlJicoKSorLC0uLzAxMjM0NTY3ODk6Ozw9Pj8=";

    @Override
    public Map<String, String> getConfigOverrides() {
        Map<String, String> overrides = new HashMap<>(super.getConfigOverrides());
        overrides.put("imagefn.api-keys", KEY_A + "," + KEY_B);
        overrides.put("imagefn.jobs.max-concurrent", "1");
        overrides.put("imagefn.jobs.lease", "3s");
        overrides.put("imagefn.webhook.secret", SECRET_OLD + "," + SECRET_NEW);
        overrides.put("imagefn.webhook.allow-http", "true");
        overrides.put("imagefn.webhook.allow-private-addresses", "true");
        overrides.put("imagefn.webhook.initial-delay", "200ms");
        overrides.put("imagefn.webhook.max-delay", "1s");
        overrides.put("imagefn.webhook.max-attempts", "4");
        return overrides;
    }
}
