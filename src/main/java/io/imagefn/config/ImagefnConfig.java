package io.imagefn.config;

import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Optional;

import io.quarkus.runtime.configuration.MemorySize;
import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;

/**
 * All of imagefn's own settings. Every property can be set from the environment as {@code IMAGEFN_...}
 * (for example {@code imagefn.s3.bucket} is {@code IMAGEFN_S3_BUCKET}).
 */
@ConfigMapping(prefix = "imagefn")
public interface ImagefnConfig {

    Upstream upstream();

    /**
     * Bearer keys callers must present on {@code /v1/*} and the function paths ({@code IMAGEFN_API_KEYS}, comma
     * separated). Unset: no key is asked for. Never logged.
     */
    Optional<List<String>> apiKeys();

    S3 s3();

    /**
     * How long a signed URL stays valid. Default 1 hour (OpenAI's own URLs last 60 minutes); at most 7 days,
     * the SigV4 limit.
     */
    @WithDefault("1h")
    Duration urlTtl();

    Emulator emulator();

    Inputs inputs();

    Pricing pricing();

    Idempotency idempotency();

    Bodies bodies();

    Streams streams();

    Jobs jobs();

    Webhook webhook();

    Limits limits();

    /**
     * Per-key limits: which models a key may use, a budget in USD per period, requests and images per minute,
     * concurrent requests and queued jobs ({@code src/site/markdown/limits.md}). Keys with limits are defined by one
     * document; {@code IMAGEFN_API_KEYS} keys have none.
     */
    interface Limits {
        /**
         * The keys document as a file (a mounted Kubernetes Secret): {@code IMAGEFN_LIMITS_KEYS_FILE}. Re-read every
         * {@link #reload()}; a document that turns malformed keeps the last good one (logged at ERROR).
         */
        Optional<java.nio.file.Path> keysFile();

        /**
         * ARN (or name) of a Secrets Manager secret holding the keys document ({@code IMAGEFN_LIMITS_KEYS_SECRET});
         * read at startup and every {@link #reload()}, as the file is.
         */
        Optional<String> keysSecret();

        /** How often the keys document is read again. Default 30s: a change applies within a minute. */
        @WithDefault("30s")
        Duration reload();

        /**
         * When the ledger (the bucket) cannot be reached: false (default) refuses paid requests with 503
         * {@code limits_unavailable} and {@code Retry-After}, nothing paid; true lets them through unlimited, each
         * one logged at ERROR.
         */
        @WithDefault("false")
        boolean failOpen();

        /**
         * How long a request's reservation holds its key's budget if its instance dies before settling it: longer
         * than any call may still be paid (the fault-tolerance budget). Default 20m, as the idempotency lease.
         */
        @WithDefault("20m")
        Duration reservationLease();

        /**
         * The rate windows' length: {@code requests_per_minute} and {@code images_per_minute} count the admissions of
         * the last window. Default 1m; keep it so (tests shorten it to watch a client wait out a window).
         */
        @WithDefault("1m")
        Duration window();

        /**
         * Where in the bucket the ledger keeps one record per key ({@code IMAGEFN_LIMITS_LEDGER_PREFIX}). Default
         * {@code ledger/<key-prefix>}: outside the key prefix, whose objects the bucket's rule expires after a day; a
         * rule that covered the ledger would forget a month's spend after an idle day.
         */
        Optional<String> ledgerPrefix();
    }

    /**
     * Asynchronous jobs ({@code Prefer: respond-async}): the request is answered 202 at once and runs detached; its
     * record lives in the bucket beside the images ({@code <key-prefix>records/jobs/}).
     */
    interface Jobs {
        /** Jobs this instance runs at once; more wait as {@code queued}. Default 4. */
        @WithDefault("4")
        int maxConcurrent();

