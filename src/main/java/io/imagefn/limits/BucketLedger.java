package io.imagefn.limits;

import java.io.IOException;
import java.math.BigDecimal;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.locks.Lock;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.Function;

import jakarta.enterprise.context.ApplicationScoped;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.databind.ObjectMapper;

import io.imagefn.config.ImagefnConfig;
import io.imagefn.images.Sha256;
import io.imagefn.storage.RecordStore;
import io.imagefn.observe.Telemetry;
import io.imagefn.storage.StorageException;
import io.quarkus.runtime.annotations.RegisterForReflection;

/**
 * The ledger in the bucket the deployment already has: one small record per key name
 * ({@code <ledger-prefix><digest of the name>.json}; {@code imagefn.limits.ledger-prefix}) holding the current period's spend, the open reservations
 * and the admissions of the last minute. Every change is one read and one conditional write over the version read
 * ({@code If-Match}; {@code If-None-Match: *} for a key's first), retried when another instance wrote in between, so
 * two instances never both take the last of a budget. A refusal writes nothing. A reservation whose lease has lapsed
 * (its instance died before settling) is dropped by the next write. This instance's own changes to a key wait for
 * each other, so only other instances cause retries.
 */
@ApplicationScoped
public class BucketLedger implements Ledger {

    /** A key's record, as stored. */
    @RegisterForReflection
    @JsonInclude(JsonInclude.Include.NON_NULL)
    public record Book(String period, BigDecimal spent, Map<String, Hold> holds, List<Admitted> recent) {

        static Book empty(String period) {
            return new Book(period, BigDecimal.ZERO, Map.of(), List.of());
        }

        BigDecimal reserved() {
            return holds.values().stream().map(Hold::usd).reduce(BigDecimal.ZERO, BigDecimal::add);
        }

        int images() {
            return recent.stream().mapToInt(Admitted::images).sum();
        }

        int requests() {
            return recent.stream().mapToInt(Admitted::requests).sum();
        }

        /** The book as of {@code now}: a new period starts its spend at zero; lapsed holds and old admissions go. */
        Book at(Instant now, String currentPeriod, Duration window) {
            long cutoff = now.toEpochMilli() - window.toMillis();
            Map<String, Hold> live = new LinkedHashMap<>();
            holds.forEach((id, h) -> {
                if (h.until() > now.toEpochMilli()) {
                    live.put(id, h);
                }
            });
            List<Admitted> inWindow = recent.stream().filter(a -> a.at() > cutoff).toList();
            BigDecimal spentNow = currentPeriod.equals(period) ? spent : BigDecimal.ZERO;
            return new Book(currentPeriod, spentNow, live, inWindow);
        }
    }

    /** An open reservation: its greatest cost, its images, until when it holds. */
    @RegisterForReflection
    public record Hold(BigDecimal usd, int images, long until) {
    }

    /**
     * The admissions of one slice of the window (a sixtieth: a second of a minute), so that a record stays small
     * however busy its key: {@code at} is the slice's end, later than any of its admissions, so each leaves the
     * window no sooner than a full window after it came (a rate is never exceeded; at worst a slice late).
     */
    @RegisterForReflection
    public record Admitted(long at, int requests, int images) {
    }

    private static final int ATTEMPTS = 200;

    private final RecordStore records;
    private final ObjectMapper json;
    /** The rate windows' length (a minute). */
    private final Duration window;
    /** Where the records are: outside the images' expiry rule, or a month's spend would vanish after an idle day. */
    private final String prefix;
    private final Lock[] locks = java.util.stream.IntStream.range(0, 64).mapToObj(i -> new ReentrantLock())
            .toArray(Lock[]::new);
    /** Each key's changes waiting for the writer (see {@link #change(String, Function, Change)}). */
    private final Map<String, java.util.Queue<Pending>> waiting = new java.util.concurrent.ConcurrentHashMap<>();

    private final Telemetry telemetry;

