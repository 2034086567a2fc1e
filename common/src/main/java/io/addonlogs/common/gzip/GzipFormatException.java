package io.addonlogs.common.gzip;

/** The body is not valid gzip; the message says why. */
public final class GzipFormatException extends RuntimeException {

    private static final long serialVersionUID = 1L;

    public GzipFormatException(String message) {
        super(message, null, false, false);
    }
}
