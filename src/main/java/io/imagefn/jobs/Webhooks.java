package io.imagefn.jobs;

import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.net.URISyntaxException;
import java.net.UnknownHostException;
import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Supplier;

import jakarta.annotation.PreDestroy;
import jakarta.enterprise.context.ApplicationScoped;

import org.apache.hc.client5.http.classic.methods.HttpPost;
import org.apache.hc.client5.http.config.RequestConfig;
import org.apache.hc.client5.http.impl.classic.CloseableHttpClient;
import org.apache.hc.core5.http.ClassicHttpResponse;
import org.apache.hc.core5.http.ContentType;
import org.apache.hc.core5.http.Header;
import org.apache.hc.core5.http.io.entity.ByteArrayEntity;
import org.apache.hc.core5.util.Timeout;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.standardwebhooks.Webhook;

import io.imagefn.config.ImagefnConfig;
import io.imagefn.config.SecretValues;
import io.imagefn.images.ImagesApiException;
import io.imagefn.inputs.NetworkAccess;
import io.imagefn.inputs.RemoteImages;
import io.imagefn.observe.Redaction;
import io.imagefn.upstream.UpstreamException;
import io.quarkus.logging.Log;

/**
 * Jobs' webhooks, per Standard Webhooks v1: {@code webhook-id} (the same on every retry of an event),
 * {@code webhook-timestamp}, {@code webhook-signature} ({@code v1,<HMAC-SHA256>}, one per secret while rotating),
 * signed with the standard's own library. The body is {@code {type, timestamp, data: <job>}} with URLs only.
 *
 * <p>A webhook URL passes the input URLs' address policy when the job is submitted (https and a public address, unless
 * configured) and again at each attempt, on the connection's own resolver, so a name that later resolves elsewhere
 * (DNS rebinding) is refused. Redirects are not followed (a 3xx is a failed attempt). Every status but 2xx is
 * retried with exponential backoff and jitter, at least as long as a {@code Retry-After} asks, until
 * {@code imagefn.webhook.max-attempts} or {@code give-up-after}; 410 stops. Each attempt is recorded on the job.
 * Retries live in this process: polling stays the contract.
 *
 * <p>Each attempt has one deadline ({@code imagefn.webhook.timeout}) for all of it, and runs in its destination's
 * lane ({@link DeliveryLanes}): a receiver that hangs or trickles holds at most
 * {@code imagefn.webhook.max-per-destination} of the {@code max-concurrent} attempts, and only its own deliveries
 * wait behind it.
 */
@ApplicationScoped
public class Webhooks {

    public static final String COMPLETED = "image.job.completed";
    public static final String FAILED = "image.job.failed";
    public static final String CANCELLED = "image.job.cancelled";
    public static final String STARTED = "image.job.in_progress";
    public static final List<String> TERMINAL = List.of(COMPLETED, FAILED, CANCELLED);
    static final Set<String> EVENTS = Set.of(COMPLETED, FAILED, CANCELLED, STARTED);
    /** Receivers refuse large bodies; the standard asks for well under 20 KB. */
    static final int MAX_BODY = 20_000;
    /** How much of a receiver's answer is read (it is not used): enough for any acknowledgement. */
    static final int ANSWER_READ = 4096;

    private final ImagefnConfig.Webhook config;
    private final ImagefnConfig all;
    private final NetworkAccess network;
    private final ObjectMapper json;
    private final JobStore store;
    private final CloseableHttpClient http;
    /** Retries and attempt deadlines: never blocks, the attempts run in {@link #lanes}. */
    private final ScheduledExecutorService timer = Executors.newSingleThreadScheduledExecutor(r -> {
        Thread t = new Thread(r, "imagefn-webhook-timer");
        t.setDaemon(true);
        return t;
    });
    private final DeliveryLanes lanes;
    private final SecureRandom jitter = new SecureRandom();
    private volatile List<Webhook> signers;
    /** Deliveries started and not yet given up or delivered (for workers whose process freezes after them). */
    private final java.util.concurrent.atomic.AtomicInteger pending = new java.util.concurrent.atomic.AtomicInteger();

