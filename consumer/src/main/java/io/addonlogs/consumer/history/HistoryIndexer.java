package io.addonlogs.consumer.history;

import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

import org.apache.kafka.clients.consumer.CloseOptions;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRebalanceListener;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.header.Headers;
import org.apache.kafka.common.serialization.Deserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import io.addonlogs.common.kafka.LogHeaders;
import io.addonlogs.consumer.kafka.LogRecords;
import io.addonlogs.service.kafka.ClientConfig;
import io.addonlogs.service.kafka.SupervisedLoop;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;

/**
 * Writes the history index: reads the logs topic as a member of a consumer group (each partition indexed by one
 * consumer instance, moved on when instances come and go) and, per partition, writes one {@link IndexBlock} per
 * {@code blockRecords} records or {@code blockMillis} (whichever comes first) to the index topic. Its progress is the
 * index itself: on taking a partition it goes on from the end of that partition's newest block, or from the log's
 * start when the index has none (so a lost index is rebuilt from Kafka), and commits nothing. A block lost (a failed
 * write, an instance killed) leaves a hole readers scan instead; a block written twice (a rebalance) is ignored by
 * readers: the index saves reading, it never decides which records exist ({@link RangePlan}).
 */
public final class HistoryIndexer implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(HistoryIndexer.class);
    private static final Duration POLL = Duration.ofMillis(200);

    private final String logsTopic;
    private final String indexTopic;
    private final int blockRecords;
    private final long blockNanos;
    /** The current attempt's consumer (a member of the group); like the fields below, the loop thread's only. */
    private KafkaConsumer<byte[], ByteBuffer> consumer;
    private final KafkaConsumer<byte[], byte[]> indexConsumer;
    private final KafkaProducer<byte[], byte[]> producer;
    private final IndexTopic index;
    private final Map<Integer, BlockBuilder> builders = new HashMap<>();
    /** Per partition this instance indexes, the end of its last block the index topic acknowledged. */
    private final Map<Integer, Long> indexedUpTo = new ConcurrentHashMap<>();
    private final Counter blocks;
    private final Counter records;
    private final Counter failures;
    /**
     * Restarted after a retriable error like the services' other loops, but left out of readiness and liveness
     * (history is read without the index meanwhile): {@code history_index_up} tells whether it runs.
     */
    private final SupervisedLoop<KafkaConsumer<byte[], ByteBuffer>> loop;

    /** {@code kafka}: the service's shared Kafka client settings (bootstrap servers, security). */
    public HistoryIndexer(Map<String, String> kafka, String logsTopic, String indexTopic, String groupId,
                          int blockRecords, int blockMillis, MeterRegistry registry) {
        this.logsTopic = logsTopic;
        this.indexTopic = indexTopic;
        this.blockRecords = blockRecords;
        this.blockNanos = Duration.ofMillis(blockMillis).toNanos();
        Map<String, Object> config = LogRecords.readerSettings("log-indexer");
        config.put(ConsumerConfig.GROUP_ID_CONFIG, groupId);
        // a block is sealed every blockMillis anyway: no need for the live reader's short fetch wait
        config.put(ConsumerConfig.FETCH_MAX_WAIT_MS_CONFIG, 500);
        // batches' CRCs are checked (Kafka's default) as the readers check them: the lines a block keeps are served
        // from the index as they were read here
        // nor keys and values: a block needs a record's offset, timestamp and addon-id header, and the values of the
        // few lines it keeps (copied out of the fetched batch only then)
        config.put(ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, Skipped.class);
        config.put(ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, View.class);
        // partitions added to the logs topic are indexed within this long (read without the index until then)
        config.put(ConsumerConfig.METADATA_MAX_AGE_CONFIG, 10_000);
        Map<String, Object> groupConfig = ClientConfig.of(kafka, config);
        Map<String, Object> indexConfig = LogRecords.readerSettings("log-indexer-lookup");
        indexConfig.put(ConsumerConfig.ALLOW_AUTO_CREATE_TOPICS_CONFIG, false);
        this.indexConsumer = new KafkaConsumer<>(ClientConfig.of(kafka, indexConfig));
        this.index = new IndexTopic(indexConsumer, indexTopic);
        this.producer = new KafkaProducer<>(ClientConfig.of(kafka, Map.of(
                ProducerConfig.CLIENT_ID_CONFIG, "log-indexer",
                // blocks of one partition must land in order: idempotence keeps them in order across retries
                ProducerConfig.ACKS_CONFIG, "all",
                ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true,
                // blocks repeat add-on hashes: lz4 shrinks them at little CPU
                ProducerConfig.COMPRESSION_TYPE_CONFIG, "lz4",
                ProducerConfig.LINGER_MS_CONFIG, 20,
                // a missing index topic must not hold the indexing thread for the default minute
                ProducerConfig.MAX_BLOCK_MS_CONFIG, 10_000)),
                new ByteArraySerializer(), new ByteArraySerializer());
        this.blocks = Counter.builder("history.index.blocks").description("Index blocks written").register(registry);
        this.records = Counter.builder("history.index.records").description("Log records indexed")
                .register(registry);
        this.failures = Counter.builder("history.index.failures")
                .description("Index blocks that could not be written (readers scan their range instead)")
                .register(registry);
        this.loop = new SupervisedLoop<>("history-indexer", () -> new KafkaConsumer<>(groupConfig), this::run,
                SupervisedLoop.Backoff.DEFAULT).start();
        Gauge.builder("history.index.up", loop, l -> l.ready() ? 1 : 0)
                .description("1 while the indexer runs; history is read without the newest blocks otherwise")
                .register(registry);
    }

    /** The end of the newest block this instance wrote for the partition and the index acknowledged, or -1. */
    public long indexedUpTo(int partition) {
        return indexedUpTo.getOrDefault(partition, -1L);
    }

    /** Index blocks this instance wrote so far. */
    public long blocksWritten() {
        return (long) blocks.count();
    }

    private void run(KafkaConsumer<byte[], ByteBuffer> attemptConsumer, SupervisedLoop.Attempt attempt)
            throws InterruptedException {
        consumer = attemptConsumer;
        builders.clear(); // a restart: partitions are taken again from the index's end
        awaitIndexTopic(attempt);
        consumer.subscribe(List.of(logsTopic), new Rebalance());
        attempt.caughtUp();
        while (attempt.running()) {
            for (ConsumerRecord<byte[], ByteBuffer> record : consumer.poll(POLL)) {
                BlockBuilder builder = builders.get(record.partition());
                if (builder != null) {
                    Header addon = record.headers().lastHeader(LogHeaders.ADDON_ID);
                    builder.add(record.offset(), record.timestamp(), addon == null ? null : addon.value(),
                            record.value());
                }
            }
            long now = System.nanoTime();
            builders.forEach((partition, builder) -> {
                if (builder.records() >= blockRecords || builder.ageNanos(now) >= blockNanos) {
                    seal(partition, builder);
                }
            });
        }
    }

    /** Waits (asking again every 30 s) until the index topic exists: it is the operator's to create. */
    private void awaitIndexTopic(SupervisedLoop.Attempt attempt) throws InterruptedException {
        boolean warned = false;
        while (attempt.running() && index.partitions() == 0) {
            if (!warned) {
                LOG.warn("Index topic {} does not exist: history is read without an index until it is created",
                        indexTopic);
                warned = true;
            }
            Thread.sleep(1000); // a retry's back-off; IndexTopic asks Kafka again every 30 s
        }
    }

    /** Writes the partition's block up to the reader's position, if it holds anything. */
    private void seal(int partition, BlockBuilder builder) {
        long end = consumer.position(new TopicPartition(logsTopic, partition));
        if (end <= builder.start()) {
            return;
        }
        int indexed = builder.records();
        IndexBlock block = builder.close(end);
        int indexPartitions = index.partitions();
        if (indexPartitions == 0) {
            failures.increment();
            LOG.warn("Index topic {} is missing: offsets {}-{} of partition {} are left out of the index", indexTopic,
                    block.start(), block.end(), partition);
            return;
        }
        ProducerRecord<byte[], byte[]> out = new ProducerRecord<>(indexTopic, partition % indexPartitions,
                block.maxTimestamp() >= 0 ? block.maxTimestamp() : null, null, block.encode());
        producer.send(out, (metadata, error) -> {
            if (error == null) {
                blocks.increment();
                records.increment(indexed);
                indexedUpTo.merge(partition, block.end(), Math::max);
            } else {
                failures.increment();
                LOG.warn("Index block of partition {} ({}-{}) not written, readers scan it instead: {}", partition,
                        block.start(), block.end(), error.toString());
            }
        });
    }

    /** Reads nothing: the indexer never looks at keys, so they are not copied out of the fetched batches. */
    public static final class Skipped implements Deserializer<byte[]> {
        @Override
        public byte[] deserialize(String topic, byte[] data) {
            return null;
        }

        @Override
        public byte[] deserialize(String topic, Headers headers, ByteBuffer data) {
            return null;
        }
    }

    /** A view of the value in the fetched batch, not a copy: the indexer copies only the lines it keeps. */
    public static final class View implements Deserializer<ByteBuffer> {
        @Override
        public ByteBuffer deserialize(String topic, byte[] data) {
            return data == null ? null : ByteBuffer.wrap(data);
        }

        @Override
        public ByteBuffer deserialize(String topic, Headers headers, ByteBuffer data) {
            return data;
        }
    }

    /** Takes partitions on where the index ends; seals what it was building before giving them up. */
    private final class Rebalance implements ConsumerRebalanceListener {
        @Override
        public void onPartitionsAssigned(Collection<TopicPartition> partitions) {
            if (partitions.isEmpty()) {
                return;
            }
            Map<TopicPartition, Long> begin = consumer.beginningOffsets(partitions);
            Map<TopicPartition, Long> end = consumer.endOffsets(partitions);
            for (TopicPartition tp : partitions) {
                IndexBlock newest = index.partitions() == 0 ? null : index.last(tp.partition());
                long start = begin.get(tp);
                long maxTimestamp = -1;
                if (newest != null && newest.end() <= end.get(tp)) {
                    start = Math.max(start, newest.end());
                    maxTimestamp = newest.maxTimestamp();
                } else if (newest != null) {
                    LOG.error("Index topic {} has blocks beyond the end of {} partition {} ({} > {}): it indexes "
                                    + "another topic; recreate it (see docs/operations.md). Indexing from the start",
                            indexTopic, logsTopic, tp.partition(), newest.end(), end.get(tp));
                }
                LOG.info("Indexing {} partition {} from offset {} (log {}-{})", logsTopic, tp.partition(), start,
                        begin.get(tp), end.get(tp));
                consumer.seek(tp, start);
                builders.put(tp.partition(), new BlockBuilder(tp.partition(), start, maxTimestamp));
            }
        }

        @Override
        public void onPartitionsRevoked(Collection<TopicPartition> partitions) {
            for (TopicPartition tp : partitions) {
                BlockBuilder builder = builders.remove(tp.partition());
                if (builder != null) {
                    seal(tp.partition(), builder);
                }
                indexedUpTo.remove(tp.partition());
            }
            producer.flush();
        }

        @Override
        public void onPartitionsLost(Collection<TopicPartition> partitions) {
            partitions.forEach(tp -> {
                builders.remove(tp.partition());
                indexedUpTo.remove(tp.partition());
            });
        }
    }

    @Override
    public void close() {
        loop.close();
        producer.close(Duration.ofSeconds(5));
        indexConsumer.close(CloseOptions.timeout(Duration.ofSeconds(5)));
    }
}
