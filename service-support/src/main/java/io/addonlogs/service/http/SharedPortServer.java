package io.addonlogs.service.http;

import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Function;
import java.util.function.ToIntFunction;

import io.vertx.core.Deployable;
import io.vertx.core.DeploymentOptions;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.net.SocketAddress;

/**
 * A service's public HTTP verticle, one instance per event loop, all on one port: Vert.x shares a server among
 * instances that listen on the same host and port, and spreads connections over their event loops. For port 0 ("any
 * free port") it would give each instance a port of its own: so port 0 becomes Vert.x's shared random port (one port
 * the OS picks as the first instance binds, shared by the servers that ask for the same id), with an id of its own per
 * service, so that two services in one process (the local stack, the tests) never share a server. Nothing can take
 * the port between its choice and its binding, as another socket could take a port probed free and closed first.
 */
public final class SharedPortServer<V extends Deployable> {

    /** Ids of Vert.x's shared random ports: one per service in this process. */
    private static final AtomicInteger RANDOM_PORT_IDS = new AtomicInteger();

    private final Vertx vertx;
    private final Function<SocketAddress, V> newVerticle;
    private final ToIntFunction<V> actualPort;
    private volatile V first;
    private volatile String deployment;

    /** {@code newVerticle}: an instance listening on the address given; {@code actualPort}: the port it got. */
    public SharedPortServer(Vertx vertx, Function<SocketAddress, V> newVerticle, ToIntFunction<V> actualPort) {
        this.vertx = vertx;
        this.newVerticle = newVerticle;
        this.actualPort = actualPort;
    }

    /** Deploys {@code instances} verticles on {@code host}:{@code port} (0: any free port); completes once all listen. */
    public Future<Void> deploy(String host, int port, int instances) {
        SocketAddress address = port != 0 ? SocketAddress.inetSocketAddress(port, host)
                : SocketAddress.sharedRandomPort(RANDOM_PORT_IDS.incrementAndGet(), host);
        return vertx.deployVerticle(() -> created(newVerticle.apply(address)),
                        new DeploymentOptions().setInstances(instances))
                .onSuccess(id -> deployment = id).mapEmpty();
    }

    private synchronized V created(V verticle) {
        if (first == null) {
            first = verticle;
        }
        return verticle;
    }

    /** The port every instance listens on. */
    public int port() {
        return actualPort.applyAsInt(first);
    }

    /** Undeploys every instance (each closes its streams and its share of the server). */
    public Future<Void> undeploy() {
        return deployment == null ? Future.succeededFuture() : vertx.undeploy(deployment);
    }
}
