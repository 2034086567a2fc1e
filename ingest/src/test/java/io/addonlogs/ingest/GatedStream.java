package io.addonlogs.ingest;

import java.io.InputStream;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

/** A request body that sends its first part, then waits at a gate until the test opens it, then sends the rest. */
final class GatedStream extends InputStream {

    final CountDownLatch firstPartSent = new CountDownLatch(1);
    final CountDownLatch gate = new CountDownLatch(1);
    private final byte[] first;
    private final byte[] second;
    private int pos;

    GatedStream(byte[] first, byte[] second) {
        this.first = first;
        this.second = second;
    }

    @Override
    public int read() {
        byte[] one = new byte[1];
        return read(one, 0, 1) < 0 ? -1 : one[0] & 0xff;
    }

    @Override
    public int read(byte[] b, int off, int len) {
        if (pos < first.length) {
            int n = Math.min(len, first.length - pos);
            System.arraycopy(first, pos, b, off, n);
            pos += n;
            return n;
        }
        firstPartSent.countDown();
        try {
            if (!gate.await(60, TimeUnit.SECONDS)) {
                return -1;
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return -1;
        }
        int at = pos - first.length;
        if (at >= second.length) {
            return -1;
        }
        int n = Math.min(len, second.length - at);
        System.arraycopy(second, at, b, off, n);
        pos += n;
        return n;
    }
}
