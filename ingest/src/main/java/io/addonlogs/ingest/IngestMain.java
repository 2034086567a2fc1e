package io.addonlogs.ingest;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import io.addonlogs.service.runtime.ServiceRuntime;

/** {@code java -jar log-ingest.jar}: configured by environment variables, stopped gracefully by SIGTERM. */
public final class IngestMain {

    private static final Logger LOG = LoggerFactory.getLogger(IngestMain.class);

    private IngestMain() {
    }

    public static void main(String[] args) {
        IngestConfig config;
        try {
            config = IngestConfig.from(System.getenv());
        } catch (IllegalArgumentException e) {
            System.err.println("Invalid setting: " + e.getMessage());
            System.exit(2);
            return;
        }
        LOG.info("Starting ingest: {}", config);
        ServiceRuntime runtime = ServiceRuntime.create();
        IngestService service = IngestService.start(runtime.vertx(), runtime.registry(), config).await();
        String scheme = config.tls() ? "https" : "http";
        LOG.info("Ingest listening on {}://{}:{}/logs, management on http://{}:{}/ (health, metrics, admin)",
                scheme, config.host(), service.port(), config.managementHost(), service.managementPort());
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            LOG.info("Shutting down: finishing in-flight requests and flushing to Kafka");
            runtime.shutDown(service::stop);
        }, "ingest-shutdown"));
    }
}
