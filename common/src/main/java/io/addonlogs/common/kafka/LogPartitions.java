package io.addonlogs.common.kafka;

/**
 * Which partition of the logs topic holds a token's lines: Kafka's documented default for keyed records,
 * {@code toPositive(murmur2(key)) % partitions}, here as a plain function so that the consumer finds an add-on's
 * partition without Kafka's internal classes (a test checks it against the producer's own partitioner).
 */
public final class LogPartitions {

    private LogPartitions() {
    }

    /** The partition of {@code key} among {@code partitions} (at least 1). */
    public static int of(byte[] key, int partitions) {
        if (partitions < 1) {
            throw new IllegalArgumentException("a topic has at least one partition");
        }
        return (murmur2(key) & 0x7fffffff) % partitions;
    }

    /** MurmurHash2, 32 bits, with Kafka's seed: the hash Kafka's producer applies to record keys. */
    static int murmur2(byte[] data) {
        int length = data.length;
        int seed = 0x9747b28c;
        int m = 0x5bd1e995;
        int r = 24;
        int h = seed ^ length;
        int length4 = length / 4;
        for (int i = 0; i < length4; i++) {
            int i4 = i * 4;
            int k = (data[i4] & 0xff) + ((data[i4 + 1] & 0xff) << 8) + ((data[i4 + 2] & 0xff) << 16)
                    + ((data[i4 + 3] & 0xff) << 24);
            k *= m;
            k ^= k >>> r;
            k *= m;
            h *= m;
            h ^= k;
        }
        int tail = length & ~3;
        int rest = length % 4;
        if (rest == 3) {
            h ^= (data[tail + 2] & 0xff) << 16;
        }
        if (rest >= 2) {
            h ^= (data[tail + 1] & 0xff) << 8;
        }
        if (rest >= 1) {
            h ^= data[tail] & 0xff;
            h *= m;
        }
        h ^= h >>> 13;
        h *= m;
        h ^= h >>> 15;
        return h;
    }
}
