package io.addonlogs.consumer.drains;

import java.util.Map;
import java.util.List;

import io.addonlogs.consumer.auth.ViewerAuth;
import io.addonlogs.service.kafka.SupervisedLoop;
import io.addonlogs.service.tokens.TokenRegistry;
import io.vertx.core.Vertx;

/** The drains API's parts of one consumer process: its store and probe (none without a key), and its routes. */
public final class DrainsApi implements AutoCloseable {

    private final DrainStore store;
    private final RecipientProbe probe;
    private final DrainRoutes routes;

    public DrainsApi(Vertx vertx, Map<String, String> kafka, DrainsApiConfig config, TokenRegistry tokens,
                     ViewerAuth auth) {
        this.store = config.enabled() ? new DrainStore(vertx, kafka, config) : null;
        this.probe = config.enabled() ? new RecipientProbe(vertx, config.tlsTrustPem()) : null;
        this.routes = new DrainRoutes(store, probe, tokens, auth);
    }

    public DrainRoutes routes() {
        return routes;
    }

    /** Its followers, for the management server (none when off). */
    public List<SupervisedLoop<?>> loops() {
        return store == null ? List.of() : store.loops();
    }

    @Override
    public void close() {
        if (store != null) {
            store.close();
            probe.close();
        }
    }
}
