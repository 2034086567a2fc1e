package io.addonlogs.drain.delivery;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;

import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import io.addonlogs.common.drains.DrainDefinition;
import io.addonlogs.common.drains.DrainPartitionKey;
import io.addonlogs.common.kafka.LogPartitions;
import io.addonlogs.consumer.history.HistoryReader;
import io.addonlogs.consumer.kafka.AddonIds;
import io.addonlogs.drain.DrainConfig;
import io.addonlogs.drain.format.DrainLine;
import io.addonlogs.drain.kafka.DrainCursors;
import io.addonlogs.drain.kafka.LogTap;
import io.addonlogs.drain.kafka.PartitionBatch;
import io.addonlogs.service.drains.DrainRegistry;
import io.addonlogs.service.tokens.Addon;
import io.addonlogs.service.tokens.TokenRegistry;
import io.vertx.core.Future;
import io.vertx.core.VerticleBase;

/**
 * The worker's drains, on one event loop: for each partition the {@link LogTap} gave this worker, a
 * {@link DrainChannel} per drain whose add-on writes there (its tokens' partitions), created, updated and closed as
 * drains and partitions come and go ({@link #reconcile}, every 500 ms); live batches are sorted to them; statuses
 * are published every {@code DRAIN_STATUS_MS}. The tap's callbacks hop here, so every channel sees its partition's
 * batches and the take-over in order.
 */
public final class DrainWorker extends VerticleBase implements LogTap.Listener, LogTap.LinePreparer {

    private static final Logger LOG = LoggerFactory.getLogger(DrainWorker.class);
    private static final long RECONCILE_MS = 500;

    /** One partition this worker reads live: where the read began, where it is, and its drains. */
    private static final class Owned {
        final long liveStart;
        long liveEnd;
        final Map<String, DrainChannel> channels = new HashMap<>();

        Owned(long liveStart) {
            this.liveStart = liveStart;
            this.liveEnd = liveStart;
        }
    }

    private final DrainConfig config;
    private final DrainRegistry drains;
    private final TokenRegistry tokens;
    private final DrainCursors cursors;
    private final HistoryReader history;
    private final DrainMetrics metrics;
    private final Map<Integer, Owned> owned = new HashMap<>();
    /** The tap thread's. */
    private final AddonIds addonIds = new AddonIds();
    private volatile Set<String> drainedAddons = Set.of();
    private volatile int partitionCount;
    private volatile int ownedCount;
    private Recipients recipients;
    private ChannelEnv env;

    public DrainWorker(DrainConfig config, DrainRegistry drains, TokenRegistry tokens, DrainCursors cursors,
                       HistoryReader history, DrainMetrics metrics) {
        this.config = config;
        this.drains = drains;
        this.tokens = tokens;
        this.cursors = cursors;
        this.history = history;
        this.metrics = metrics;
    }

    @Override
    public Future<?> start() {
        recipients = new Recipients(vertx, config);
        env = new ChannelEnv(context, history, cursors, config, metrics, this::realIdOf);
        vertx.setPeriodic(RECONCILE_MS, id -> reconcile());
        vertx.setPeriodic(config.statusMillis(), id -> owned.values()
                .forEach(p -> p.channels.values().forEach(DrainChannel::report)));
        return Future.succeededFuture();
    }

    @Override
    public Future<?> stop() {
        owned.values().forEach(p -> p.channels.values().forEach(DrainChannel::close));
        owned.clear();
        return recipients == null ? Future.succeededFuture() : recipients.close();
    }

    /** The add-on's real id as drains show it in APP-NAME (its id if the registry does not know it). */
    private String realIdOf(String addonId) {
        return tokens.addon(addonId).map(Addon::realId).orElse(addonId);
    }

    // ---- the tap's side (its thread) ----

    @Override
    public PartitionBatch.Prepared prepare(List<ConsumerRecord<byte[], byte[]>> records) {
        Set<String> wanted = drainedAddons;
        Map<String, List<ConsumerRecord<byte[], byte[]>>> byAddon = new HashMap<>();
        for (ConsumerRecord<byte[], byte[]> record : records) {
            String addon = addonIds.of(record);
            if (addon != null && wanted.contains(addon)) {
                byAddon.computeIfAbsent(addon, a -> new ArrayList<>()).add(record);
            }
        }
        Map<String, List<DrainLine>> lines = new HashMap<>();
        byAddon.forEach((addon, of) -> lines.put(addon, env.lines(addon, of)));
        return new PartitionBatch.Prepared(wanted, lines);
    }

