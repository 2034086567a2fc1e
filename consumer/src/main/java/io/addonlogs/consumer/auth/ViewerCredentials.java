package io.addonlogs.consumer.auth;

import java.util.regex.Matcher;
import java.util.regex.Pattern;

import io.vertx.core.http.HttpServerRequest;

/**
 * What a caller presented: the token itself (from {@code Authorization: Bearer}, or the {@code oauth_token} of an
 * OAuth header as the platform's CLI signs it), and the {@code Authorization} header to forward to the platform's
 * sign-in endpoint. Never from the URL: proxies and access logs keep query strings, so a request with a token in
 * its query ({@code access_token}, {@code token}) is refused even when its header is fine (see
 * {@link #tokenInQuery}).
 */
record ViewerCredentials(String token, String authorization) {

    private static final Pattern OAUTH_TOKEN = Pattern.compile("oauth_token=\"([^\"]*)\"");
    /** Query parameters that carry a token in other services' conventions (EventSource clients use them). */
    private static final String[] QUERY_TOKENS = {"access_token", "token"};

    /** The caller's credentials, or null when there are none. */
    static ViewerCredentials of(HttpServerRequest request) {
        String header = request.getHeader("Authorization");
        if (header == null) {
            return null;
        }
        if (header.regionMatches(true, 0, "Bearer ", 0, 7)) {
            return new ViewerCredentials(header.substring(7).trim(), header);
        }
        if (header.regionMatches(true, 0, "OAuth ", 0, 6)) {
            Matcher m = OAUTH_TOKEN.matcher(header);
            return m.find() ? new ViewerCredentials(m.group(1), header) : null;
        }
        return null;
    }

    /** The name of the query parameter in which this request carries a token, or null. */
    static String tokenInQuery(HttpServerRequest request) {
        for (String name : QUERY_TOKENS) {
            if (request.params().contains(name)) {
                return name;
            }
        }
        return null;
    }

    @Override
    public String toString() {
        return "ViewerCredentials[hidden]";
    }
}
