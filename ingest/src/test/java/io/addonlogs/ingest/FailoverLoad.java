package io.addonlogs.ingest;

import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.IntPredicate;
import java.util.stream.IntStream;

/**
 * Providers POSTing numbered lines (ids {@code p<provider>-r<request>-l<line>}) to a primary ingest instance, and
 * after any failure resending the same body to a fallback instance, as a load balancer would. Counts what was
 * acknowledged and what failed where.
 */
final class FailoverLoad {

    private static final int LINES = 40;

    final Set<String> acknowledged = ConcurrentHashMap.newKeySet();
    final AtomicInteger primaryAccepted = new AtomicInteger();
    final AtomicInteger primaryFailed = new AtomicInteger();
    final AtomicInteger fallbackFailed = new AtomicInteger();
    final AtomicLong resentLines = new AtomicLong();
    private final AtomicBoolean running = new AtomicBoolean(true);
    private final List<Thread> providers = new ArrayList<>();

    /** Starts {@code count} providers; those for which {@code onPrimary} holds start on the primary. */
    FailoverLoad(IngestFixture fixture, String token, URI primary, URI fallback, int count, IntPredicate onPrimary) {
        for (int p = 0; p < count; p++) {
            int provider = p;
            Thread t = new Thread(() -> {
                boolean toPrimary = onPrimary.test(provider);
                for (int r = 0; running.get(); r++) {
                    int request = r;
                    List<String> ids = IntStream.range(0, LINES)
                            .mapToObj(i -> "p" + provider + "-r" + request + "-l" + i).toList();
                    String body = Frames.body(ids.stream().map(id -> Frames.line(token, "line " + id)).toList());
                    while (true) {
                        if (post(fixture, toPrimary ? primary : fallback, token, body) == 204) {
                            acknowledged.addAll(ids);
                            if (toPrimary) {
                                primaryAccepted.incrementAndGet();
                            }
                            break;
                        }
                        (toPrimary ? primaryFailed : fallbackFailed).incrementAndGet();
                        resentLines.addAndGet(LINES);
                        toPrimary = false;
                    }
                }
            }, "provider-" + p);
            t.start();
            providers.add(t);
        }
    }

    int linesPerRequest() {
        return LINES;
    }

    void stop() throws InterruptedException {
        running.set(false);
        for (Thread t : providers) {
            t.join();
        }
    }

    private static int post(IngestFixture fixture, URI target, String token, String body) {
        try {
            return fixture.http.send(HttpRequest.newBuilder(target).timeout(Duration.ofSeconds(30))
                    .header("Authorization", IngestFixture.basic(token))
                    .header("Content-Type", "application/logplex-1")
                    .POST(HttpRequest.BodyPublishers.ofString(body)).build(),
                    HttpResponse.BodyHandlers.discarding()).statusCode();
        } catch (Exception e) {
            return -1;
        }
    }
}
