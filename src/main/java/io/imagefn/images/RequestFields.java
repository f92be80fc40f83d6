package io.imagefn.images;

import java.math.BigDecimal;
import java.math.BigInteger;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.json.JsonMapper;

/**
 * Reads typed fields from a request body that was parsed as plain JSON values, so that a wrong type becomes a
 * 400 naming the field instead of a parse failure without one. An explicit JSON {@code null} reads as "not set",
 * as the OpenAI schemas declare every optional image field nullable.
 *
 * <p>Problems are collected, not thrown, because the function bindings deserialize before our code runs; the
 * validator reports the first one.
 */
final class RequestFields {

    static final String IDEMPOTENCY_KEY = "idempotency_key";
    private static final ObjectMapper CANONICAL = JsonMapper.builder()
            .enable(SerializationFeature.ORDER_MAP_ENTRIES_BY_KEYS).build();

    private final Map<String, Object> raw;
    private final boolean textEncoded;
    private final List<ImagesApiException> problems = new ArrayList<>();

    /**
     * @param textEncoded true for multipart forms, where numbers and booleans arrive as strings
     */
    RequestFields(Map<String, Object> raw, boolean textEncoded) {
        this.raw = raw == null ? Map.of() : raw;
        this.textEncoded = textEncoded;
    }

    List<ImagesApiException> problems() {
        return problems;
    }

    boolean has(String name) {
        return raw.get(name) != null;
    }

    Object value(String name) {
        return raw.get(name);
    }

    String string(String name) {
        Object v = raw.get(name);
        if (v == null || v instanceof String) {
            return (String) v;
        }
        problems.add(wrongType(name, "a string", v));
        return null;
    }

    Integer integer(String name) {
        Object v = raw.get(name);
        if (v == null) {
            return null;
        }
        // what the caller sent, as the range error quotes it (JSON numbers are at most 1000 digits: Jackson's limit)
        String sent = v instanceof String s ? s.trim() : String.valueOf(v);
        if (v instanceof String s && textEncoded) {
            v = textInteger(s.trim());
            if (v == null) {
                problems.add(wrongType(name, "an integer", s));
                return null;
            }
        }
        if (v instanceof Integer i) {
            return i;
        }
        if (v instanceof Long || v instanceof BigInteger) {
            BigInteger value = v instanceof Long l ? BigInteger.valueOf(l) : (BigInteger) v;
            if (value.bitLength() < 32) {
                return value.intValue();
            }
            // integral but out of range: a range error naming the value sent, not a type error
            boolean below = value.signum() < 0;
            problems.add(ImagesApiException.invalid(name, below ? "integer_below_min_value" : "integer_above_max_value",
                    "Invalid '" + name + "': integer " + (below ? "below minimum" : "above maximum") + " value, got "
                            + ImagesApiException.excerpt(sent) + " instead."));
            return null;
        }
        problems.add(wrongType(name, "an integer", v));
        return null;
    }

    /** Longest digit run parsed: every valid value is far shorter, and parsing cost grows with the square of it. */
    static final int MAX_INTEGER_DIGITS = 19;

    /**
     * A form field's integer, its cost bounded by the field's length, not its square: a digit run longer than
     * {@link #MAX_INTEGER_DIGITS} (leading zeros aside) is not parsed, only known to be out of range. Null when the
     * text is not an integer.
     */
    static Number textInteger(String text) {
        int start = text.startsWith("-") || text.startsWith("+") ? 1 : 0;
        if (start == text.length()) {
            return null;
        }
        int firstSignificant = -1;
        for (int i = start; i < text.length(); i++) {
            char c = text.charAt(i);
            if (c < '0' || c > '9') {
                return null;
            }
            if (firstSignificant < 0 && c != '0') {
                firstSignificant = i;
            }
        }
        if (firstSignificant >= 0 && text.length() - firstSignificant > MAX_INTEGER_DIGITS) {
            // as the range error would say, without the quadratic parse: beyond any int either way
            return text.charAt(0) == '-' ? BigInteger.valueOf(Long.MIN_VALUE).subtract(BigInteger.ONE)
                    : BigInteger.valueOf(Long.MAX_VALUE).add(BigInteger.ONE);
        }
        return new BigInteger(text);
    }

    Boolean bool(String name) {
        Object v = raw.get(name);
        if (v == null || v instanceof Boolean) {
            return (Boolean) v;
        }
        if (v instanceof String s && textEncoded && (s.equals("true") || s.equals("false"))) {
            return Boolean.valueOf(s);
        }
        problems.add(wrongType(name, "a boolean", v));
        return null;
    }

