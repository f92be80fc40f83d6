package io.imagefn.upstream;

import jakarta.ws.rs.client.ClientRequestContext;
import jakarta.ws.rs.client.ClientResponseContext;
import jakarta.ws.rs.client.ClientResponseFilter;
import jakarta.ws.rs.core.HttpHeaders;
import jakarta.ws.rs.core.MediaType;

/**
 * Gives an upstream event stream to imagefn as raw bytes. The REST client sends every {@code text/event-stream} answer
 * through its own event parser, which re-reads an event from its start at each chunk that ends inside it: a 4-MB
 * partial image then takes 40 s to arrive. Labelled as plain bytes, the stream's chunks are handed over as they come
 * (and cancelling the subscription still closes the connection); {@link EventStreamDecoder} reads the events.
 */
final class EventStreamRelabel implements ClientResponseFilter {

    @Override
    public void filter(ClientRequestContext request, ClientResponseContext response) {
        MediaType type = response.getMediaType();
        if (type != null && MediaType.SERVER_SENT_EVENTS_TYPE.isCompatible(type)) {
            response.getHeaders().putSingle(HttpHeaders.CONTENT_TYPE, MediaType.APPLICATION_OCTET_STREAM);
        }
    }
}