        /**
         * Jobs waiting in this instance's queue beyond those running (the HTTP build, and Knative without a broker;
         * Lambda and a Knative broker queue on the platform). More are refused with 429 {@code too_many_queued_jobs}
         * and {@code Retry-After}, before anything is written. Default 64.
         */
        @WithDefault("64")
        int maxQueued();

        /**
         * Jobs one API key may have queued or running at once, counted across every instance (a record per key in
         * the bucket, changed by conditional writes). More are refused with 429 {@code too_many_queued_jobs} and
         * {@code Retry-After}, before anything is written or paid. Without API keys every caller shares one count.
         * Default 16.
         */
        @WithDefault("16")
        int maxQueuedPerKey();

        /**
         * The longest {@code Prefer: wait=N} honoured before answering 202. Default 25s, under the 29 s of an API
         * Gateway REST integration.
         */
        @WithDefault("25s")
        Duration maxWait();

        /**
         * How long a running job's instance holds it without renewing (it renews every third of this); a job whose
         * instance died is taken over by the next instance that reads it after its lease. Default 60s.
         */
        @WithDefault("60s")
        Duration lease();

        /**
         * How long a finished job answers before it reads {@code expired}: set it to the bucket's lifecycle rule
         * that deletes the images (and the records beside them). Default 24h.
         */
        @WithDefault("24h")
        Duration retention();

        /**
         * How long a stopping instance lets its running jobs finish; the rest are taken over after their leases.
         * Default 20s, inside the HTTP server's 25 s shutdown grace.
         */
        @WithDefault("20s")
        Duration shutdownGrace();

        /**
         * The function-URL build on AWS Lambda: name or ARN (an alias ARN with SnapStart) of the worker function the
         * front invokes asynchronously for each job ({@code IMAGEFN_JOBS_WORKER_FUNCTION}; the Lambda build deployed
         * with {@code QUARKUS_FUNQY_EXPORT=run-job}). Unset there: {@code respond-async} is not applied.
         */
        Optional<String> workerFunction();

        /** Lambda API endpoint override (a VPC endpoint, a test stand-in). Default: AWS for the region. */
        Optional<URI> lambdaEndpoint();

        /**
         * The Knative build: where {@code imagefn.job.requested} events go (a broker's URL). Default: {@code K_SINK},
         * which a SinkBinding injects; neither set: jobs run in the instance that took them.
         */
        Optional<URI> sink();
    }

    /** Webhooks of jobs, signed the Standard Webhooks way. */
    interface Webhook {
        /**
         * The signing secrets ({@code IMAGEFN_WEBHOOK_SECRET}), {@code whsec_} followed by base64; two, comma
         * separated, while rotating (each delivery then carries both signatures). Never logged.
         */
        Optional<List<String>> secret();

        /**
         * ARN (or name) of a Secrets Manager secret holding the signing secret(s) in the same form; replaces
         * {@link #secret()} and is read once at startup, as the upstream key's.
         */
        Optional<String> secretArn();

        /** Deliver to {@code http} URLs too (tests, labs). Default false: https only. */
        @WithDefault("false")
        boolean allowHttp();

        /** Deliver to loopback and private addresses too (tests, labs). Default false. */
        @WithDefault("false")
        boolean allowPrivateAddresses();

        /**
         * One delivery attempt's deadline, for all of it: connecting, sending, and the receiver's whole answer (of
         * which at most 4 KB is read). A receiver still answering at the deadline is cut off and the attempt counts as
         * a timeout, retried by the schedule. Default 15s.
         */
        @WithDefault("15s")
        Duration timeout();

        /** Delivery attempts running at once on this instance, to all destinations. Default 32. */
        @WithDefault("32")
        int maxConcurrent();

        /**
         * Delivery attempts running at once to one destination (scheme, host and port); more wait in that
         * destination's own queue, so a slow receiver delays only deliveries to itself. Default 2.
         */
        @WithDefault("2")
        int maxPerDestination();

        /** Attempts per event, the first included. Default 8. */
        @WithDefault("8")
        int maxAttempts();

