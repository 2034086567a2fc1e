package io.addonlogs.kafka.embedded;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.OverlappingFileLockException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;

/**
 * One broker per data directory. A second one on the same directory must stop before it starts: a second KRaft
 * node with the same id and cluster talks to the first one's quorum and leaves it unable to shut down (seen: the
 * first then took minutes to stop).
 */
public final class DataDirLock implements AutoCloseable {

    private final FileChannel channel;
    private final FileLock lock;

    private DataDirLock(FileChannel channel, FileLock lock) {
        this.channel = channel;
        this.lock = lock;
    }

    static DataDirLock acquire(Path dataDir) throws IOException {
        Files.createDirectories(dataDir);
        FileChannel channel = FileChannel.open(dataDir.resolve(".embedded-kafka.lock"), StandardOpenOption.CREATE,
                StandardOpenOption.WRITE);
        FileLock lock;
        try {
            lock = channel.tryLock();
        } catch (OverlappingFileLockException heldInThisJvm) {
            lock = null;
        }
        if (lock == null) {
            channel.close();
            throw new DataDirInUseException(dataDir);
        }
        return new DataDirLock(channel, lock);
    }

    @Override
    public void close() {
        try {
            lock.release();
            channel.close();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Another broker (in this process or another) holds the data directory. */
    public static final class DataDirInUseException extends IllegalStateException {
        private static final long serialVersionUID = 1L;

        DataDirInUseException(Path dataDir) {
            super("the data directory " + dataDir.toAbsolutePath() + " is in use by another broker");
        }
    }
}
