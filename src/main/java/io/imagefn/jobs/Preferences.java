package io.imagefn.jobs;

import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.Optional;

/**
 * The {@code Prefer} header (RFC 7240) as jobs read it: {@code respond-async}, and {@code wait=N} seconds. Every
 * {@code Prefer} header of the request counts; names are case-insensitive; an unknown or malformed preference is
 * ignored, as the RFC asks. A wait of any number of digits is taken (one too large for a {@code long} as the
 * largest), so that it is capped as any other long wait is ({@link JobWait#applied}), never ignored.
 */
public record Preferences(boolean respondAsync, Optional<Duration> await) {

    public static Preferences of(List<String> headers) {
        boolean async = false;
        Optional<Duration> wait = Optional.empty();
        for (String header : headers == null ? List.<String>of() : headers) {
            for (String preference : header.split(",")) {
                // parameters after ';' belong to the preference; neither of ours takes any
                String[] nameValue = preference.split(";", 2)[0].split("=", 2);
                String name = nameValue[0].trim().toLowerCase(Locale.ROOT);
                String value = nameValue.length > 1 ? nameValue[1].trim().replace("\"", "") : null;
                if (name.equals("respond-async")) {
                    async = true;
                } else if (name.equals("wait") && value != null && value.matches("\\d+")) {
                    String digits = value.replaceFirst("^0+(?=\\d)", "");
                    wait = Optional.of(Duration.ofSeconds(digits.length() > 18 ? Long.MAX_VALUE
                            : Long.parseLong(digits)));
                }
            }
        }
        return new Preferences(async, wait);
    }

    /** The {@code Preference-Applied} header of a job's 202: respond-async, and the wait it actually got. */
    public static String applied(Optional<Duration> waited) {
        return "respond-async" + waited.map(w -> ", wait=" + w.toSeconds()).orElse("");
    }
}
