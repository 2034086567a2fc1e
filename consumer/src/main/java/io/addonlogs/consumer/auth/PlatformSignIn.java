package io.addonlogs.consumer.auth;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Base64;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpClientOptions;
import io.vertx.core.http.HttpClientResponse;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.RequestOptions;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;

/**
 * Delegated sign-in: asks the platform who a caller is. {@code GET $VIEWER_AUTH_URL} with the caller's
 * {@code Authorization} header forwarded verbatim (OAuth as the platform's CLI signs it, or Bearer); the platform
 * answers 200 {@code {"user":{"id","name"},"owners":[id | {"id","name"}],"addons":[id]}}, or 401/403 for
 * credentials it does not accept. Anything else, or no answer in time, fails closed ({@link ViewerAuth.Unavailable}).
 *
 * <p>Positive answers are cached for a short time, keyed by a SHA-256 of the header (the header itself is never kept
 * in the cache, logged or sent anywhere else), in a bounded least-recently-used map. Refusals are not cached.
 */
final class PlatformSignIn {

    private static final Logger LOG = LoggerFactory.getLogger(PlatformSignIn.class);
    /** The platform's answer is small; a larger one is refused rather than buffered. */
    private static final int MAX_ANSWER_BYTES = 1 << 20;

    private final HttpClient client;
    private final String url;
    private final long timeoutMs;
    private final long ttlNanos;
    private final Cache cache;

    PlatformSignIn(Vertx vertx, String url, long timeoutMs, long cacheSeconds, int cacheEntries) {
        this.client = vertx.createHttpClient(new HttpClientOptions().setConnectTimeout((int) timeoutMs));
        this.url = url;
        this.timeoutMs = timeoutMs;
        this.ttlNanos = cacheSeconds * 1_000_000_000L;
        this.cache = new Cache(cacheEntries);
    }

    Future<ViewerAuth.Result> signIn(String authorization) {
        String key = digest(authorization);
        Viewer cached = cache.get(key, System.nanoTime());
        if (cached != null) {
            return Future.succeededFuture(new ViewerAuth.Allowed(cached));
        }
        return client.request(new RequestOptions().setMethod(HttpMethod.GET).setAbsoluteURI(url)
                        .setTimeout(timeoutMs).putHeader("Authorization", authorization)
                        .putHeader("Accept", "application/json"))
                .compose(request -> request.send())
                .compose(this::answer)
                .map(result -> {
                    if (result instanceof ViewerAuth.Allowed allowed) {
                        cache.put(key, allowed.viewer(), System.nanoTime() + ttlNanos);
                    }
                    return result;
                })
                .recover(error -> {
                    LOG.warn("Platform sign-in at {} failed: {}", url, error.toString());
                    return Future.succeededFuture(new ViewerAuth.Unavailable("the platform's sign-in did not answer"));
                });
    }

    private Future<ViewerAuth.Result> answer(HttpClientResponse response) {
        int status = response.statusCode();
        if (status == 401 || status == 403) {
            response.request().reset();
            return Future.succeededFuture(new ViewerAuth.Denied("the platform did not accept these credentials"));
        }
        if (status != 200 || tooLong(response.getHeader("Content-Length"))) {
            LOG.warn("Platform sign-in at {} answered {} (length {})", url, status, response.getHeader("Content-Length"));
            response.request().reset();
            return Future.succeededFuture(new ViewerAuth.Unavailable("the platform's sign-in failed"));
        }
        return response.body().map(body -> {
            try {
                return new ViewerAuth.Allowed(viewer(body.toJsonObject()));
            } catch (RuntimeException e) {
                LOG.warn("Platform sign-in at {} answered something else than an identity: {}", url, e.getMessage());
                return new ViewerAuth.Unavailable("the platform's sign-in answered nonsense");
            }
        });
    }

    private static boolean tooLong(String contentLength) {
        try {
            return contentLength != null && Long.parseLong(contentLength) > MAX_ANSWER_BYTES;
        } catch (NumberFormatException e) {
            return true;
        }
    }

    /** Reads the platform's answer; throws on anything that is not one. */
    static Viewer viewer(JsonObject answer) {
        JsonObject user = answer.getJsonObject("user");
        String id = user.getString("id");
        if (id == null || id.isBlank()) {
            throw new IllegalArgumentException("no user.id");
        }
        String name = user.getString("name");
        Map<String, String> owners = new HashMap<>();
        JsonArray ownerList = answer.getJsonArray("owners", new JsonArray());
        for (Object owner : ownerList) {
            if (owner instanceof String ownerId) {
                owners.put(ownerId, ownerId);
            } else if (owner instanceof JsonObject object && object.getValue("id") instanceof String ownerId) {
                owners.put(ownerId, object.getValue("name") instanceof String n ? n : ownerId);
            } else {
                throw new IllegalArgumentException("owners holds " + owner);
            }
        }
        Set<String> addons = new HashSet<>();
        for (Object addon : answer.getJsonArray("addons", new JsonArray())) {
            if (!(addon instanceof String addonId)) {
                throw new IllegalArgumentException("addons holds " + addon);
            }
            addons.add(addonId);
        }
        return new Viewer(id, name == null ? id : name, owners, addons, null);
    }

    private static String digest(String authorization) {
        try {
            return Base64.getEncoder().encodeToString(MessageDigest.getInstance("SHA-256")
                    .digest(authorization.getBytes(StandardCharsets.UTF_8)));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every JVM has SHA-256", e);
        }
    }

    void close() {
        client.close();
    }

    /** Header digest to viewer, least recently used evicted first; entries expire. */
    private static final class Cache {
        private record Entry(Viewer viewer, long expiresAt) {
        }

        private final Map<String, Entry> entries;

        Cache(int capacity) {
            this.entries = new LinkedHashMap<>(16, 0.75f, true) {
                private static final long serialVersionUID = 1L;

                @Override
                protected boolean removeEldestEntry(Map.Entry<String, Entry> eldest) {
                    return size() > capacity;
                }
            };
        }

        synchronized Viewer get(String key, long now) {
            Entry entry = entries.get(key);
            if (entry == null) {
                return null;
            }
            if (entry.expiresAt() - now <= 0) {
                entries.remove(key);
                return null;
            }
            return entry.viewer();
        }

        synchronized void put(String key, Viewer viewer, long expiresAt) {
            entries.put(key, new Entry(viewer, expiresAt));
        }
    }
}
