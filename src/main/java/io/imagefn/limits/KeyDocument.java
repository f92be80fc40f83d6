package io.imagefn.limits;

import java.io.IOException;
import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.Iterator;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.Set;
import java.util.function.Predicate;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

/**
 * The keys document: every API key with limits, and optionally the limits of callers without a key.
 *
 * <pre>{@code
 * {"keys": [{"name": "mobile-app", "sha256": "<64 hex digits: SHA-256 of the key>",
 *            "models": ["gpt-image-1"], "budget": {"usd": 25, "period": "day"},
 *            "requests_per_minute": 30, "images_per_minute": 20,
 *            "max_concurrent_requests": 4, "max_queued_jobs": 8}],
 *  "unauthenticated": {"budget": {"usd": 5, "period": "day"}}}
 * }</pre>
 *
 * Read strictly: an unknown field is an error (a misspelt limit would otherwise be no limit), and every error names the
 * entry and the field, never a key or its digest.
 */
public record KeyDocument(List<KeyLimits> keys, Optional<KeyLimits> unauthenticated) {

    private static final Set<String> KEY_FIELDS = Set.of("name", "sha256", "models", "budget", "requests_per_minute",
            "images_per_minute", "max_concurrent_requests", "max_queued_jobs");
    private static final Set<String> LIMIT_FIELDS = Set.of("models", "budget", "requests_per_minute",
            "images_per_minute", "max_concurrent_requests", "max_queued_jobs");

    /** A document that cannot be used: its message names the entry and field. */
    public static final class Invalid extends IllegalArgumentException {
        Invalid(String message) {
            super(message);
        }
    }

    /**
     * Reads a document.
     *
     * @param knownModel whether a model name may be listed in {@code models}
     * @throws Invalid naming the entry and field
     */
    public static KeyDocument parse(byte[] document, ObjectMapper json, Predicate<String> knownModel) {
        JsonNode root;
        try {
            root = json.readTree(document);
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
            // the original message only: Jackson's location part quotes the document, which holds key digests
            throw new Invalid("the keys document is not JSON (" + firstLine(e.getOriginalMessage()) + ")");
        } catch (IOException e) {
            throw new Invalid("the keys document cannot be read (" + e.getClass().getSimpleName() + ")");
        }
        if (root == null || !root.isObject()) {
            throw new Invalid("the keys document must be a JSON object with a \"keys\" array");
        }
        onlyFields(root, Set.of("keys", "unauthenticated"), "the keys document");
        JsonNode keys = root.path("keys");
        if (!keys.isArray()) {
            throw new Invalid("the keys document: \"keys\" must be an array");
        }
        List<KeyLimits> entries = new ArrayList<>();
        Set<String> names = new HashSet<>();
        Set<String> digests = new HashSet<>();
        for (int i = 0; i < keys.size(); i++) {
            JsonNode entry = keys.get(i);
            String where = "entry " + (i + 1);
            if (!entry.isObject()) {
                throw new Invalid(where + " must be an object");
            }
            String name = text(entry, "name", where);
            where = "entry " + (i + 1) + " ('" + name + "')";
            if (name.isBlank() || name.length() > 64 || !name.matches("[A-Za-z0-9._-]+")) {
                throw new Invalid(where + ": field 'name' must be 1 to 64 letters, digits, '.', '_' or '-'");
            }
            if (name.equals(KeyLimits.UNAUTHENTICATED)) {
                throw new Invalid(where + ": field 'name': '" + KeyLimits.UNAUTHENTICATED + "' is reserved for the "
                        + "document's own \"unauthenticated\" entry");
            }
            onlyFields(entry, KEY_FIELDS, where);
            String sha256 = text(entry, "sha256", where).toLowerCase(Locale.ROOT);
            if (!sha256.matches("[0-9a-f]{64}")) {
                throw new Invalid(where + ": field 'sha256' must be the SHA-256 of the key as 64 hex digits");
            }
            if (!names.add(name)) {
                throw new Invalid(where + ": field 'name' is used by an earlier entry");
            }
            if (!digests.add(sha256)) {
                throw new Invalid(where + ": field 'sha256' names the same key as an earlier entry");
            }
            entries.add(limits(entry, name, sha256, where, knownModel));
        }
        Optional<KeyLimits> unauthenticated = Optional.empty();
        if (root.has("unauthenticated")) {
            JsonNode entry = root.get("unauthenticated");
            String where = "the \"unauthenticated\" entry";
            if (!entry.isObject()) {
                throw new Invalid(where + " must be an object");
            }
            onlyFields(entry, LIMIT_FIELDS, where);
            unauthenticated = Optional.of(limits(entry, KeyLimits.UNAUTHENTICATED, null, where, knownModel));
        }
        return new KeyDocument(List.copyOf(entries), unauthenticated);
    }

