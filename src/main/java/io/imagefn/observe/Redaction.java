package io.imagefn.observe;

import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.regex.Pattern;

/**
 * Text that came from outside (an upstream's error, a storage failure) or that carries a signed URL, made safe
 * before it reaches a log or a caller: secrets removed (the configured upstream key, any {@code Bearer} or
 * {@code sk-} token), on one line with control characters escaped (a {@code \n} in an upstream's error code cannot
 * forge a log line), cut to a bounded length, and, for logs, URLs without their query string (a signed URL's
 * {@code X-Amz-Signature} is a credential for its object until it expires).
 */
public final class Redaction {

    private static final Set<String> SECRETS = ConcurrentHashMap.newKeySet();
    private static final Pattern TOKENS = Pattern.compile(
            "(?i)\\bbearer\\s+[^\\s\"',;]+|\\bsk-[A-Za-z0-9_\\-]{8,}");
    private static final Pattern URL_QUERY = Pattern.compile("(?i)(\\bhttps?://[^\\s?#\"'<>]+)\\?[^\\s\"'<>)]*");
    private static final int MAX_LOGGED = 2000;
    private static final int MAX_PASSED_ON = 1000;

    private Redaction() {
    }

    /** Remembers a secret this process holds (the upstream key), so that no text carrying it leaves. */
    public static void secret(String value) {
        if (value != null && value.length() >= 8 && !SECRETS.contains(value)) {
            SECRETS.add(value);
        }
    }

    /** For a log line: secrets and URL query strings out, one line, bounded. */
    public static String forLog(String text) {
        if (text == null) {
            return null;
        }
        return oneLine(URL_QUERY.matcher(scrub(text)).replaceAll("$1?…"), MAX_LOGGED);
    }

    /** Upstream text passed on to a caller (an error message): secrets out, one line, bounded. */
    public static String passedOn(String text) {
        return text == null ? null : oneLine(scrub(text), MAX_PASSED_ON);
    }

    private static String scrub(String text) {
        String out = text;
        for (String secret : SECRETS) {
            out = out.replace(secret, "[redacted]");
        }
        return TOKENS.matcher(out).replaceAll("[redacted]");
    }

    /** Control characters written as escapes ({@code \n}, {@code \u0007}), cut to {@code max} characters. */
    static String oneLine(String text, int max) {
        StringBuilder out = new StringBuilder(Math.min(text.length(), max) + 16);
        for (int i = 0; i < text.length() && out.length() < max; i++) {
            char c = text.charAt(i);
            switch (c) {
                case '\n' -> out.append("\\n");
                case '\r' -> out.append("\\r");
                case '\t' -> out.append("\\t");
                default -> {
                    if (Character.isISOControl(c) || c == '\u2028' || c == '\u2029') {
                        out.append(String.format("\\u%04x", (int) c));
                    } else {
                        out.append(c);
                    }
                }
            }
        }
        if (out.length() >= max && text.length() > max) {
            out.setLength(max);
            out.append('…');
        }
        return out.toString();
    }
}
