package io.imagefn.support;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.any;
import static com.github.tomakehurst.wiremock.client.WireMock.anyUrl;
import static com.github.tomakehurst.wiremock.core.WireMockConfiguration.wireMockConfig;

import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;

import com.github.tomakehurst.wiremock.WireMockServer;
import com.github.tomakehurst.wiremock.extension.Parameters;
import com.github.tomakehurst.wiremock.extension.ServeEventListener;
import com.github.tomakehurst.wiremock.http.Request;
import com.github.tomakehurst.wiremock.stubbing.ServeEvent;

/**
 * A bucket whose conditional writes are atomic, as AWS S3's are: S3Proxy (SigV4 checked) behind a front that lets one
 * conditional write ({@code If-Match} / {@code If-None-Match} on PUT or DELETE) per object through at a time and
 * passes everything else straight on. S3Proxy alone checks those conditions and then writes, without a lock
 * ({@code AtomicS3Test} races it), so two instances sharing it could both win a compare-and-set: a test of a limit
 * that must hold across instances would then prove nothing. {@code AtomicS3Test} holds this pair to S3's promise with
 * racing writes.
 */
public final class AtomicS3 implements AutoCloseable {

    private final S3ProxyStorage store = new S3ProxyStorage();
    private final WireMockServer front;
    private final Map<String, String> config;

    private AtomicS3() {
        Map<String, String> inner = store.start();
        front = new WireMockServer(wireMockConfig().dynamicPort().bindAddress("127.0.0.1").preserveHostHeader(true)
                .containerThreads(96).extensions(new OneConditionalWriteAtATime()));
        front.start();
        front.stubFor(any(anyUrl()).willReturn(aResponse().proxiedFrom(inner.get("imagefn.s3.endpoint"))));
        Map<String, String> c = new HashMap<>(inner);
        // the SDK's calls go through the front; signed URLs name the store itself, as a public name would
        c.put("imagefn.s3.public-endpoint", inner.get("imagefn.s3.endpoint"));
        c.put("imagefn.s3.endpoint", front.baseUrl());
        this.config = Map.copyOf(c);
    }

    public static AtomicS3 start() {
        return new AtomicS3();
    }

    /** How imagefn is pointed at it: the {@code imagefn.s3.*} settings. */
    public Map<String, String> config() {
        return config;
    }

    /** The same settings as JVM options, for a packaged instance. */
    public java.util.List<String> jvmOptions() {
        return config.entrySet().stream().map(e -> "-D" + e.getKey() + "=" + e.getValue()).sorted().toList();
    }

    /** S3Proxy itself, without the front: what {@code AtomicS3Test} shows is not atomic alone. */
    public String bareEndpoint() {
        return config.get("imagefn.s3.public-endpoint");
    }

    @Override
    public void close() {
        front.stop();
        store.stop();
    }

    /** One conditional write per object at a time, from before the request is matched until its answer is in. */
    static final class OneConditionalWriteAtATime implements ServeEventListener {

        private final Map<String, Semaphore> objects = new ConcurrentHashMap<>();
        private final Map<java.util.UUID, Semaphore> held = new ConcurrentHashMap<>();

        @Override
        public String getName() {
            return "one-conditional-write-at-a-time";
        }

        @Override
        public boolean applyGlobally() {
            return true;
        }

        @Override
        public void beforeMatch(ServeEvent event, Parameters parameters) {
            Request r = event.getRequest();
            boolean conditional = (r.getMethod().value().equals("PUT") || r.getMethod().value().equals("DELETE"))
                    && (r.containsHeader("If-Match") || r.containsHeader("If-None-Match"));
            if (!conditional) {
                return;
            }
            String object = r.getUrl().split("\\?", 2)[0];
            Semaphore s = objects.computeIfAbsent(object, o -> new Semaphore(1));
            try {
                // never forever: a lost release must not hang a test (it would then see two winners, and fail)
                if (s.tryAcquire(60, TimeUnit.SECONDS)) {
                    held.put(event.getId(), s);
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }

        @Override
        public void beforeResponseSent(ServeEvent event, Parameters parameters) {
            release(event);
        }

        @Override
        public void afterComplete(ServeEvent event, Parameters parameters) {
            release(event);
        }

        private void release(ServeEvent event) {
            Semaphore s = held.remove(event.getId());
            if (s != null) {
                s.release();
            }
        }
    }
}
