package io.imagefn.limits;

import java.math.BigDecimal;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.Set;

/**
 * What one API key may do: its name (what operators, metrics and logs see; never the key), the SHA-256 of the key, and
 * its limits, each optional. Concurrency is counted per instance; rates and the budget across every instance.
 *
 * @param models         the models it may use; empty: any
 * @param budget         USD it may spend per period, or empty
 * @param maxConcurrent  requests in flight at once on one instance
 * @param maxQueuedJobs  jobs queued or running at once (else {@code imagefn.jobs.max-queued-per-key})
 */
public record KeyLimits(String name, String sha256, Set<String> models, Optional<Budget> budget,
        OptionalInt requestsPerMinute, OptionalInt imagesPerMinute, OptionalInt maxConcurrent,
        OptionalInt maxQueuedJobs) {

    /** The entry that applies to callers without an API key (Lambda invoke, CloudEvents, an open HTTP surface). */
    public static final String UNAUTHENTICATED = "unauthenticated";

    /** No limits at all: an {@code IMAGEFN_API_KEYS} key, or a caller without a key when no entry says otherwise. */
    public static KeyLimits none(String name, String sha256) {
        return new KeyLimits(name, sha256, Set.of(), Optional.empty(), OptionalInt.empty(), OptionalInt.empty(),
                OptionalInt.empty(), OptionalInt.empty());
    }

    /** Whether the ledger has anything to count for this key. */
    public boolean counted() {
        return budget.isPresent() || requestsPerMinute.isPresent() || imagesPerMinute.isPresent();
    }

    public boolean allows(String model) {
        return models.isEmpty() || models.contains(model);
    }

    /** A budget: {@code usd} per {@code period}. */
    public record Budget(BigDecimal usd, Period period) {
    }

    /** When a budget starts again: each UTC day, each UTC month, or never (a fixed grant). */
    public enum Period {
        DAY("day"),
        MONTH("month"),
        GRANT("grant");

        private final String word;

        Period(String word) {
            this.word = word;
        }

        public String word() {
            return word;
        }

        public static Optional<Period> of(String word) {
            for (Period p : values()) {
                if (p.word.equals(word)) {
                    return Optional.of(p);
                }
            }
            return Optional.empty();
        }

        /** The name of the period {@code at} falls in ({@code 2026-12-07}, {@code 2026-12}, {@code grant}). */
        public String at(Instant at) {
            LocalDate day = at.atZone(ZoneOffset.UTC).toLocalDate();
            return switch (this) {
                case DAY -> day.toString();
                case MONTH -> day.toString().substring(0, 7);
                case GRANT -> "grant";
            };
        }

        /** When the period {@code at} falls in ends, or empty for a grant. */
        public Optional<Instant> endsAfter(Instant at) {
            LocalDate day = at.atZone(ZoneOffset.UTC).toLocalDate();
            return switch (this) {
                case DAY -> Optional.of(day.plusDays(1).atStartOfDay(ZoneOffset.UTC).toInstant());
                case MONTH -> Optional.of(day.withDayOfMonth(1).plusMonths(1).atStartOfDay(ZoneOffset.UTC)
                        .toInstant());
                case GRANT -> Optional.empty();
            };
        }
    }
}