    /** An array field; a lone non-array value is a type error. */
    List<Object> list(String name) {
        Object v = raw.get(name);
        if (v == null) {
            return null;
        }
        if (v instanceof List<?> l) {
            return new ArrayList<>(l);
        }
        problems.add(wrongType(name, "an array", v));
        return null;
    }

    /** An image reference {@code {image_url} | {file_id}}, reported under {@code param} (e.g. {@code images[2]}). */
    ImageRef ref(String param, Object v) {
        if (v == null) {
            return null;
        }
        if (!(v instanceof Map<?, ?> m)) {
            problems.add(wrongType(param, "an object with image_url or file_id", v));
            return null;
        }
        for (Object key : m.keySet()) {
            if (!"image_url".equals(key) && !"file_id".equals(key)) {
                problems.add(ImagesApiException.invalid(param, "unknown_parameter",
                        "Unknown parameter: '" + param + "." + key + "'. An image reference has image_url or file_id."));
                return null;
            }
        }
        Object url = m.get("image_url");
        Object id = m.get("file_id");
        if ((url == null) == (id == null)) {
            problems.add(ImagesApiException.invalid(param, "invalid_value",
                    "Invalid '" + param + "': give exactly one of image_url and file_id."));
            return null;
        }
        Object value = url != null ? url : id;
        if (!(value instanceof String s) || s.isBlank()) {
            problems.add(wrongType(param + (url != null ? ".image_url" : ".file_id"), "a non-empty string", value));
            return null;
        }
        return url != null ? ImageRef.url(param, s) : ImageRef.fileId(param, s);
    }

    /** Flags every field not in {@code known}; OpenAI answers unknown parameters with a 400 too. */
    void rejectUnknown(Set<String> known) {
        for (String name : raw.keySet()) {
            if (!known.contains(name) && !IDEMPOTENCY_KEY.equals(name)) {
                problems.add(ImagesApiException.invalid(name, "unknown_parameter",
                        "Unknown parameter: '" + ImagesApiException.excerpt(name) + "'."));
            }
        }
    }

    /**
     * imagefn's one extension field, accepted by every function: the caller's idempotency key (what the
     * {@code Idempotency-Key} header carries over HTTP). At most 255 printable ASCII characters.
     */
    String idempotencyKey() {
        String key = string(IDEMPOTENCY_KEY);
        if (key != null && !ImageRules.isIdempotencyKey(key)) {
            problems.add(ImagesApiException.invalid(IDEMPOTENCY_KEY, "invalid_value",
                    "Invalid 'idempotency_key': expected 1 to 255 printable ASCII characters without spaces."));
            return null;
        }
        return key;
    }

    /**
     * A digest of what was asked, for telling a retry from a different request under the same idempotency key: the
     * fields in a canonical order (the key itself left out) and the bytes of any uploaded files.
     */
    String fingerprint(List<byte[]> uploads) {
        try {
            java.security.MessageDigest sha = Sha256.digest();
            // an explicit null means "not set": the same request with or without it is the same request
            @SuppressWarnings("unchecked")
            Map<String, Object> fields = (Map<String, Object>) withoutNulls(raw);
            fields.remove(IDEMPOTENCY_KEY);
            sha.update(CANONICAL.writeValueAsBytes(fields));
            for (byte[] upload : uploads) {
                sha.update((byte) 0);
                sha.update(upload);
            }
            return java.util.HexFormat.of().formatHex(sha.digest());
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("cannot fingerprint a request", e);
        }
    }

    /** A JSON value with every null member of every object left out, objects sorted by key. */
    private static Object withoutNulls(Object value) {
        if (value instanceof Map<?, ?> map) {
            Map<String, Object> out = new TreeMap<>();
            map.forEach((k, v) -> {
                if (v != null) {
                    out.put(String.valueOf(k), withoutNulls(v));
                }
            });
            return out;
        }
        if (value instanceof List<?> list) {
            return list.stream().map(RequestFields::withoutNulls).toList();
        }
        return value;
    }

    private static ImagesApiException wrongType(String name, String expected, Object actual) {
        return ImagesApiException.invalid(name, "invalid_type",
                "Invalid type for '" + name + "': expected " + expected + ", but got " + describe(actual) + " instead.");
    }

    private static String describe(Object v) {
        if (v instanceof String) {
            return "a string";
        }
        if (v instanceof Boolean) {
            return "a boolean";
        }
        if (v instanceof Number) {
            return v instanceof Double || v instanceof Float || v instanceof BigDecimal ? "a decimal" : "an integer";
        }
        if (v instanceof List) {
            return "an array";
        }
        if (v instanceof Map) {
            return "an object";
        }
        return "a " + v.getClass().getSimpleName();
    }
}
