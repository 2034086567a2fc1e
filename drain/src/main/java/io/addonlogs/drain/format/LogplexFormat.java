package io.addonlogs.drain.format;

import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import io.addonlogs.common.drains.DrainDefinition;

/**
 * RAW_HTTP: what Heroku's HTTPS drains POST ({@code application/logplex-1}): the lines as octet-counted RFC 5424
 * frames, with {@code Logplex-Msg-Count} (lines in the body), {@code Logplex-Frame-Id} (the batch id: the same on a
 * retry), {@code Logplex-Drain-Token} ({@code d.<drain id>}) and, when the recipient has a user name or password,
 * Basic auth. APP-NAME is the recipient's Basic-auth password when there is one (a logplex receiver such as this
 * project's own ingest takes its token there and in the password: it is the recipient's own credential), else the
 * add-on's real id.
 */
final class LogplexFormat implements HttpFormat {

    private final String drainToken;
    private final String auth;
    private final byte[] appName;

    LogplexFormat(DrainDefinition drain) {
        this.drainToken = "d." + drain.id();
        this.auth = HttpFormat.basicAuth(drain.recipient());
        String password = drain.recipient().password() != null ? drain.recipient().password().reveal()
                : passwordInUrl(drain.recipient().uri().getUserInfo());
        this.appName = password == null || password.isEmpty() || password.length() > 48 ? null
                : password.getBytes(StandardCharsets.US_ASCII);
    }

    private static String passwordInUrl(String info) {
        return info == null || info.indexOf(':') < 0 ? null : info.substring(info.indexOf(':') + 1);
    }

    @Override
    public HttpPayload payload(List<DrainLine> lines, String batchId) {
        Map<String, String> headers = new HashMap<>();
        headers.put("Logplex-Msg-Count", String.valueOf(lines.size()));
        headers.put("Logplex-Frame-Id", batchId);
        headers.put("Logplex-Drain-Token", drainToken);
        if (auth != null) {
            headers.put("Authorization", auth);
        }
        return new HttpPayload("application/logplex-1", headers, DrainLine.frames(lines, appName, null));
    }
}