    @Override
    public void assigned(int partition, long liveStart, int partitions) {
        partitionCount = partitions;
        LOG.info("Took partition {} over, live from offset {}", partition, liveStart);
        context.runOnContext(v -> {
            Owned previous = owned.put(partition, new Owned(liveStart));
            ownedCount = owned.size();
            if (previous != null) {
                previous.channels.values().forEach(DrainChannel::close);
            }
            reconcile();
        });
    }

    @Override
    public void revoked(Collection<Integer> partitions) {
        LOG.info("Gave partitions {} up", partitions);
        context.runOnContext(v -> partitions.forEach(p -> {
            Owned gone = owned.remove(p);
            ownedCount = owned.size();
            if (gone != null) {
                gone.channels.values().forEach(DrainChannel::close);
            }
        }));
    }

    @Override
    public void batches(List<PartitionBatch> batches, Runnable done) {
        context.runOnContext(v -> {
            try {
                for (PartitionBatch batch : batches) {
                    Owned partition = owned.get(batch.partition());
                    if (partition == null) {
                        continue;
                    }
                    partition.liveEnd = batch.to();
                    for (DrainChannel channel : partition.channels.values()) {
                        channel.live(batch.from(), batch.to(), batch.linesOf(channel.drain().addonId()));
                    }
                }
            } finally {
                done.run();
            }
        });
    }

    // ---- the event loop's side ----

    /** Creates, updates and closes channels so that each owned partition has one per drain writing there. */
    void reconcile() {
        Map<String, Set<Integer>> partitionsOf = new HashMap<>();
        Set<String> addons = new HashSet<>();
        for (DrainDefinition drain : drains.all()) {
            if (drain.enabled()) {
                addons.add(drain.addonId());
            }
            partitionsOf.put(drain.id(), partitionsOf(drain));
        }
        // the live read prepares lines only for add-ons with an enabled drain (a disabled one reads its lines back
        // from Kafka once enabled)
        drainedAddons = Set.copyOf(addons);
        owned.forEach((partition, p) -> {
            for (Map.Entry<String, DrainChannel> entry : List.copyOf(p.channels.entrySet())) {
                DrainDefinition now = drains.get(entry.getKey()).orElse(null);
                DrainChannel channel = entry.getValue();
                if (now == null || !partitionsOf.get(now.id()).contains(partition)) {
                    channel.close();
                    p.channels.remove(entry.getKey());
                    if (now == null) {
                        channel.forget();
                        metrics.forget(entry.getKey());
                    }
                } else if (!Objects.equals(now.recipient(), channel.drain().recipient())) {
                    // another recipient: a fresh connection, from where the old one stopped
                    channel.close();
                    DrainChannel replaced = new DrainChannel(env, now, partition, recipients.of(now), p.liveStart,
                            p.liveEnd);
                    p.channels.put(now.id(), replaced);
                    replaced.start(channel.cursor() >= 0 ? channel.cursor() : null);
                } else if (!now.equals(channel.drain())) {
                    channel.update(now);
                }
            }
            for (DrainDefinition drain : drains.all()) {
                if (!p.channels.containsKey(drain.id()) && partitionsOf.get(drain.id()).contains(partition)) {
                    DrainChannel channel = new DrainChannel(env, drain, partition, recipients.of(drain), p.liveStart,
                            p.liveEnd);
                    p.channels.put(drain.id(), channel);
                    channel.start(null);
                }
            }
        });
    }

    /**
     * Where a drain has a channel: the partitions of its add-on's tokens under the current partition count, and every
     * owned partition where it has a cursor already. The latter keeps a drain on an add-on's old partition after
     * partitions were added (producers move a key only once their metadata is refreshed, and lines written there
     * meanwhile must still be delivered); a channel with nothing to send costs an idle cursor.
     */
    private Set<Integer> partitionsOf(DrainDefinition drain) {
        int count = partitionCount;
        Set<Integer> partitions = new HashSet<>();
        if (count > 0) {
            for (Map.Entry<String, ?> token : tokens.byAddon(drain.addonId())) {
                partitions.add(LogPartitions.of(token.getKey().getBytes(StandardCharsets.UTF_8), count));
            }
        }
        for (Integer p : owned.keySet()) {
            if (cursors.get(new DrainPartitionKey(drain.id(), p)) != null) {
                partitions.add(p);
            }
        }
        return partitions;
    }

    /** Partitions of the logs topic this worker reads live now. */
    public int ownedPartitions() {
        return ownedCount;
    }
}
