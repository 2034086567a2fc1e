package io.addonlogs.deploy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import com.sun.net.httpserver.HttpServer;

import io.addonlogs.kafka.embedded.Await;
import io.addonlogs.service.http.ListenPort;

/**
 * The real haproxy with the shipped haproxy.cfg (on loopback, every backend one stub server): requests carrying
 * tokens in their query string or path are forwarded unchanged, and none of those tokens reaches haproxy's log.
 * Skipped without haproxy, unless {@code MONITORING_TESTS=required}.
 */
class HaproxyLogTest {

    private static final HttpClient HTTP = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(Duration.ofSeconds(5)).build();

    @TempDir
    Path dir;

    @Test
    void tokensInQueryStringsAndAdminPathsNeverReachTheLog() throws Exception {
        Path binary = MonitoringTools.require("haproxy", "haproxy");
        Queue<String> forwarded = new ConcurrentLinkedQueue<>();
        HttpServer stub = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        stub.createContext("/", exchange -> {
            forwarded.add(exchange.getRequestMethod() + " " + exchange.getRequestURI());
            exchange.getRequestBody().readAllBytes();
            exchange.sendResponseHeaders(200, -1);
            exchange.close();
        });
        stub.start();
        Map<Integer, Integer> services = new HashMap<>();
        for (int port : List.of(8080, 8081, 8090, 8091)) {
            services.put(port, stub.getAddress().getPort());
        }
        Map<Integer, Integer> listen = new HashMap<>();
        for (int lbPort : List.of(8080, 8081, 8090, 8404)) {
            listen.put(lbPort, ListenPort.free("127.0.0.1"));
        }
        Path config = dir.resolve("haproxy.cfg");
        Files.writeString(config, HaproxyOnLoopback.singleInstance(services, listen));
        try (ChildProcess haproxy = new ChildProcess(List.of(binary.toString(), "-db", "-f", config.toString()),
                dir.resolve("haproxy.log"))) {
            String viewer = "http://127.0.0.1:" + listen.get(8090) + "/v4/logs/organisations/orga_1/resources/addon_1/logs";
            Await.until(() -> {
                assertTrue(haproxy.isAlive(), haproxy.output());
                return status(HttpRequest.newBuilder(URI.create(viewer))) == 200;
            }, "haproxy forwarding to the stub");
            int before = forwarded.size();

            assertEquals(200, status(HttpRequest.newBuilder(URI.create(viewer + "?access_token=secret-viewer-jwt"))));
            assertEquals(200, status(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + listen.get(8080)
                    + "/logs?token=secret-log-token")).POST(HttpRequest.BodyPublishers.ofString("5 hello"))));
            assertEquals(200, status(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + listen.get(8081)
                    + "/admin/tokens/lt_secret-revoked?access_token=secret-admin")).DELETE()));

            assertEquals(List.of("GET /v4/logs/organisations/orga_1/resources/addon_1/logs?access_token=secret-viewer-jwt",
                    "POST /logs?token=secret-log-token", "DELETE /admin/tokens/lt_secret-revoked?access_token=secret-admin"),
                    forwarded.stream().skip(before).toList(), "forwarded unchanged");
            Await.until(() -> haproxy.output().contains("\"DELETE "), "the last request logged");
            String log = haproxy.output();
            assertTrue(log.contains("\"GET /v4/logs/organisations/orga_1/resources/addon_1/logs HTTP/1.1\""), log);
            assertTrue(log.contains("\"POST /logs HTTP/1.1\""), log);
            assertTrue(log.contains("\"DELETE /admin/tokens/<token> HTTP/1.1\""), log);
            assertFalse(log.contains("secret"), "a token reached haproxy's log:\n" + log);
        } finally {
            stub.stop(0);
        }
    }

    private static int status(HttpRequest.Builder request) {
        try {
            return HTTP.send(request.timeout(Duration.ofSeconds(5)).build(), HttpResponse.BodyHandlers.discarding())
                    .statusCode();
        } catch (IOException e) {
            return -1; // not listening yet
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError(e);
        }
    }
}
