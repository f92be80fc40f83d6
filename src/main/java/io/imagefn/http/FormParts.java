package io.imagefn.http;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import org.jboss.resteasy.reactive.server.multipart.FormValue;
import org.jboss.resteasy.reactive.server.multipart.MultipartFormDataInput;

/** A multipart form split into its text fields and its files, in the order they came. */
public record FormParts(Map<String, Object> text, Map<String, List<byte[]>> files) {

    public static FormParts of(MultipartFormDataInput form) {
        Map<String, Object> text = new LinkedHashMap<>();
        Map<String, List<byte[]>> files = new LinkedHashMap<>();
        for (Map.Entry<String, Collection<FormValue>> e : form.getValues().entrySet()) {
            for (FormValue v : e.getValue()) {
                if (v.isFileItem()) {
                    files.computeIfAbsent(e.getKey(), k -> new ArrayList<>()).add(bytes(v));
                } else {
                    text.put(e.getKey(), v.getValue());
                }
            }
        }
        return new FormParts(text, files);
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

    private static byte[] bytes(FormValue v) {
        try (InputStream in = v.getFileItem().getInputStream()) {
            return in.readAllBytes();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
