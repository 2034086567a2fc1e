package io.addonlogs.consumer.history;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;

import org.apache.kafka.clients.consumer.CloseOptions;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.KafkaException;

import io.addonlogs.consumer.kafka.LogRecords;
import io.addonlogs.service.kafka.ClientConfig;

/**
 * What one history reading thread reads with, all its own: a wide logs consumer (the thread's
 * {@link io.addonlogs.service.kafka.ConsumerThread} owns and closes it), {@link #SCATTERED} narrow ones (with the wide
 * one in {@code scan}) and the index reader.
 */
record HistoryConsumers(KafkaConsumer<byte[], byte[]> logs, List<KafkaConsumer<byte[], byte[]>> narrow,
                        KafkaConsumer<byte[], byte[]> indexConsumer, LogScan scan, IndexTopic index) {

    /** Bytes of a narrow fetch (the few records of a quiet add-on among busy neighbours). */
    static final int NARROW_BYTES = 16 << 10;
    /** Short ranges of one partition read side by side (a quiet add-on's lines: one fetch each). */
    static final int SCATTERED = 8;

    /** The consumers of reading thread {@code i}; {@code recordsRead} counts what they fetch. */
    static HistoryConsumers create(Map<String, String> kafka, String topic, String indexTopic, int i,
                                   AtomicLong recordsRead) {
        Map<String, Object> config = LogRecords.readerSettings("log-consumer-history-" + i);
        // a position before the log start (lines past retention) reads from the start; cursors beyond the
        // end are refused before any read
        config.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
        // what a history read wants is written already: a fetch left parked at the log's end when a step ends would
        // only hold this thread's next request (a resume's step waited ~20 ms for it)
        config.put(ConsumerConfig.FETCH_MAX_WAIT_MS_CONFIG, 0);
        // small fetches, and steps of bounded line bytes: history memory is bounded by threads, not by viewers,
        // as is what a viewer that stopped reading makes this instance read and encode
        config.put(ConsumerConfig.MAX_PARTITION_FETCH_BYTES_CONFIG, HistoryReader.FETCH_BYTES);
        config.put(ConsumerConfig.FETCH_MAX_BYTES_CONFIG, HistoryReader.FETCH_BYTES);
        KafkaConsumer<byte[], byte[]> logs = new KafkaConsumer<>(ClientConfig.of(kafka, config));
        // about one producer batch per fetch (a broker answers with at least one whole batch)
        config.put(ConsumerConfig.MAX_PARTITION_FETCH_BYTES_CONFIG, NARROW_BYTES);
        config.put(ConsumerConfig.FETCH_MAX_BYTES_CONFIG, NARROW_BYTES);
        List<KafkaConsumer<byte[], byte[]>> narrow = new ArrayList<>();
        for (int k = 0; k < SCATTERED; k++) {
            config.put(ConsumerConfig.CLIENT_ID_CONFIG, "log-consumer-history-narrow-" + i + "-" + k);
            narrow.add(new KafkaConsumer<>(ClientConfig.of(kafka, config)));
        }
        Map<String, Object> indexConfig = LogRecords.readerSettings("log-consumer-history-index-" + i);
        // a missing index topic means reading without it, never creating it with a broker's defaults
        indexConfig.put(ConsumerConfig.ALLOW_AUTO_CREATE_TOPICS_CONFIG, false);
        KafkaConsumer<byte[], byte[]> index = new KafkaConsumer<>(ClientConfig.of(kafka, indexConfig));
        return new HistoryConsumers(logs, narrow, index, new LogScan(logs, narrow, topic, recordsRead),
                new IndexTopic(index, indexTopic));
    }

    /**
     * Connects every consumer (metadata, then a broker): a first viewer's history otherwise waits for up to ten
     * connections of a fresh pool. Failures are left for the first read to meet.
     */
    void connect(String topic) {
        List<KafkaConsumer<byte[], byte[]>> all = new ArrayList<>(narrow);
        all.add(logs);
        for (KafkaConsumer<byte[], byte[]> consumer : all) {
            try {
                consumer.partitionsFor(topic, Duration.ofSeconds(5));
            } catch (KafkaException e) {
                return;
            }
        }
        try {
            index.partitions();
        } catch (KafkaException e) {
            // read without the index until it answers
        }
    }

    /** Closes the consumers the thread does not close itself. */
    void closeOthers() {
        narrow.forEach(c -> c.close(CloseOptions.timeout(Duration.ofSeconds(5))));
        indexConsumer.close(CloseOptions.timeout(Duration.ofSeconds(5)));
    }
}