        /** The pause before the second attempt, doubled each time (with jitter) up to {@link #maxDelay()}. */
        @WithDefault("5s")
        Duration initialDelay();

        @WithDefault("10m")
        Duration maxDelay();

        /** No attempt starts this long after the event. Default 2h. */
        @WithDefault("2h")
        Duration giveUpAfter();
    }

    /**
     * Build the storage and upstream clients at startup (sign one URL locally, build the REST client, load the model
     * and price tables, write one answer with Jackson) instead of in the first paid request. Default true: an instance
     * is then ready when it says so (a readiness probe, Knative's scale-out, Lambda's INIT phase) and its first caller
     * does not wait ~0.6 s for it. Nothing is sent; a failure is logged and the work is left to the first request.
     */
    @WithDefault("true")
    boolean primeAtStart();

    /** Server-sent event streams ({@code stream: true}) on the HTTP server. */
    interface Streams {
        /**
         * How long one write to a stream's caller may take: a caller that stops reading is dropped after this (its
         * connection closed, the upstream stream cancelled, its upstream slot freed). Default 30s.
         */
        @WithDefault("30s")
        Duration writeTimeout();
    }

    /**
     * Request bodies on the HTTP server, which buffers each one whole before a function runs (the Lambda runtime
     * hands over whole events: these do not apply there).
     */
    interface Bodies {
        /**
         * Bytes of request bodies held at once, across all requests; a request that would go beyond is answered 503
         * with {@code Retry-After} before its body is read. A body sent without {@code Content-Length} counts as the
         * largest allowed ({@code quarkus.http.limits.max-body-size}). Never more than a fifth of the heap: a body
         * costs several times its size while it is parsed.
         */
        @WithDefault("128M")
        MemorySize budget();

        /**
         * How long a request has to send its whole body: a stalled or trickling body is answered 408 and its
         * connection closed when this runs out.
         */
        @WithDefault("30s")
        Duration readDeadline();
    }

    /** Requests with an idempotency key ({@code Idempotency-Key} header or {@code idempotency_key} field) run once. */
    interface Idempotency {
        /**
         * How long a running request holds its key; a duplicate after that takes over (the holder is presumed dead).
         * Default 20m, above the default fault-tolerance budget (3 attempts of 300s plus backoff).
         */
        @WithDefault("20m")
        Duration lease();

        /** How long a completed request's record answers duplicates. Default 24h; its images must live as long. */
        @WithDefault("24h")
        Duration ttl();

        /** How long a duplicate waits for the first request to finish before answering 409. Default 60s. */
        @WithDefault("60s")
        Duration maxWait();
    }

    Log log();

    /** The price table behind {@code estimated_cost} and the {@code imagefn.cost} metric. */
    interface Pricing {
        /** A JSON price table in the shape of the bundled {@code imagefn/prices.json}, replacing it. */
        Optional<java.nio.file.Path> file();
    }

    /** The per-request log line. */
    interface Log {
        /** Write every log line as one JSON object (for log shippers). Default false: plain text. */
        @WithDefault("false")
        boolean json();

        /** Include the prompt in the per-request line. Default false: prompts can hold personal data. */
        @WithDefault("false")
        boolean prompts();
    }

    /** The OpenAI-compatible images API that produces the images. */
    interface Upstream {
        /**
         * Base URL of an OpenAI-compatible API, ending in {@code /v1} or equivalent. Default: the OpenAI API when an
         * API key is set, otherwise this process's offline emulator (a development stand-in).
         */
        Optional<URI> url();

        /**
         * Bearer key for the upstream; falls back to {@code OPENAI_API_KEY}. Never logged and never returned.
         */
        Optional<String> apiKey();