    private static KeyLimits limits(JsonNode entry, String name, String sha256, String where,
            Predicate<String> knownModel) {
        Set<String> models = new LinkedHashSet<>();
        if (entry.has("models")) {
            JsonNode list = entry.get("models");
            if (!list.isArray() || list.isEmpty()) {
                throw new Invalid(where + ": field 'models' must be a non-empty array of model names (leave it out to "
                        + "allow every model)");
            }
            for (JsonNode m : list) {
                if (!m.isTextual() || !knownModel.test(m.asText())) {
                    throw new Invalid(where + ": field 'models': " + (m.isTextual() ? "'" + m.asText()
                            + "' is not a model imagefn serves" : "expected model names"));
                }
                models.add(m.asText());
            }
        }
        Optional<KeyLimits.Budget> budget = Optional.empty();
        if (entry.has("budget")) {
            JsonNode b = entry.get("budget");
            if (!b.isObject()) {
                throw new Invalid(where + ": field 'budget' must be an object {\"usd\": ..., \"period\": ...}");
            }
            onlyFields(b, Set.of("usd", "period"), where + ", field 'budget'");
            JsonNode usd = b.path("usd");
            if (!usd.isNumber() || usd.decimalValue().signum() <= 0 || usd.decimalValue().scale() > 8) {
                throw new Invalid(where + ": field 'budget.usd' must be a positive number of dollars");
            }
            String periodWord = b.path("period").asText("");
            KeyLimits.Period period = KeyLimits.Period.of(periodWord).orElseThrow(() -> new Invalid(where
                    + ": field 'budget.period' must be \"day\", \"month\" or \"grant\""));
            budget = Optional.of(new KeyLimits.Budget(new BigDecimal(usd.decimalValue().toPlainString()), period));
        }
        return new KeyLimits(name, sha256, Set.copyOf(models), budget, count(entry, "requests_per_minute", where),
                count(entry, "images_per_minute", where), count(entry, "max_concurrent_requests", where),
                count(entry, "max_queued_jobs", where));
    }

    private static OptionalInt count(JsonNode entry, String field, String where) {
        if (!entry.has(field)) {
            return OptionalInt.empty();
        }
        JsonNode n = entry.get(field);
        if (!n.isIntegralNumber() || !n.canConvertToInt() || n.asInt() < 1) {
            throw new Invalid(where + ": field '" + field + "' must be a whole number of at least 1 (leave it out "
                    + "for no limit)");
        }
        return OptionalInt.of(n.asInt());
    }

    private static String text(JsonNode entry, String field, String where) {
        JsonNode v = entry.get(field);
        if (v == null || !v.isTextual()) {
            throw new Invalid(where + ": field '" + field + "' is missing or not a string");
        }
        return v.asText();
    }

    private static void onlyFields(JsonNode node, Set<String> known, String where) {
        for (Iterator<Map.Entry<String, JsonNode>> it = node.fields(); it.hasNext();) {
            String field = it.next().getKey();
            if (!known.contains(field)) {
                throw new Invalid(where + ": unknown field '" + field + "' (known: " + String.join(", ",
                        new java.util.TreeSet<>(known)) + ")");
            }
        }
    }

    private static String firstLine(String message) {
        String m = message == null ? "" : message;
        int nl = m.indexOf('\n');
        return nl < 0 ? m : m.substring(0, nl);
    }
}
