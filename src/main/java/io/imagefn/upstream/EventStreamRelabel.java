package io.imagefn.upstream;

import jakarta.ws.rs.client.ClientRequestContext;
import jakarta.ws.rs.client.ClientResponseContext;
import jakarta.ws.rs.client.ClientResponseFilter;
import jakarta.ws.rs.core.HttpHeaders;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.MultivaluedMap;

/**
 * Gives an upstream event stream to imagefn as raw bytes. The REST client sends every {@code text/event-stream} answer
 * through its own event parser, which re-reads an event from its start at each chunk that ends inside it: a 4-MB
 * partial image then takes 40 s to arrive. Labelled as plain bytes, the stream's chunks are handed over as they come
 * (and cancelling the subscription still closes the connection); {@link EventStreamDecoder} reads the events.
 */
final class EventStreamRelabel implements ClientResponseFilter {

    @Override
    public void filter(ClientRequestContext request, ClientResponseContext response) {
        // the client also calls this for an exchange that failed before an answer: it then has no headers
        MultivaluedMap<String, String> headers = response.getHeaders();
        String type = headers == null ? null : headers.getFirst(HttpHeaders.CONTENT_TYPE);
        if (type != null && type.regionMatches(true, 0, MediaType.SERVER_SENT_EVENTS, 0,
                MediaType.SERVER_SENT_EVENTS.length())) {
            headers.putSingle(HttpHeaders.CONTENT_TYPE, MediaType.APPLICATION_OCTET_STREAM);
        }
    }
}