        /**
         * ARN (or name) of an AWS Secrets Manager secret whose plain-text value is the upstream key
         * ({@code IMAGEFN_UPSTREAM_API_KEY_SECRET}). When set it replaces {@link #apiKey()}: the key is read once at
         * startup through the AWS SDK (default credentials, region from {@code AWS_REGION} or {@code imagefn.s3.region})
         * and kept for the life of the instance, so it never sits in the function's configuration. A secret that
         * cannot be read stops the startup.
         */
        Optional<String> apiKeySecret();

        /** Secrets Manager endpoint override (a VPC endpoint, a test stand-in). Default: AWS for the region. */
        Optional<URI> secretsEndpoint();

        /**
         * Which API the upstream speaks: {@code openai} (default: OpenAI and every OpenAI-compatible API, bearer key,
         * {@code <url>/images/...}) or {@code azure} (Azure OpenAI: {@code api-key} header,
         * {@code <url>/openai/deployments/<deployment>/images/...?api-version=...}, {@link #url()} being the
         * resource's endpoint, e.g. {@code https://my-resource.openai.azure.com}).
         */
        @WithDefault("openai")
        Provider provider();

        Azure azure();

        /** Accept model names that are not in imagefn's table and pass them through. Default false. */
        @WithDefault("false")
        boolean allowUnknownModels();

        /** TCP connect timeout. Default 10s. */
        @WithDefault("10s")
        Duration connectTimeout();

        /**
         * Time budget of one upstream attempt, in seconds (high-quality GPT image generations take minutes). Default
         * 300. Timeouts are not retried, and the socket read timeout is kept 30s above this so this one fires first.
         */
        @WithDefault("300")
        long timeoutSeconds();

        Retry retry();

        CircuitBreaker circuitBreaker();

        /**
         * Upstream exchanges in flight at once per instance; more are refused with 503. A call counts until its answer
         * has been read, a stream until it ends. Default 16.
         */
        @WithDefault("16")
        int maxConcurrentCalls();

        AnswerUrls answerUrls();
    }

    /**
     * Images an upstream answers with as URLs are fetched under the same address policy as input URLs (resolved once,
     * every hop vetted, no redirect to a private address): a hostile or compromised upstream cannot make imagefn fetch
     * from its own network. OpenAI's image URLs are public {@code https} ones.
     */
    interface AnswerUrls {
        /** Fetch {@code http://} answer URLs too. Default false. */
        @WithDefault("false")
        boolean allowHttp();

        /** Fetch answer URLs on loopback and private networks (a self-hosted upstream); metadata stays refused. */
        @WithDefault("false")
        boolean allowPrivateAddresses();
    }

    /** The API the upstream speaks. */
    enum Provider {
        OPENAI,
        AZURE
    }

    /** Azure OpenAI as the upstream ({@code imagefn.upstream.provider=azure}). */
    interface Azure {
        /** The {@code api-version} query parameter. Default 2025-04-01-preview (the image edits API needs it). */
        @WithDefault("2025-04-01-preview")
        String apiVersion();

        /**
         * Which deployment serves each model, as {@code model=deployment} pairs, comma separated (e.g.
         * {@code gpt-image-1=images-east,dall-e-3=dalle3}). A model not listed goes to a deployment of its own name.
         */
        Optional<List<String>> deployments();
    }

    /** Retries of 408, 409, 429, 5xx and connection failures, as the official OpenAI SDKs do. */
    interface Retry {
        /** Retries after the first attempt. Default 2 (the OpenAI SDKs' default). */
        @WithDefault("2")
        int maxRetries();

        /** First backoff; doubled on each retry, with jitter. Default 500ms. */
        @WithDefault("500ms")
        Duration initialDelay();

        /** Upper bound of the exponential backoff. Default 8s. */
        @WithDefault("8s")
        Duration maxDelay();

        /**
         * Upper bound for a server-requested {@code Retry-After} / {@code retry-after-ms}; a longer wait ends the
         * retries and the caller gets the 429 with that {@code Retry-After}. Default 20s.
         */
        @WithDefault("20s")
        Duration maxRetryAfter();
    }