    public Webhooks(ImagefnConfig config, NetworkAccess network, ObjectMapper json, JobStore store) {
        this.config = config.webhook();
        this.all = config;
        this.network = network;
        this.json = json;
        this.store = store;
        Timeout timeout = Timeout.of(this.config.timeout());
        int threads = this.config.maxConcurrent();
        int perDestination = this.config.maxPerDestination();
        this.http = RemoteImages.vettedClient(network, this.config.allowPrivateAddresses(), timeout, timeout,
                RequestConfig.custom().setResponseTimeout(timeout), threads, perDestination);
        this.lanes = new DeliveryLanes(threads, perDestination);
    }

    @PreDestroy
    void close() throws IOException {
        timer.shutdownNow();
        lanes.shutdownNow();
        http.close();
    }

    /**
     * The {@code webhook} and {@code webhook_events} a request asked for, checked before the job exists: a refused
     * URL queues nothing, and no connection is attempted to judge it.
     *
     * @param events the events asked for, or null for the terminal ones
     */
    public JobRecord.Webhook check(String url, List<String> events) {
        if (signers().isEmpty()) {
            throw ImagesApiException.invalid("webhook", "webhooks_not_configured", "This deployment has no webhook "
                    + "signing secret (IMAGEFN_WEBHOOK_SECRET), so it sends no webhooks. Poll the job instead.");
        }
        List<String> wanted = events == null || events.isEmpty() ? TERMINAL : List.copyOf(events);
        for (String e : wanted) {
            if (!EVENTS.contains(e)) {
                throw ImagesApiException.invalid("webhook_events", "invalid_value", "Invalid 'webhook_events': "
                        + ImagesApiException.excerpt(e) + " is not one of " + String.join(", ", List.of(STARTED,
                                COMPLETED, FAILED, CANCELLED)) + ".");
            }
        }
        URI uri = vet(url);
        return new JobRecord.Webhook(uri.toString(), wanted, List.of(), null, null);
    }

    private URI vet(String url) {
        URI uri;
        try {
            uri = new URI(url);
        } catch (URISyntaxException | NullPointerException e) {
            throw refused("not a valid URL");
        }
        String scheme = uri.getScheme() == null ? "" : uri.getScheme().toLowerCase(Locale.ROOT);
        if (!scheme.equals("https") && !(scheme.equals("http") && config.allowHttp())) {
            throw refused("webhooks go to " + (config.allowHttp() ? "http or https" : "https") + " URLs only");
        }
        if (uri.getHost() == null) {
            throw refused("the URL has no host");
        }
        if (uri.getRawUserInfo() != null) {
            throw refused("the URL carries credentials; put a token in its path or query instead");
        }
        try {
            new RemoteImages.VettingResolver(network, config.allowPrivateAddresses()).vet(uri.getHost());
        } catch (RemoteImages.NonPublicAddress e) {
            throw refused("the host " + ImagesApiException.excerpt(uri.getHost()) + " resolves to a non-public address");
        } catch (UnknownHostException e) {
            throw refused("the host " + ImagesApiException.excerpt(uri.getHost()) + " does not resolve");
        }
        return uri;
    }

    private static ImagesApiException refused(String why) {
        return ImagesApiException.invalid("webhook", "invalid_webhook_url", "Invalid 'webhook': " + why + ".");
    }

    /**
     * Sends {@code event} for the job if its webhook asked for it; retries run on this instance's timer. The job as
     * the receiver reads it ({@code view}, signed URLs) is made only then.
     */
    public void announce(JobRecord record, String event, Supplier<ImageJob> view) {
        JobRecord.Webhook hook = record.webhook();
        if (hook == null || hook.events() == null || !hook.events().contains(event)) {
            return;
        }
        ImageJob job = view.get();
        String messageId = "msg_" + job.id().substring(4) + "_" + event.substring(event.lastIndexOf('.') + 1);
        long firstAt = System.currentTimeMillis();
        pending.incrementAndGet();
        deliver(record.owner(), job, hook.url(), event, messageId, 1, firstAt);
    }

    /** Queues attempt {@code number} in its destination's lane. */
    private void deliver(String owner, ImageJob job, String url, String event, String messageId, int number,
            long firstAt) {
        lanes.submit(destination(url), () -> attempt(owner, job, url, event, messageId, number, firstAt));
    }

