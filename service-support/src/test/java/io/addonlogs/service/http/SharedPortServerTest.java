package io.addonlogs.service.http;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;

import org.junit.jupiter.api.Test;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.VertxOptions;
import io.vertx.core.VerticleBase;
import io.vertx.core.http.HttpServer;
import io.vertx.core.net.SocketAddress;

/**
 * Port 0 for a service of several instances: one port, picked by the OS as it binds, shared by every instance (each
 * answers some connections), and a port of its own for each service of the same process. With plain port 0 each
 * instance would get its own port; with a port probed free first, another socket could take it before the bind.
 */
class SharedPortServerTest {

    private static final HttpClient HTTP = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
    private static final int INSTANCES = 4;

    @Test
    void portZeroIsOnePortSharedByEveryInstanceAndNotByAnotherService() throws Exception {
        Vertx vertx = Vertx.vertx(new VertxOptions().setEventLoopPoolSize(INSTANCES));
        try {
            List<Named> created = new CopyOnWriteArrayList<>();
            SharedPortServer<Named> one = server(vertx, "one", created);
            SharedPortServer<Named> other = server(vertx, "other", created);
            one.deploy("127.0.0.1", 0, INSTANCES).await();
            other.deploy("127.0.0.1", 0, 1).await();

            assertEquals(INSTANCES + 1, created.size());
            for (Named verticle : created) {
                int expected = verticle.name.startsWith("one") ? one.port() : other.port();
                assertEquals(expected, verticle.actualPort(), verticle.name + " listens on its service's port");
            }
            assertNotEquals(one.port(), other.port(), "each service has its own port");

            Set<String> answering = new HashSet<>();
            for (int i = 0; i < 8 * INSTANCES; i++) {
                answering.add(get(one.port())); // the instance closes each connection, and Vert.x hands new ones out in turn
            }
            assertTrue(answering.size() > 1, "connections spread over the instances: " + answering);
            assertTrue(answering.stream().allMatch(name -> name.startsWith("one")), answering.toString());
            assertTrue(get(other.port()).startsWith("other"));

            one.undeploy().await();
            other.undeploy().await();
            assertEquals(0, vertx.deploymentIDs().size(), "every instance undeployed");
        } finally {
            vertx.close().await();
        }
    }

    private static SharedPortServer<Named> server(Vertx vertx, String service, List<Named> created) {
        return new SharedPortServer<>(vertx, address -> {
            Named verticle = new Named(service + "-" + created.size(), address);
            created.add(verticle);
            return verticle;
        }, Named::actualPort);
    }

    private static String get(int port) throws Exception {
        HttpRequest request = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/")).build();
        HttpResponse<String> response = HTTP.send(request, HttpResponse.BodyHandlers.ofString());
        assertEquals(200, response.statusCode());
        return response.body();
    }

    /** An instance that answers with its name and closes the connection. */
    private static final class Named extends VerticleBase {

        private final String name;
        private final SocketAddress address;
        private HttpServer server;

        Named(String name, SocketAddress address) {
            this.name = name;
            this.address = address;
        }

        @Override
        public Future<?> start() {
            return vertx.createHttpServer()
                    .requestHandler(request -> request.response().putHeader("Connection", "close").end(name))
                    .listen(address).onSuccess(s -> server = s);
        }

        int actualPort() {
            return server.actualPort();
        }
    }
}
