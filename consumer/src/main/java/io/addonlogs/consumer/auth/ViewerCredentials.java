package io.addonlogs.consumer.auth;

import java.util.regex.Matcher;
import java.util.regex.Pattern;

import io.vertx.core.http.HttpServerRequest;

/**
 * What a caller presented: the token itself (from {@code Authorization: Bearer}, the {@code oauth_token} of an
 * OAuth header as the platform's CLI signs it, or the {@code access_token} query parameter of browsers'
 * EventSource), and the {@code Authorization} header to forward to the platform's sign-in endpoint.
 */
record ViewerCredentials(String token, String authorization) {

    private static final Pattern OAUTH_TOKEN = Pattern.compile("oauth_token=\"([^\"]*)\"");

    /** The caller's credentials, or null when there are none. */
    static ViewerCredentials of(HttpServerRequest request) {
        String header = request.getHeader("Authorization");
        if (header != null) {
            if (header.regionMatches(true, 0, "Bearer ", 0, 7)) {
                return new ViewerCredentials(header.substring(7).trim(), header);
            }
            if (header.regionMatches(true, 0, "OAuth ", 0, 6)) {
                Matcher m = OAUTH_TOKEN.matcher(header);
                return m.find() ? new ViewerCredentials(m.group(1), header) : null;
            }
        }
        String query = request.getParam("access_token");
        return query == null ? null : new ViewerCredentials(query, "Bearer " + query);
    }

    @Override
    public String toString() {
        return "ViewerCredentials[hidden]";
    }
}
