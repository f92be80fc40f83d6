package io.imagefn.upstream;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.SequenceInputStream;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicBoolean;

import org.junit.jupiter.api.Test;

import com.fasterxml.jackson.core.StreamReadFeature;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;

/**
 * The upstream's answer read as it streams in: images handed over one by one as each completes, the metadata around
 * them wherever it comes, and a broken answer reported as the upstream's with the count of images already handed over.
 */
class UpstreamAnswerTest {

    // as strict as the application's own mapper (duplicate keys, trailing content)
    private static final ObjectMapper JSON = JsonMapper.builder().enable(StreamReadFeature.STRICT_DUPLICATE_DETECTION)
            .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS).build();

    private static final byte[] ONE = { (byte) 0x89, 'P', 'N', 'G', 1, 2, 3 };
    private static final byte[] TWO = { (byte) 0xff, (byte) 0xd8, (byte) 0xff, 9, 9 };

    private static final long LATER = System.nanoTime() + 3_600_000_000_000L;

    private static String b64(byte[] b) {
        return Base64.getEncoder().encodeToString(b);
    }

    private static UpstreamAnswer answer(String body) {
        return new UpstreamAnswer(Optional.of("req_1"),
                () -> new ByteArrayInputStream(body.getBytes(StandardCharsets.UTF_8)), () -> { }, LATER);
    }

    @Test
    void eachImageIsHandedOverInOrderAndTheMetadataAfterTheDataIsKept() {
        List<UpstreamImages.Image> got = new ArrayList<>();
        UpstreamImages meta = answer("{\"created\":7,\"background\":\"opaque\",\"data\":[{\"b64_json\":\"" + b64(ONE)
                + "\",\"revised_prompt\":\"a red one\",\"extra\":{\"x\":[1,2]}},{\"url\":\"https://cdn.example/i.png\"},"
                + "{\"b64_json\":\"" + b64(TWO) + "\"}],\"size\":\"1024x1024\",\"quality\":\"low\","
                + "\"output_format\":\"png\",\"usage\":{\"total_tokens\":10,\"input_tokens\":4,\"output_tokens\":6},"
                + "\"later\":true}").read(JSON, got::add);

        assertEquals(3, got.size());
        assertArrayEquals(ONE, got.get(0).bytes().toByteArray());
        assertEquals("a red one", got.get(0).revisedPrompt());
        assertNull(got.get(1).bytes());
        assertEquals(URI.create("https://cdn.example/i.png"), got.get(1).url());
        assertArrayEquals(TWO, got.get(2).bytes().toByteArray());
        assertEquals(new UpstreamImages(7, 3, "opaque", "png", "low", "1024x1024", meta.usage(), Optional.of("req_1")),
                meta);
        assertEquals(10, meta.usage().totalTokens());
    }

    @Test
    void anImageIsHandedOverBeforeTheRestOfTheAnswerHasArrived() {
        AtomicBoolean restRead = new AtomicBoolean();
        String head = "{\"data\":[{\"b64_json\":\"" + b64(ONE) + "\"},";
        InputStream rest = new InputStream() {
            private final InputStream tail = new ByteArrayInputStream(("{\"b64_json\":\"" + b64(TWO) + "\"}]}")
                    .getBytes(StandardCharsets.UTF_8));

            @Override
            public int read() throws IOException {
                restRead.set(true);
                return tail.read();
            }
        };
        List<Boolean> restReadWhenHandedOver = new ArrayList<>();
        new UpstreamAnswer(Optional.empty(), () -> new SequenceInputStream(
                new ByteArrayInputStream(head.getBytes(StandardCharsets.UTF_8)), rest), () -> { }, LATER)
                .read(JSON, image -> restReadWhenHandedOver.add(restRead.get()));

        assertEquals(List.of(false, true), restReadWhenHandedOver);
    }

    @Test
    void anAnswerThatBreaksOffAfterAnImageIsTheUpstreamsFaultAndSaysHowManyArrived() {
        List<UpstreamImages.Image> got = new ArrayList<>();
        UpstreamAnswer answer = answer("{\"data\":[{\"b64_json\":\"" + b64(ONE) + "\"},{\"b64_json\":\"iVBO");
        UpstreamException e = assertThrows(UpstreamException.class, () -> answer.read(JSON, got::add));

        assertEquals(1, got.size(), "the complete image was handed over before the break");
        assertEquals("bad_upstream_response", e.error().code());
        assertTrue(e.error().message().endsWith("after 1 images"), e.error().message());
        assertEquals(Optional.of("req_1"), e.requestId());
    }

    @Test
    void unusableAnswersAreBadUpstreamResponses() {
        for (String body : new String[] { "[]", "{\"data\":[]}", "{\"data\":[{\"revised_prompt\":\"x\"}]}",
                "{\"data\":[{\"b64_json\":\"not base64!\"}]}", "{\"data\":[{\"url\":\"not a url\"}]}",
                "{\"data\":[1]}", "{\"data\":[{\"b64_json\":\"" + b64(ONE) + "\"}]} trailing",
                "{\"created\":{\"a\":1},\"data\":[{\"b64_json\":\"" + b64(ONE) + "\"}]}",
                "{\"data\":{\"b64_json\":\"" + b64(ONE) + "\"}}",
                "{\"data\":[{\"b64_json\":[\"" + b64(ONE) + "\"]}]}" }) {
            UpstreamException e = assertThrows(UpstreamException.class, () -> answer(body).read(JSON, i -> { }),
                    body);
            assertEquals(502, e.status(), body);
            assertEquals("bad_upstream_response", e.error().code(), body);
        }
    }

    @Test
    void aNullFieldIsAnAbsentOne() {
        List<UpstreamImages.Image> got = new ArrayList<>();
        UpstreamImages meta = answer("{\"created\":null,\"data\":[{\"b64_json\":\"" + b64(ONE) + "\",\"url\":null,"
                + "\"revised_prompt\":null}],\"usage\":null,\"size\":null}").read(JSON, got::add);

        assertEquals(1, got.size());
        assertArrayEquals(ONE, got.get(0).bytes().toByteArray());
        assertNull(meta.usage());
        assertNull(meta.size());
    }

    @Test
    void anImageAboveTheCapIsRefusedWhileItArrives() {
        UpstreamAnswer huge = new UpstreamAnswer(Optional.empty(), () -> new SequenceInputStream(
                new ByteArrayInputStream("{\"data\":[{\"b64_json\":\"".getBytes(StandardCharsets.UTF_8)),
                new InputStream() {
                    // well past the cap, and never closed: only the cap can end the read with this message
                    private long left = UpstreamAnswer.MAX_IMAGE_BYTES / 3 * 4 + 1024 * 1024;

                    @Override
                    public int read() {
                        return left-- > 0 ? 'A' : -1;
                    }

                    @Override
                    public int read(byte[] b, int off, int len) {
                        if (left <= 0) {
                            return -1;
                        }
                        int n = (int) Math.min(len, left);
                        java.util.Arrays.fill(b, off, off + n, (byte) 'A');
                        left -= n;
                        return n;
                    }
                }), () -> { }, LATER);
        UpstreamException e = assertThrows(UpstreamException.class, () -> huge.read(JSON, i -> { }));
        assertTrue(e.error().message().contains("an image over " + UpstreamAnswer.MAX_IMAGE_BYTES + " bytes"),
                e.error().message());
    }
}
