package io.addonlogs.drain;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import io.addonlogs.service.runtime.ServiceRuntime;

/** {@code java -jar log-drain.jar}: a drain worker, configured by environment variables, stopped by SIGTERM. */
public final class DrainMain {

    private static final Logger LOG = LoggerFactory.getLogger(DrainMain.class);

    private DrainMain() {
    }

    public static void main(String[] args) {
        DrainConfig config;
        try {
            config = DrainConfig.from(System.getenv());
        } catch (IllegalArgumentException e) {
            System.err.println("Invalid setting: " + e.getMessage());
            System.exit(2);
            return;
        }
        LOG.info("Starting drain worker: {}", config);
        ServiceRuntime runtime = ServiceRuntime.create();
        DrainService service = DrainService.start(runtime.vertx(), runtime.registry(), config).await();
        LOG.info("Drain worker running, management on http://{}:{}/", config.managementHost(), service.managementPort());
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            LOG.info("Shutting down: the other workers take this one's partitions from their cursors");
            runtime.shutDown(service::stop);
        }, "drain-shutdown"));
    }
}
