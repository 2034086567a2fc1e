package io.addonlogs.load;

import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpClientOptions;
import io.vertx.core.http.HttpClientRequest;
import io.vertx.core.http.HttpClientResponse;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.PoolOptions;
import io.vertx.core.http.RequestOptions;

/**
 * N providers, each one connection sending one POST at a time. With a target rate each provider sends on a
 * schedule and a POST's latency counts from when it was due (no coordinated omission); without one, each sends
 * again as soon as it is answered.
 */
final class Providers {

    private static final int CHUNK = 16 << 10;

    private final Vertx vertx;
    private final HttpClient client;
    private final LoadOptions options;
    private final List<String> tokens;
    private final LoadStats stats;
    private final CountDownLatch stopped;
    private volatile boolean running = true;

    Providers(Vertx vertx, LoadOptions options, List<String> tokens, LoadStats stats) {
        this.vertx = vertx;
        this.options = options;
        this.tokens = tokens;
        this.stats = stats;
        this.stopped = new CountDownLatch(options.providers());
        this.client = vertx.createHttpClient(new HttpClientOptions().setKeepAlive(true).setConnectTimeout(5000),
                new PoolOptions().setHttp1MaxSize(Math.max(1, options.providers())));
    }

    void start() {
        double postsPerSecondEach = options.rate() == 0 ? 0
                : (double) options.rate() / options.linesPerPost() / options.providers();
        long now = System.nanoTime();
        for (int p = 0; p < options.providers(); p++) {
            Provider provider = new Provider(p, postsPerSecondEach == 0 ? 0 : (long) (1e9 / postsPerSecondEach), now);
            vertx.runOnContext(v -> provider.next());
        }
    }

    /** Stops sending and waits for the POSTs in flight to be answered. */
    void stop() throws InterruptedException {
        running = false;
        if (!stopped.await(30, TimeUnit.SECONDS)) {
            stats.error("not answered within 30 s of the end");
        }
        client.close().await();
    }

    private final class Provider {
        private final int index;
        private final long intervalNanos;
        private final LogplexBodies bodies;
        private long due;
        private long sent;

        Provider(int index, long intervalNanos, long start) {
            this.index = index;
            this.intervalNanos = intervalNanos;
            this.bodies = new LogplexBodies(tokens, options.linesPerPost(), options.minLineBytes(),
                    options.maxLineBytes(), options.gzip(), index);
            // spread the providers' schedules over one interval
            this.due = start + (intervalNanos == 0 ? 0 : intervalNanos * index / Math.max(1, options.providers()));
        }

        void next() {
            if (!running) {
                stopped.countDown();
                return;
            }
            long now = System.nanoTime();
            if (intervalNanos > 0 && due - now > 1_000_000) {
                vertx.setTimer((due - now) / 1_000_000, t -> next());
                return;
            }
            long startedAt = intervalNanos > 0 ? due : now;
            due += intervalNanos;
            int addon = (int) ((index + sent++) % tokens.size());
            byte[] body = bodies.next(addon, System.nanoTime());
            post(addon, body).onComplete(result -> {
                long latency = System.nanoTime() - startedAt;
                if (result.failed()) {
                    stats.error("io: " + result.cause().getClass().getSimpleName());
                } else if (result.result() / 100 == 2) {
                    stats.postLatency.recordValue(LoadStats.micros(latency));
                    stats.postsAccepted.increment();
                    stats.linesAccepted.add(options.linesPerPost());
                    stats.bytesAccepted.add(body.length);
                    stats.acceptedPerAddon.addAndGet(addon, options.linesPerPost());
                } else {
                    stats.error("HTTP " + result.result());
                }
                next();
            });
        }

        private Future<Integer> post(int addon, byte[] body) {
            RequestOptions request = new RequestOptions().setMethod(HttpMethod.POST)
                    .setAbsoluteURI(options.ingest() + "/logs")
                    .putHeader("Authorization", "Basic " + Base64.getEncoder().encodeToString(
                            ("token:" + tokens.get(addon)).getBytes(StandardCharsets.UTF_8)))
                    .putHeader("Content-Type", "application/logplex-1")
                    .putHeader("Logplex-Msg-Count", String.valueOf(options.linesPerPost()));
            if (options.gzip()) {
                request.putHeader("Content-Encoding", "gzip");
            }
            return client.request(request).compose(req -> send(req, body))
                    .compose(response -> response.body().map(b -> response.statusCode()));
        }

        private Future<HttpClientResponse> send(HttpClientRequest req, byte[] body) {
            if (!options.chunked()) {
                return req.send(Buffer.buffer(body));
            }
            req.setChunked(true);
            Buffer whole = Buffer.buffer(body);
            for (int off = 0; off < body.length; off += CHUNK) {
                req.write(whole.slice(off, Math.min(body.length, off + CHUNK)));
            }
            req.end();
            return req.response();
        }
    }
}