    /** Where an attempt goes, as the lanes count it: scheme, host and port. */
    static String destination(String url) {
        URI uri = URI.create(url);
        String scheme = uri.getScheme() == null ? "" : uri.getScheme().toLowerCase(Locale.ROOT);
        int port = uri.getPort() >= 0 ? uri.getPort() : scheme.equals("http") ? 80 : 443;
        return scheme + "://" + String.valueOf(uri.getHost()).toLowerCase(Locale.ROOT) + ":" + port;
    }

    /** Waits until no delivery is under way, or {@code bound} has passed. */
    void awaitIdle(Duration bound) {
        long deadline = System.nanoTime() + bound.toNanos();
        while (pending.get() > 0 && System.nanoTime() < deadline) {
            try {
                Thread.sleep(50);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            }
        }
    }

    private void attempt(String owner, ImageJob job, String url, String event, String messageId, int number,
            long firstAt) {
        try {
            attemptOnce(owner, job, url, event, messageId, number, firstAt);
        } catch (RuntimeException e) {
            pending.decrementAndGet();
            Log.warnf("Webhook of job %s abandoned: %s", job.id(), Redaction.forLog(String.valueOf(e.getMessage())));
        }
    }

    private void attemptOnce(String owner, ImageJob job, String url, String event, String messageId, int number,
            long firstAt) {
        Outcome outcome = send(url, event, messageId, job);
        boolean last = number >= config.maxAttempts();
        long delay = outcome.retry() ? delay(number, outcome.retryAfter()) : 0;
        boolean late = System.currentTimeMillis() + delay - firstAt > config.giveUpAfter().toMillis();
        String result = outcome.delivered() ? "delivered" : !outcome.retry() ? outcome.kind()
                : last || late ? "gave_up" : "retrying";
        JobRecord.Attempt attempt = new JobRecord.Attempt(event, System.currentTimeMillis() / 1000, outcome.status(),
                result, outcome.detail());
        try {
            store.update(owner, job.id(), r -> r.webhook() == null ? null : r.withWebhook(r.webhook().attempted(attempt)));
        } catch (RuntimeException e) {
            Log.warnf("Webhook attempt of job %s could not be recorded: %s", job.id(), Redaction.forLog(e.getMessage()));
        }
        if ("retrying".equals(result)) {
            timer.schedule(() -> deliver(owner, job, url, event, messageId, number + 1, firstAt), delay,
                    TimeUnit.MILLISECONDS);
        } else {
            pending.decrementAndGet();
        }
    }

    /** Exponential from {@code initial-delay}, full jitter over its upper half, never shorter than Retry-After. */
    long delay(int attempt, Optional<Duration> retryAfter) {
        long base = Math.min(config.maxDelay().toMillis(),
                config.initialDelay().toMillis() << Math.min(20, attempt - 1));
        long jittered = base / 2 + (long) (jitter.nextDouble() * (base / 2 + 1));
        return Math.max(jittered, retryAfter.map(Duration::toMillis).orElse(0L));
    }

    private record Outcome(boolean delivered, boolean retry, String kind, Integer status, String detail,
            Optional<Duration> retryAfter) {
    }

    private Outcome send(String url, String event, String messageId, ImageJob job) {
        byte[] body;
        long timestamp = Instant.now().getEpochSecond();
        try {
            Map<String, Object> payload = new LinkedHashMap<>();
            payload.put("type", event);
            payload.put("timestamp", Instant.ofEpochSecond(timestamp).toString());
            payload.put("data", job);
            body = json.writeValueAsBytes(payload);
        } catch (IOException e) {
            return new Outcome(false, false, "refused", null, "the event could not be written", Optional.empty());
        }
        HttpPost post = new HttpPost(URI.create(url));
        post.setHeader("webhook-id", messageId);
        post.setHeader("webhook-timestamp", Long.toString(timestamp));
        post.setHeader("webhook-signature", sign(messageId, timestamp, new String(body, StandardCharsets.UTF_8)));
        post.setHeader("User-Agent", "imagefn-webhooks");
        post.setEntity(new ByteArrayEntity(body, ContentType.APPLICATION_JSON));
        // one deadline for the whole attempt: connecting, sending, and the answer (a per-read timeout never ends a
        // receiver that trickles its answer a byte at a time)
        AtomicBoolean cut = new AtomicBoolean();
        ScheduledFuture<?> deadline = timer.schedule(() -> {
            cut.set(true);
            post.cancel();
        }, config.timeout().toMillis(), TimeUnit.MILLISECONDS);
        ClassicHttpResponse response = null;
        try {
            response = http.executeOpen(null, post, null);
            int status = response.getCode();
            Header retryAfter = response.getFirstHeader("Retry-After");
            readAnswer(response, post);
            return outcome(status, retryAfter);
        } catch (RemoteImages.NonPublicAddress e) {
            return new Outcome(false, false, "refused", null, "the host resolves to a non-public address",
                    Optional.empty());
        } catch (IOException e) {
            String detail = cut.get() ? "timeout: no whole answer within " + config.timeout().toMillis() + " ms"
                    : e.getClass().getSimpleName();
            return new Outcome(false, true, "retrying", null, detail, Optional.empty());
        } finally {
            deadline.cancel(false);
            closeQuietly(response);
        }
    }