    public BucketLedger(RecordStore records, ObjectMapper json, ImagefnConfig config, Telemetry telemetry) {
        this.telemetry = telemetry;
        this.records = records;
        this.json = json;
        this.window = config.limits().window();
        this.prefix = config.limits().ledgerPrefix().orElse("ledger/" + config.s3().keyPrefix());
    }

    /**
     * {@inheritDoc} A charge whose id already holds a reservation (a job's run, reserved when the job was submitted)
     * finds it: nothing is counted or checked again.
     */
    @Override
    public Reservation reserve(KeyLimits key, Charge charge) {
        Book[] after = new Book[1];
        Hold[] found = new Hold[1];
        change(key, (book, now) -> {
            after[0] = book;
            found[0] = book.holds().get(charge.id());
            if (found[0] != null) {
                return null;
            }
            Refusals.check(key, book, charge, now, window);
            Map<String, Hold> holds = new LinkedHashMap<>(book.holds());
            holds.put(charge.id(), new Hold(charge.usd(), charge.images(), now.plus(charge.lease()).toEpochMilli()));
            List<Admitted> recent = new ArrayList<>(book.recent());
            long slice = Math.max(1, window.toMillis() / 60);
            long end = (now.toEpochMilli() / slice + 1) * slice;
            Admitted last = recent.isEmpty() ? null : recent.get(recent.size() - 1);
            if (last != null && last.at() == end) {
                recent.set(recent.size() - 1, new Admitted(end, last.requests() + 1, last.images() + charge.images()));
            } else {
                recent.add(new Admitted(end, 1, charge.images()));
            }
            after[0] = new Book(book.period(), book.spent(), holds, recent);
            return after[0];
        });
        BigDecimal usd = found[0] != null ? found[0].usd() : charge.usd();
        return new Reservation(key.name(), charge.id(), usd, usage(key, after[0], window));
    }

    /** {@inheritDoc} A null {@code usd} settles at what the reservation holds (nothing when it is gone). */
    @Override
    public void settle(Reservation reservation, BigDecimal usd) {
        change(reservation, (book, now) -> {
            Map<String, Hold> holds = new LinkedHashMap<>(book.holds());
            Hold held = holds.remove(reservation.id());
            BigDecimal paid = usd != null ? usd : held == null ? null : held.usd();
            if (paid == null) {
                return null;
            }
            return new Book(book.period(), book.spent().add(paid), holds, book.recent());
        });
    }

    @Override
    public void release(Reservation reservation) {
        change(reservation, (book, now) -> {
            if (!book.holds().containsKey(reservation.id())) {
                return null;
            }
            Map<String, Hold> holds = new LinkedHashMap<>(book.holds());
            holds.remove(reservation.id());
            return new Book(book.period(), book.spent(), holds, book.recent());
        });
    }

    @Override
    public KeyUsage usage(KeyLimits key) {
        Instant now = Instant.now();
        try {
            Book book = read(name(key.name())).map(Versioned::book).orElseGet(() -> Book.empty(period(key, now)))
                    .at(now, period(key, now), window);
            return usage(key, book, window);
        } catch (StorageException e) {
            throw Refusals.unavailable();
        }
    }

    static KeyUsage usage(KeyLimits key, Book book, Duration window) {
        Optional<Instant> frees = book.recent().stream().mapToLong(Admitted::at).min()
                .stream().mapToObj(t -> Instant.ofEpochMilli(t).plus(window)).findFirst();
        return new KeyUsage(key, book.period(), book.spent(), book.reserved(), book.holds().size(),
                book.requests(), book.images(), frees);
    }

    /** A change of a book; answers null to leave it as it is. */
    private interface Change {
        Book apply(Book current, Instant now);
    }

    private void change(Reservation reservation, Change change) {
        // a settlement or release knows only the key's name: its period is what the book says
        change(reservation.key(), book -> book.period(), change);
    }

    private void change(KeyLimits key, Change change) {
        change(key.name(), book -> period(key, Instant.now()), change);
    }

