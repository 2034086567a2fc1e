package io.addonlogs.service.runtime;

import java.util.function.Supplier;

import io.micrometer.core.instrument.binder.jvm.JvmGcMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmMemoryMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmThreadMetrics;
import io.micrometer.core.instrument.binder.system.ProcessorMetrics;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.VertxOptions;
import io.vertx.micrometer.MicrometerMetricsFactory;
import io.vertx.micrometer.MicrometerMetricsOptions;

/**
 * A Vert.x instance whose metrics (and the services' own) go to one Prometheus registry, with the JVM's memory,
 * GC, threads, CPU and the process's resident memory.
 */
public record ServiceRuntime(Vertx vertx, PrometheusMeterRegistry registry) {

    public static ServiceRuntime create() {
        PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
        new JvmMemoryMetrics().bindTo(registry);
        new JvmGcMetrics().bindTo(registry);
        new JvmThreadMetrics().bindTo(registry);
        new ProcessorMetrics().bindTo(registry);
        ProcessMemory.bindTo(registry);
        MicrometerMetricsOptions metrics = new MicrometerMetricsOptions().setEnabled(true);
        Vertx vertx = Vertx.builder()
                .with(new VertxOptions().setMetricsOptions(metrics))
                .withMetrics(new MicrometerMetricsFactory(registry))
                .build();
        return new ServiceRuntime(vertx, registry);
    }

    /**
     * Stops a service running on this runtime, then closes Vert.x; blocks until both are done. Call it from a
     * thread of your own (a shutdown hook, a test): closing Vert.x from one of its own event loops never completes.
     */
    public void shutDown(Supplier<Future<Void>> stopService) {
        stopService.get().await();
        vertx.close().await();
    }
}