    /** Opens after repeated 5xx, connection failures or timeouts; 4xx answers never count. */
    interface CircuitBreaker {
        /** Calls in the rolling window. Default 10. */
        @WithDefault("10")
        int requestVolumeThreshold();

        /** Failure ratio in the window that opens the breaker. Default 0.5. */
        @WithDefault("0.5")
        double failureRatio();

        /** Seconds the breaker stays open before a trial call. Default 30. */
        @WithDefault("30")
        long delaySeconds();
    }

    /** Object storage; an embedded S3-compatible server is started when no bucket is configured. */
    interface S3 {
        /** Bucket for the images. When unset, the embedded S3Proxy server is used (development default). */
        Optional<String> bucket();

        /** S3 API endpoint override (MinIO, R2, S3Proxy...). Default: AWS for the region. */
        Optional<URI> endpoint();

        /**
         * Endpoint whose host the signed URLs carry, when callers reach the store by another name than this
         * process does. Default: {@link #endpoint()}.
         */
        Optional<URI> publicEndpoint();

        /** Region used for signing. Default us-east-1. */
        @WithDefault("us-east-1")
        String region();

        /** Path-style addressing ({@code host/bucket/key}); needed by most S3-compatible servers. Default false. */
        @WithDefault("false")
        boolean pathStyle();

        /** Static access key id; default: the AWS SDK default credentials chain. */
        Optional<String> accessKeyId();

        /** Static secret key, with {@link #accessKeyId()}. Never logged. */
        Optional<String> secretAccessKey();

        /** Prefix of every object key. Default {@code images/}. */
        @WithDefault("images/")
        String keyPrefix();

        /**
         * Attempts per storage call, the SDK's standard retry (exponential backoff with jitter) on 5xx, throttling and
         * broken connections. Default 3. After the last, a produced image is handed back inline instead.
         */
        @WithDefault("3")
        int maxAttempts();

        /** How long the readiness probe reuses its last look at the bucket. Default 10s. */
        @WithDefault("10s")
        Duration readinessCache();

        Embedded embedded();
    }

    /** The in-process S3Proxy used when no bucket is configured. */
    interface Embedded {
        /** Where its filesystem backend keeps the objects. Default {@code data/s3} under the working directory. */
        @WithDefault("data/s3")
        Path dataDir();

        /** Port on 127.0.0.1; 0 picks a free one. Default 0. */
        @WithDefault("0")
        int port();
    }

    /** How input images given as remote URLs are fetched: an attack surface, so closed by default. */
    interface Inputs {
        /** Accept {@code http://} image URLs as well as {@code https://}. Default false. */
        @WithDefault("false")
        boolean allowHttp();

        /**
         * Accept URLs that resolve to loopback or private networks (for a store inside your own network). Cloud
         * metadata and other link-local addresses stay refused. Default false.
         */
        @WithDefault("false")
        boolean allowPrivateAddresses();

        /** When set, only these hosts (exact names, or {@code .example.com} for subdomains) are fetched from. */
        Optional<List<String>> allowedHosts();

        /** Redirects followed, each re-checked. Default 3. */
        @WithDefault("3")
        int maxRedirects();

        /** Connect timeout. Default 5s. */
        @WithDefault("5s")
        Duration connectTimeout();

        /** Time for the whole download. Default 30s. */
        @WithDefault("30s")
        Duration readTimeout();
    }

    /** The offline OpenAI-compatible emulator served by this process under {@code /emulator/v1}. */
    interface Emulator {
        /**
         * Serve the emulator. Default: only when the upstream is the emulator, i.e. when neither an upstream URL nor
         * an API key is configured.
         */
        Optional<Boolean> enabled();

        /** Pause between the events of an emulated stream, so partial images can be watched arriving. Default 300ms. */
        @WithDefault("300ms")
        Duration streamDelay();
    }
}
