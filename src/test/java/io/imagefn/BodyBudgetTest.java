package io.imagefn;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.util.Map;

import jakarta.inject.Inject;

import org.junit.jupiter.api.Test;

import io.imagefn.http.BodyBudget;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;
import io.restassured.RestAssured;

/**
 * Request bodies cannot exhaust the server: bytes held at once across requests have a budget (beyond it, 503 with
 * {@code Retry-After}, nothing read), and a body has a deadline (a stalled or trickling one is answered 408 and its
 * connection closed). Raw sockets, since a well-behaved client cannot stall mid-body.
 */
@QuarkusTest
@TestProfile(BodyBudgetTest.Profile.class)
class BodyBudgetTest {

    public static class Profile implements QuarkusTestProfile {
        @Override
        public Map<String, String> getConfigOverrides() {
            return Map.of("imagefn.bodies.budget", "1M", "imagefn.bodies.read-deadline", "2s");
        }
    }

    @Inject
    BodyBudget budget;

    /** Sends the head of a POST announcing {@code length} bytes, and {@code sent} of them. */
    private static Socket begin(String path, long length, int sent) throws IOException {
        Socket s = new Socket("127.0.0.1", RestAssured.port);
        s.setSoTimeout(15_000);
        OutputStream out = s.getOutputStream();
        out.write(("POST " + path + " HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\nContent-Type: application/json\r\n"
                + "Content-Length: " + length + "\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
        out.write(new byte[sent]);
        out.flush();
        return s;
    }

    /** The whole response, read until the server closes the connection. */
    private static String answer(Socket s) throws IOException {
        InputStream in = s.getInputStream();
        return new String(in.readAllBytes(), StandardCharsets.UTF_8);
    }

    /** Every share of the budget comes back once its request is answered or its connection gone. */
    private void assertReleased() throws InterruptedException {
        for (int i = 0; i < 200 && budget.held() > 0; i++) {
            Thread.sleep(10);
        }
        assertEquals(0, budget.held(), "bytes still counted as held");
    }

    private static String status(String response) {
        return response.isEmpty() ? "(nothing)" : response.substring(0, response.indexOf("\r\n"));
    }

    @Test
    void aBodyThatStallsIsAnswered408AndItsConnectionClosed() throws Exception {
        try (Socket stalled = begin("/generate", 1000, 10)) {
            String response = answer(stalled); // returns only because the server closes the connection
            assertEquals("HTTP/1.1 408 Request Timeout", status(response), response);
            assertTrue(response.contains("\"code\":\"request_timeout\""), response);
        }
        assertReleased();
    }

    @Test
    void aTricklingBodyIsCutBeforeItCompletes() throws Exception {
        String body = "{\"prompt\":\"a lighthouse\"}";
        try (Socket trickle = begin("/generate", body.length(), 0)) {
            trickle.setSoTimeout(50);
            OutputStream out = trickle.getOutputStream();
            StringBuilder got = new StringBuilder();
            // one byte every 250 ms would take about 6 s, three times the deadline
            for (int i = 0; i < body.length() && got.isEmpty(); i++) {
                try {
                    out.write(body.charAt(i));
                    out.flush();
                } catch (IOException closed) {
                    break;
                }
                Thread.sleep(250);
                try {
                    int n = trickle.getInputStream().read(new byte[64]);
                    if (n != 0) {
                        got.append(n);
                    }
                } catch (SocketTimeoutException nothingYet) {
                    // keep trickling
                }
            }
            trickle.setSoTimeout(15_000);
            assertTrue(got.length() > 0, "the server answered (or closed) before the body was complete");
        }
        assertReleased();
    }

    @Test
    void bodiesBeyondTheBudgetAreRefused503WithRetryAfterUntilTheBudgetIsFree() throws Exception {
        try (Socket holder = begin("/generate", 700_000, 1)) {
            for (int i = 0; i < 100 && budget.held() == 0; i++) {
                Thread.sleep(10); // the server has read the holder's head
            }
            assertEquals(700_000, budget.held());
            try (Socket second = begin("/generate", 600_000, 0)) {
                String response = answer(second);
                assertEquals("HTTP/1.1 503 Service Unavailable", status(response), response);
                assertTrue(response.toLowerCase().contains("retry-after: 1"), response);
                assertTrue(response.contains("\"code\":\"server_busy\""), response);
            }
        } // the holder goes away: its share comes back
        assertReleased();
        try (Socket again = begin("/generate", 600_000, 600_000)) {
            String response = answer(again);
            assertNotEquals("HTTP/1.1 503 Service Unavailable", status(response), response);
        }
    }

    @Test
    void aBodyLargerThanTheWholeBudgetIs413AndOneOfUnknownLength411() throws Exception {
        try (Socket big = begin("/v1/images/generations", 2_000_000, 0)) {
            String response = answer(big);
            assertEquals("HTTP/1.1 413 Request Entity Too Large", status(response), response);
            assertTrue(response.contains("\"code\":\"request_too_large\""), response);
        }
        try (Socket chunked = new Socket("127.0.0.1", RestAssured.port)) {
            chunked.setSoTimeout(15_000);
            chunked.getOutputStream().write(("POST /generate HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: "
                    + "application/json\r\nTransfer-Encoding: chunked\r\n\r\n2\r\n{}\r\n0\r\n\r\n")
                    .getBytes(StandardCharsets.US_ASCII));
            String response = answer(chunked);
            assertEquals("HTTP/1.1 411 Length Required", status(response), response);
        }
    }
}
