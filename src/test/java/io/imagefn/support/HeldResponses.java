package io.imagefn.support;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

import com.github.tomakehurst.wiremock.extension.Parameters;
import com.github.tomakehurst.wiremock.extension.ResponseTransformerV2;
import com.github.tomakehurst.wiremock.http.Response;
import com.github.tomakehurst.wiremock.stubbing.ServeEvent;

/**
 * A WireMock response the test holds back until it releases it: the slow side of a timeout or a bulkhead test is then
 * controlled by the test, not raced against a fixed delay on a machine of unknown load. A stub opts in with
 * {@code .withTransformers(HeldResponses.NAME).withTransformerParameter("gate", name)}; {@link #hold} closes a gate,
 * {@link #release} opens it (a response held over five minutes goes out anyway, so a failed test cannot hang).
 */
public final class HeldResponses implements ResponseTransformerV2 {

    public static final String NAME = "held";
    private static final Map<String, CountDownLatch> GATES = new ConcurrentHashMap<>();

    /** Responses through {@code gate} wait from now until it is released. */
    public static void hold(String gate) {
        GATES.put(gate, new CountDownLatch(1));
    }

    public static void release(String gate) {
        CountDownLatch latch = GATES.remove(gate);
        if (latch != null) {
            latch.countDown();
        }
    }

    @Override
    public Response transform(Response response, ServeEvent serveEvent) {
        Parameters parameters = serveEvent.getTransformerParameters();
        CountDownLatch latch = parameters == null ? null : GATES.get(parameters.getString("gate", ""));
        if (latch != null) {
            try {
                latch.await(5, TimeUnit.MINUTES);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        return response;
    }

    @Override
    public boolean applyGlobally() {
        return false;
    }

    @Override
    public String getName() {
        return NAME;
    }
}
