package io.imagefn.support;

import java.util.ArrayList;
import java.util.List;
import java.util.Queue;

import org.junit.jupiter.api.extension.AfterEachCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * Fails any test during which a URL fetcher tried to leave loopback ({@link LoopbackOnlyNetwork}), even when the test
 * itself passed (a guard that regressed lets a request through to a refusal that merely looks right). Registered for
 * every test through src/test/resources/META-INF/services; quarkus-junit's junit-platform.properties turns JUnit's
 * extension auto-detection on.
 */
public class NoTrafficOffLoopback implements AfterEachCallback {

    @Override
    public void afterEach(ExtensionContext context) {
        Queue<String> violations = LoopbackOnlyNetwork.violations();
        List<String> seen = new ArrayList<>();
        for (String v = violations.poll(); v != null; v = violations.poll()) {
            seen.add(v);
        }
        if (!seen.isEmpty()) {
            throw new AssertionError("traffic off loopback was attempted in " + context.getDisplayName() + ": "
                    + seen);
        }
    }
}