    /** A change waiting for its write; its outcome is set by whichever thread wrote it. */
    private static final class Pending {
        final Function<Book, String> period;
        final Change change;
        boolean done;
        RuntimeException failure;

        Pending(Function<Book, String> period, Change change) {
            this.period = period;
            this.change = change;
        }
    }

    /**
     * Changes of one key from this instance are written together: a thread that takes the key's lock writes every
     * change waiting for it in one read and one conditional write, in the order they came, so that the instance's
     * callers share round trips instead of queueing for one each (the ceiling in limits.md).
     */
    private void change(String keyName, Function<Book, String> period, Change change) {
        String name = name(keyName);
        Pending mine = new Pending(period, change);
        java.util.Queue<Pending> queue = waiting.computeIfAbsent(name,
                n -> new java.util.concurrent.ConcurrentLinkedQueue<>());
        queue.add(mine);
        Lock lock = locks[Math.floorMod(name.hashCode(), locks.length)];
        lock.lock();
        try {
            if (!mine.done) {
                List<Pending> batch = new ArrayList<>();
                for (Pending p = queue.poll(); p != null; p = queue.poll()) {
                    batch.add(p);
                }
                commit(keyName, name, batch);
            }
        } finally {
            lock.unlock();
        }
        if (mine.failure != null) {
            throw mine.failure;
        }
    }

    private void commit(String keyName, String name, List<Pending> batch) {
        try {
            for (int attempt = 0; attempt < ATTEMPTS; attempt++) {
                Optional<Versioned> current = read(name);
                Instant now = Instant.now();
                Book book = current.map(Versioned::book)
                        .orElseGet(() -> Book.empty(batch.get(0).period.apply(Book.empty(""))));
                boolean changed = false;
                for (Pending p : batch) {
                    p.failure = null;
                    book = book.at(now, p.period.apply(book), window);
                    try {
                        Book next = p.change.apply(book, now);
                        if (next != null) {
                            book = next;
                            changed = true;
                        }
                    } catch (RuntimeException refused) {
                        // a refusal changes nothing; the others of the batch go on
                        p.failure = refused;
                    }
                }
                if (!changed || records.writeObject(name, write(book), current.map(Versioned::etag).orElse(null))
                        .isPresent()) {
                    batch.forEach(p -> p.done = true);
                    return;
                }
                // another instance wrote in between: the contention an operator watches (limits.md)
                telemetry.add("imagefn.limits.ledger.conflicts", "Ledger writes repeated because another instance "
                        + "changed the key's record first", 1, "key", keyName);
            }
            throw new StorageException("the limits record of key " + keyName + " kept changing under " + ATTEMPTS
                    + " conditional writes", null);
        } catch (StorageException e) {
            batch.forEach(p -> {
                p.failure = Refusals.unavailable();
                p.done = true;
            });
        }
    }

    private static String period(KeyLimits key, Instant now) {
        return key.budget().map(b -> b.period().at(now)).orElse("none");
    }

    private record Versioned(Book book, String etag) {
    }

    private Optional<Versioned> read(String name) {
        return records.readObject(name).map(r -> new Versioned(parse(r.body()), r.etag()));
    }

    /** The record's object key: a digest of the key's name (names are free text; the store's keys are not). */
    private String name(String keyName) {
        return prefix + HexFormat.of().formatHex(Sha256.of("imagefn-limits\n" + keyName), 0, 16) + ".json";
    }

    private Book parse(byte[] body) {
        try {
            Book b = json.readValue(body, Book.class);
            return new Book(b.period() == null ? "" : b.period(), b.spent() == null ? BigDecimal.ZERO : b.spent(),
                    b.holds() == null ? Map.of() : b.holds(), b.recent() == null ? List.of() : b.recent());
        } catch (IOException e) {
            throw new StorageException("unreadable limits record: " + e.getMessage(), e);
        }
    }

    private byte[] write(Book book) {
        try {
            return json.writeValueAsBytes(book);
        } catch (IOException e) {
            throw new IllegalStateException("cannot write a limits record", e);
        }
    }
}