    /**
     * Reads the receiver's answer, which nobody needs, only as far as {@link #ANSWER_READ} bytes: an answer that ends
     * within them leaves the connection reusable; a longer one is not read on (the connection is closed instead of
     * drained). An answer still arriving at the deadline ends the attempt as a timeout.
     */
    private static void readAnswer(ClassicHttpResponse response, HttpPost post) throws IOException {
        if (response.getEntity() == null) {
            return;
        }
        InputStream in = response.getEntity().getContent();
        if (in.readNBytes(ANSWER_READ).length == ANSWER_READ && in.read() >= 0) {
            post.cancel();
        }
    }

    private static Outcome outcome(int status, Header retryAfter) {
        if (status >= 200 && status < 300) {
            return new Outcome(true, false, "delivered", status, null, Optional.empty());
        }
        if (status == 410) {
            return new Outcome(false, false, "stopped", status, "the receiver answered 410 Gone", Optional.empty());
        }
        String detail = status >= 300 && status < 400 ? "redirects are not followed" : null;
        return new Outcome(false, true, "retrying", status, detail,
                Optional.ofNullable(retryAfter).map(h -> UpstreamException.parseRetryAfter(null, h.getValue())));
    }

    private static void closeQuietly(ClassicHttpResponse response) {
        if (response != null) {
            try {
                response.close();
            } catch (IOException | RuntimeException e) {
                // the attempt's outcome is decided; a connection cut at its deadline may fail to close cleanly
            }
        }
    }

    /** One {@code v1,<base64>} signature per configured secret, space separated. */
    String sign(String messageId, long timestamp, String body) {
        List<String> signatures = new ArrayList<>();
        for (Webhook signer : signers()) {
            try {
                signatures.add(signer.sign(messageId, timestamp, body));
            } catch (RuntimeException | com.standardwebhooks.exceptions.WebhookSigningException e) {
                throw new IllegalStateException("a webhook could not be signed", e);
            }
        }
        return String.join(" ", signatures);
    }

    private List<Webhook> signers() {
        List<Webhook> s = signers;
        if (s == null) {
            synchronized (this) {
                if (signers == null) {
                    signers = readSigners();
                }
                s = signers;
            }
        }
        return s;
    }

    private List<Webhook> readSigners() {
        List<String> secrets = config.secretArn()
                .map(arn -> List.of(SecretValues.read(all, "IMAGEFN_WEBHOOK_SECRET_ARN", arn,
                        "webhook signing secret").split(",")))
                .or(() -> config.secret()).orElse(List.of());
        List<Webhook> out = new ArrayList<>();
        for (String secret : secrets) {
            String s = secret.strip();
            if (s.isEmpty()) {
                continue;
            }
            if (!s.startsWith("whsec_")) {
                throw new IllegalStateException("IMAGEFN_WEBHOOK_SECRET: a signing secret is whsec_ followed by "
                        + "base64 (24 to 64 random bytes)");
            }
            try {
                Redaction.secret(s);
                out.add(new Webhook(s));
            } catch (RuntimeException | com.standardwebhooks.exceptions.EmptyWebhookSecretException e) {
                throw new IllegalStateException("IMAGEFN_WEBHOOK_SECRET: a signing secret is not valid base64 "
                        + "after whsec_", null);
            }
        }
        return List.copyOf(out);
    }
}
