package io.addonlogs.common.drains;

/**
 * The key of a drain's records per logs-topic partition in the cursors and status topics: {@code <drainId>/<p>}.
 * A drain has one cursor (the next offset of partition p to deliver from) and one status per partition where its
 * add-on has lines; a drain id never holds a slash (the API makes them).
 */
public record DrainPartitionKey(String drainId, int partition) {

    public DrainPartitionKey {
        if (drainId.indexOf('/') >= 0) {
            throw new IllegalArgumentException("a drain id has no slash");
        }
    }

    public static DrainPartitionKey parse(String key) {
        int slash = key == null ? -1 : key.lastIndexOf('/');
        if (slash <= 0) {
            throw new IllegalArgumentException("not a drain partition key: " + key);
        }
        try {
            return new DrainPartitionKey(key.substring(0, slash), Integer.parseInt(key.substring(slash + 1)));
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("not a drain partition key: " + key, e);
        }
    }

    @Override
    public String toString() {
        return drainId + "/" + partition;
    }
}
