package io.addonlogs.consumer;

import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;

/**
 * A protocol-level stand-in for the platform's sign-in endpoint (the real one cannot run here): {@code GET /whoami}
 * answers the identity registered for the exact {@code Authorization} header it receives, 401 for any other, or
 * whatever status it is told to fail with. It records every header it was sent.
 */
final class PlatformSignInStandIn implements AutoCloseable {

    private final HttpServer server;
    private final Map<String, String> identities = new ConcurrentHashMap<>();
    final List<String> received = new CopyOnWriteArrayList<>();
    private volatile int failWith;

    PlatformSignInStandIn() throws IOException {
        server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        server.createContext("/whoami", this::answer);
        server.start();
    }

    String url() {
        return "http://127.0.0.1:" + server.getAddress().getPort() + "/whoami";
    }

    /** The identity JSON to answer for this exact header. */
    void knows(String authorization, String identityJson) {
        identities.put(authorization, identityJson);
    }

    /** Answer every request with this status (0: answer normally again). */
    void failWith(int status) {
        failWith = status;
    }

    private void answer(HttpExchange exchange) throws IOException {
        String authorization = exchange.getRequestHeaders().getFirst("Authorization");
        received.add(String.valueOf(authorization));
        String identity = authorization == null ? null : identities.get(authorization);
        int status = failWith != 0 ? failWith : identity == null ? 401 : 200;
        byte[] body = (status == 200 ? identity : "{\"error\":\"no\"}").getBytes(StandardCharsets.UTF_8);
        exchange.getResponseHeaders().add("Content-Type", "application/json");
        exchange.sendResponseHeaders(status, body.length);
        try (OutputStream out = exchange.getResponseBody()) {
            out.write(body);
        }
    }

    @Override
    public void close() {
        server.stop(0);
    }
}
