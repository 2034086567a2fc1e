package io.addonlogs.drain.delivery;

import java.util.List;

import io.addonlogs.drain.format.DrainLine;
import io.vertx.core.Future;

/**
 * One drain's connection to its recipient, used from the worker's event loop, one delivery at a time. A delivery
 * succeeds when the recipient acknowledged it as its protocol can: an HTTP 2xx (and, for Elasticsearch, no item
 * refused); for syslog over TCP, the bytes written to a connection that stayed open (syslog has no application
 * acknowledgement); for UDP, the datagrams sent.
 */
public interface Recipient {

    /** Lines one delivery may carry at most, whatever {@code DRAIN_BATCH_LINES} says (the protocol's own limit). */
    default int maxBatchLines() {
        return Integer.MAX_VALUE;
    }

    /** Delivers {@code lines}; {@code batchId} is the same when the same lines are sent again. */
    Future<Void> send(List<DrainLine> lines, String batchId);

    void close();
}
