package io.imagefn.http;

import java.io.IOException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

import io.imagefn.images.ImagesApiException;
import io.netty.buffer.Unpooled;
import io.netty.handler.codec.http.DefaultFullHttpRequest;
import io.netty.handler.codec.http.DefaultHttpHeaders;
import io.netty.handler.codec.http.EmptyHttpHeaders;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http.multipart.Attribute;
import io.netty.handler.codec.http.multipart.DefaultHttpDataFactory;
import io.netty.handler.codec.http.multipart.FileUpload;
import io.netty.handler.codec.http.multipart.HttpPostMultipartRequestDecoder;
import io.netty.handler.codec.http.multipart.InterfaceHttpData;

/**
 * A multipart form split into its text fields and its files, in the order they came. The image fields are files
 * whether or not the client named a file (the official SDKs send {@code image} parts without a filename), and every
 * part keeps its exact bytes. See {@link RawMultipart} for why the body arrives raw.
 */
public record FormParts(Map<String, Object> text, Map<String, List<byte[]>> files) {

    /** The part names that carry images in the Images API. */
    public static final Set<String> IMAGE_FIELDS = Set.of("image", "image[]", "mask");

    /** Parses a multipart body with Netty's decoder; {@code contentType} carries the boundary. */
    public static FormParts parse(byte[] body, String contentType) {
        String type = contentType == null ? "" : contentType;
        int boundary = type.toLowerCase(Locale.ROOT).indexOf("boundary=");
        if (boundary < 0) {
            throw ImagesApiException.invalid(null, "invalid_multipart",
                    "A multipart/form-data body needs a boundary in its Content-Type.");
        }
        DefaultFullHttpRequest request = new DefaultFullHttpRequest(HttpVersion.HTTP_1_1, HttpMethod.POST, "/",
                Unpooled.wrappedBuffer(body), new DefaultHttpHeaders().set(HttpHeaderNames.CONTENT_TYPE,
                        "multipart/form-data; " + type.substring(boundary)),
                EmptyHttpHeaders.INSTANCE);
        HttpPostMultipartRequestDecoder decoder = null;
        Map<String, Object> text = new LinkedHashMap<>();
        Map<String, List<byte[]>> files = new LinkedHashMap<>();
        try {
            decoder = new HttpPostMultipartRequestDecoder(new DefaultHttpDataFactory(false), request);
            for (InterfaceHttpData data : decoder.getBodyHttpDatas()) {
                String name = data.getName();
                if (data instanceof FileUpload file) {
                    addFile(files, name, file.get());
                } else if (data instanceof Attribute attribute) {
                    if (IMAGE_FIELDS.contains(name)) {
                        addFile(files, name, attribute.get());
                    } else if (text.put(name, attribute.getValue()) != null) {
                        throw duplicate(name);
                    }
                }
            }
        } catch (ImagesApiException e) {
            throw e;
        } catch (IOException | RuntimeException e) {
            throw ImagesApiException.invalid(null, "invalid_multipart",
                    "The multipart/form-data body could not be read (" + e.getClass().getSimpleName() + ").");
        } finally {
            if (decoder != null) {
                decoder.destroy();
            }
            request.release();
        }
        return new FormParts(text, files);
    }

    /**
     * A part may come once, as a JSON key may: which of two values counts is a guess a gateway in front might make
     * the other way. Only the image parts repeat ({@code image}, {@code image[]}: several images).
     */
    private static void addFile(Map<String, List<byte[]>> files, String name, byte[] bytes) {
        List<byte[]> list = files.computeIfAbsent(name, k -> new ArrayList<>());
        if (!list.isEmpty() && !REPEATABLE.contains(name)) {
            throw duplicate(name);
        }
        list.add(bytes);
    }

    private static final Set<String> REPEATABLE = Set.of("image", "image[]");

    private static ImagesApiException duplicate(String name) {
        return ImagesApiException.invalid(name, "duplicate_parameter", "The form has more than one '"
                + ImagesApiException.excerpt(name) + "' part; send each field once (only image parts repeat).");
    }

    /** The files under any of {@code names}: {@code image}, {@code image[]} and a repeated {@code image} alike. */
    public List<byte[]> files(String... names) {
        List<byte[]> out = new ArrayList<>();
        for (String name : names) {
            out.addAll(files.getOrDefault(name, List.of()));
        }
        return out;
    }

    public byte[] file(String name) {
        List<byte[]> found = files.getOrDefault(name, List.of());
        return found.isEmpty() ? null : found.get(0);
    }
}
