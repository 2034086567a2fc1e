package io.addonlogs.common.kafka;

/** The headers of a record of the logs topic: written by ingest, read by everything that reads the topic. */
public final class LogHeaders {

    /**
     * The add-on the line belongs to (its id, UTF-8), from the ingest's token registry: providers cannot set it, and
     * readers select an add-on's lines by it (the key, the token, is not shown to viewers).
     */
    public static final String ADDON_ID = "addon-id";

    private LogHeaders() {
    }
}
