package io.imagefn.jobs;

import java.io.IOException;
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
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;

import jakarta.annotation.PreDestroy;
import jakarta.enterprise.context.ApplicationScoped;

import org.apache.hc.client5.http.classic.methods.HttpPost;
import org.apache.hc.client5.http.config.RequestConfig;
import org.apache.hc.client5.http.impl.classic.CloseableHttpClient;
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

    private final ImagefnConfig.Webhook config;
    private final ImagefnConfig all;
    private final NetworkAccess network;
    private final ObjectMapper json;
    private final JobStore store;
    private final CloseableHttpClient http;
    private final ScheduledExecutorService retries = Executors.newScheduledThreadPool(2, r -> {
        Thread t = new Thread(r, "imagefn-webhooks");
        t.setDaemon(true);
        return t;
    });
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
        this.http = RemoteImages.vettedClient(network, this.config.allowPrivateAddresses(), timeout, timeout,
                RequestConfig.custom().setResponseTimeout(timeout), 32, 4);
    }

    @PreDestroy
    void close() throws IOException {
        retries.shutdownNow();
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
            new RemoteImages.VettingResolver(network, config.allowPrivateAddresses()).resolve(uri.getHost());
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
        retries.execute(() -> attempt(record.owner(), job, hook.url(), event, messageId, 1, firstAt));
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
            retries.schedule(() -> attempt(owner, job, url, event, messageId, number + 1, firstAt), delay,
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
        try {
            return http.execute(post, response -> {
                int status = response.getCode();
                Header retryAfter = response.getFirstHeader("Retry-After");
                if (status >= 200 && status < 300) {
                    return new Outcome(true, false, "delivered", status, null, Optional.empty());
                }
                if (status == 410) {
                    return new Outcome(false, false, "stopped", status, "the receiver answered 410 Gone",
                            Optional.empty());
                }
                String detail = status >= 300 && status < 400 ? "redirects are not followed" : null;
                return new Outcome(false, true, "retrying", status, detail,
                        Optional.ofNullable(retryAfter).map(h -> UpstreamException.parseRetryAfter(null, h.getValue())));
            });
        } catch (RemoteImages.NonPublicAddress e) {
            return new Outcome(false, false, "refused", null, "the host resolves to a non-public address",
                    Optional.empty());
        } catch (IOException e) {
            return new Outcome(false, true, "retrying", null, e.getClass().getSimpleName(), Optional.empty());
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
