package io.addonlogs.common.drains;

import java.net.URI;
import java.net.URISyntaxException;
import java.util.Locale;
import java.util.Objects;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Where a drain delivers, as the platform's API names it ({@code recipient}): its type, URL, Elasticsearch index
 * prefix, Basic-auth user name, and the secrets: the Basic-auth password, the API key (New Relic), the source token
 * (Better Stack) and the RFC 5424 structured-data parameters (OVH's {@code X-OVH-TOKEN="..."} is a token). The URL is
 * a secret too: Datadog's intake URL carries its API key ({@code dd-api-key=}) and any URL may carry a password. The
 * API shows {@link #shownUrl()} and {@link #shownStructuredData()}, with every such value replaced by {@code ***}.
 */
public record DrainRecipient(DrainType type, Secret url, String index, String username, Secret password, Secret apiKey,
                             Secret sourceToken, Secret structuredData) {

    /** Query parameters whose values are credentials (Datadog's, and common spellings of API keys and tokens). */
    private static final Pattern SECRET_QUERY = Pattern.compile(
            "(?i)([?&](?:dd-api-key|api[-_]?key|apikey|token|source[-_]?token|x-insert-key|license[-_]?key)=)[^&#]*");
    /** Datadog's older intake URL carries the key as a path segment: {@code /v1/input/<key>}. */
    private static final Pattern KEY_IN_PATH = Pattern.compile("(?i)(/v1/input/)[^/?#]+");
    /** An SD-PARAM's value, quoted, with RFC 5424 escapes. */
    private static final Pattern SD_VALUE = Pattern.compile("=\"(?:[^\"\\\\]|\\\\.)*\"");
    private static final Pattern SD_PARAMS = Pattern.compile(
            "[^= \\]\"]{1,32}=\"(?:[^\"\\\\]|\\\\.)*\"(?: [^= \\]\"]{1,32}=\"(?:[^\"\\\\]|\\\\.)*\")*");

    public DrainRecipient {
        Objects.requireNonNull(type, "type");
        Objects.requireNonNull(url, "url");
        index = blankToNull(index);
        username = blankToNull(username);
        URI uri = parse(url.reveal());
        String scheme = uri.getScheme().toLowerCase(Locale.ROOT);
        if (!type.accepts(scheme)) {
            throw new IllegalArgumentException(type + " drains take " + type.schemes() + " URLs, not " + scheme);
        }
        if (uri.getHost() == null || (type.syslog() && uri.getPort() < 0)) {
            throw new IllegalArgumentException("the drain URL needs a host" + (type.syslog() ? " and a port" : ""));
        }
        if (type == DrainType.ELASTICSEARCH && index == null) {
            throw new IllegalArgumentException("ELASTICSEARCH drains need an index prefix");
        }
        if (type == DrainType.NEWRELIC && apiKey == null) {
            throw new IllegalArgumentException("NEWRELIC drains need an API key");
        }
        if (type == DrainType.BETTERSTACK && sourceToken == null) {
            throw new IllegalArgumentException("BETTERSTACK drains need a source token");
        }
        if (structuredData != null && !SD_PARAMS.matcher(structuredData.reveal()).matches()) {
            throw new IllegalArgumentException(
                    "rfc5424StructuredDataParameters must be RFC 5424 SD-PARAMs: name=\"value\" separated by spaces");
        }
    }

    private static URI parse(String url) {
        try {
            URI uri = new URI(url);
            if (uri.getScheme() == null) {
                throw new IllegalArgumentException("the drain URL has no scheme");
            }
            return uri;
        } catch (URISyntaxException e) {
            throw new IllegalArgumentException("the drain URL is not a URL: " + e.getReason(), e);
        }
    }

    private static String blankToNull(String value) {
        return value == null || value.isBlank() ? null : value;
    }

    public URI uri() {
        return URI.create(url.reveal());
    }

    /** The URL with a user-info password and credential query values replaced by {@code ***}. */
    public String shownUrl() {
        String shown = url.reveal();
        URI uri = uri();
        if (uri.getRawUserInfo() != null && uri.getRawUserInfo().contains(":")) {
            String user = uri.getRawUserInfo().substring(0, uri.getRawUserInfo().indexOf(':'));
            shown = shown.replace(uri.getRawUserInfo() + "@", user + ":***@");
        }
        shown = KEY_IN_PATH.matcher(shown).replaceAll("$1***");
        return SECRET_QUERY.matcher(shown).replaceAll("$1***");
    }

    /** The structured-data parameters with every value replaced by {@code ***}, or null. */
    public String shownStructuredData() {
        return structuredData == null ? null
                : SD_VALUE.matcher(structuredData.reveal()).replaceAll(Matcher.quoteReplacement("=\"***\""));
    }

    @Override
    public String toString() {
        return "DrainRecipient[type=" + type + ", url=" + shownUrl() + ", index=" + index + ", username=" + username
                + ", password=" + password + ", apiKey=" + apiKey + ", sourceToken=" + sourceToken
                + ", structuredData=" + shownStructuredData() + "]";
    }
}
