package io.addonlogs.load;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;

import io.vertx.core.Future;
import io.vertx.core.Handler;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpClientOptions;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.PoolOptions;
import io.vertx.core.http.RequestOptions;
import io.vertx.core.parsetools.RecordParser;

import io.addonlogs.deploy.ViewerTokens;

/**
 * M SSE viewers spread over the add-ons (viewer i tails add-on i mod addons), each on its own connection. Every
 * RESOURCE_LOG line received is counted for its add-on; the first {@code --timed-viewers} of them also record its
 * delivery latency from the {@code ts=} the provider wrote into it, the others only count ({@link EventCounter}).
 */
final class Viewers {

    static final String OWNER = "orga_load";

    private final HttpClient client;
    private final LoadOptions options;
    private final LoadStats stats;
    private final AtomicInteger connected = new AtomicInteger();
    private volatile boolean closing;

    Viewers(Vertx vertx, LoadOptions options, LoadStats stats) {
        this.options = options;
        this.stats = stats;
        this.client = vertx.createHttpClient(new HttpClientOptions().setKeepAlive(true).setConnectTimeout(10_000),
                new PoolOptions().setHttp1MaxSize(Math.max(1, options.viewers())));
    }

    /** Opens every viewer; completes once each got its 200 (or failed). */
    void open(List<String> addonIds) {
        String jwt = ViewerTokens.mint(options.viewerSecret(), OWNER, Duration.ofHours(12));
        List<Future<?>> all = new ArrayList<>();
        for (int i = 0; i < options.viewers(); i++) {
            int addon = i % addonIds.size();
            boolean timed = i < options.timedViewers();
            RequestOptions request = new RequestOptions().setMethod(HttpMethod.GET)
                    .setAbsoluteURI(options.consumer() + "/v4/logs/organisations/" + OWNER + "/resources/"
                            + addonIds.get(addon) + "/logs")
                    .putHeader("Authorization", "Bearer " + jwt).putHeader("Accept", "text/event-stream");
            all.add(client.request(request).compose(req -> req.send()).onSuccess(response -> {
                if (response.statusCode() != 200) {
                    stats.error("viewer HTTP " + response.statusCode());
                    response.body();
                    return;
                }
                connected.incrementAndGet();
                response.handler(timed ? timedHandler(addon) : countingHandler(addon));
                response.endHandler(v -> dropped());
                response.exceptionHandler(e -> dropped());
            }).onFailure(e -> stats.error("viewer io: " + e.getClass().getSimpleName())));
        }
        Future.join(all).otherwiseEmpty().await();
    }

    /** Parses every line: counts the add-on's lines and records their delivery latency. */
    private Handler<Buffer> timedHandler(int addon) {
        return RecordParser.newDelimited("\n", line -> {
            if (line.length() > 5 && line.getByte(0) == 'd') {
                long ts = LogplexBodies.sendNanos(line.toString());
                if (ts > 0) {
                    stats.deliveryLatency.recordValue(LoadStats.micros(System.nanoTime() - ts));
                    stats.deliveredPerAddon.incrementAndGet(addon);
                    stats.sseLines.increment();
                }
            }
        });
    }

    /** Counts the add-on's lines without decoding them. */
    private Handler<Buffer> countingHandler(int addon) {
        EventCounter counter = new EventCounter();
        return chunk -> {
            int events = counter.count(chunk);
            if (events > 0) {
                stats.deliveredPerAddon.addAndGet(addon, events);
                stats.sseLines.add(events);
            }
        };
    }

    private void dropped() {
        if (!closing) {
            stats.viewerDrops.increment();
        }
    }

    int connected() {
        return connected.get();
    }

    void close() {
        closing = true;
        client.close().await();
    }
}
