package io.addonlogs.deploy;

import java.io.IOException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;

/** The ingest admin API as the launcher and the load tool use it: one log token per add-on, reused if it exists. */
public final class AdminTokens {

    private final HttpClient http = HttpClient.newHttpClient();
    private final String tokensUrl;
    private final String adminToken;

    public AdminTokens(String managementUrl, String adminToken) {
        this.tokensUrl = managementUrl + "/admin/tokens";
        this.adminToken = adminToken;
    }

    /** The add-on's first live token, created when it has none. */
    public String tokenFor(String addonId, String ownerId) throws IOException, InterruptedException {
        return tokenFor(new JsonObject().put("addonId", addonId).put("ownerId", ownerId)).getString("token");
    }

    /**
     * The add-on's first live token as the admin API describes it ({@code token, addonId, realId, name, ...}), created
     * from {@code addon} ({@code addonId, ownerId} and optionally {@code realId, name}) when it has none.
     */
    public JsonObject tokenFor(JsonObject addon) throws IOException, InterruptedException {
        String addonId = addon.getString("addonId");
        HttpResponse<String> existing = http.send(request(tokensUrl + "?addonId="
                + URLEncoder.encode(addonId, StandardCharsets.UTF_8)).build(), HttpResponse.BodyHandlers.ofString());
        if (existing.statusCode() != 200) {
            throw new IllegalStateException("cannot list tokens (" + existing.statusCode() + "): " + existing.body());
        }
        JsonArray tokens = new JsonArray(existing.body());
        if (!tokens.isEmpty()) {
            return tokens.getJsonObject(0);
        }
        HttpResponse<String> created = http.send(request(tokensUrl)
                .POST(HttpRequest.BodyPublishers.ofString(addon.encode())).build(), HttpResponse.BodyHandlers.ofString());
        if (created.statusCode() != 201) {
            throw new IllegalStateException("cannot create a token for " + addonId + " (" + created.statusCode()
                    + "): " + created.body());
        }
        return new JsonObject(created.body());
    }

    private HttpRequest.Builder request(String url) {
        return HttpRequest.newBuilder(URI.create(url)).header("Authorization", "Bearer " + adminToken);
    }
}
