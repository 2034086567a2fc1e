package io.addonlogs.consumer;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import io.addonlogs.service.runtime.ServiceRuntime;

/** {@code java -jar log-consumer.jar}: configured by environment variables, stopped gracefully by SIGTERM. */
public final class TailMain {

    private static final Logger LOG = LoggerFactory.getLogger(TailMain.class);

    private TailMain() {
    }

    public static void main(String[] args) {
        TailConfig config;
        try {
            config = TailConfig.from(System.getenv());
        } catch (IllegalArgumentException e) {
            System.err.println("Invalid setting: " + e.getMessage());
            System.exit(2);
            return;
        }
        LOG.info("Starting consumer: {}", config);
        ServiceRuntime runtime = ServiceRuntime.create();
        TailService service = TailService.start(runtime.vertx(), runtime.registry(), config).await();
        LOG.info("Consumer listening on http://{}:{}/v4/logs/organisations/{{ownerId}}/resources/{{addonId}}/logs, "
                + "management on http://{}:{}/", config.host(), service.port(), config.managementHost(),
                service.managementPort());
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            LOG.info("Shutting down: closing SSE streams so viewers resume elsewhere");
            runtime.shutDown(service::stop);
        }, "consumer-shutdown"));
    }
}
