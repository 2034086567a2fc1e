package io.addonlogs.drain.delivery;

import java.util.ArrayList;
import java.util.List;
import java.util.function.Function;

import org.apache.kafka.clients.consumer.ConsumerRecord;

import io.addonlogs.common.syslog.Rfc5424Header;
import io.addonlogs.consumer.history.HistoryReader;
import io.addonlogs.drain.DrainConfig;
import io.addonlogs.drain.format.DrainLine;
import io.addonlogs.drain.kafka.DrainCursors;
import io.vertx.core.Context;

/** What every {@link DrainChannel} of a worker shares: its context, Kafka access, settings and meters. */
record ChannelEnv(Context context, HistoryReader history, DrainCursors cursors, DrainConfig config,
                  DrainMetrics metrics, Function<String, String> realIdOf) {

    /** Rewrites records of one add-on for its drains (on a reading thread). */
    List<DrainLine> lines(String addonId, List<ConsumerRecord<byte[], byte[]>> records) {
        Rfc5424Header parser = new Rfc5424Header();
        DrainLine.AppName app = DrainLine.AppName.of(realIdOf.apply(addonId));
        List<DrainLine> lines = new ArrayList<>(records.size());
        for (ConsumerRecord<byte[], byte[]> record : records) {
            DrainLine line = DrainLine.of(record.offset(), record.value(), record.timestamp(), app, parser);
            if (line != null) {
                lines.add(line);
            }
        }
        return lines;
    }
}
