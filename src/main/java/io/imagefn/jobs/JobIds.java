package io.imagefn.jobs;

import java.security.SecureRandom;
import java.util.regex.Pattern;

/**
 * Job ids: {@code job_}, twelve hex digits of an inverted millisecond clock (so that a listing in the bucket's
 * ascending order is newest first), then sixteen random base32 characters.
 */
final class JobIds {

    private static final char[] ALPHABET = "abcdefghijklmnopqrstuvwxyz234567".toCharArray();
    private static final Pattern ID = Pattern.compile("job_[0-9a-f]{12}[a-z2-7]{16}");
    private static final long CLOCK_END = 0xFFFF_FFFF_FFFFL;

    private JobIds() {
    }

    static String next(SecureRandom random, long nowMillis) {
        StringBuilder id = new StringBuilder("job_").append(String.format("%012x", CLOCK_END - nowMillis));
        for (int i = 0; i < 16; i++) {
            id.append(ALPHABET[random.nextInt(ALPHABET.length)]);
        }
        return id.toString();
    }

    static boolean valid(String id) {
        return id != null && ID.matcher(id).matches();
    }
}
