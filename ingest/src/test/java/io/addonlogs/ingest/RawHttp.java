package io.addonlogs.ingest;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;

/** A hand-written HTTP/1.1 exchange, for bodies whose chunking the test must control exactly. */
final class RawHttp {

    private RawHttp() {
    }

    record Response(int status, String head, String body) {
    }

    /** Sends {@code body} chunked, cut into pieces of the given sizes (cycled), and reads the whole response. */
    static Response postChunked(int port, String headers, byte[] body, int... pieceSizes) throws IOException {
        try (Socket socket = new Socket("127.0.0.1", port)) {
            socket.setSoTimeout(60_000);
            OutputStream out = socket.getOutputStream();
            out.write(("POST /logs HTTP/1.1\r\nHost: localhost\r\nTransfer-Encoding: chunked\r\nConnection: close\r\n"
                    + headers + "\r\n").getBytes(StandardCharsets.US_ASCII));
            int off = 0;
            int i = 0;
            while (off < body.length) {
                int n = Math.min(pieceSizes[i++ % pieceSizes.length], body.length - off);
                out.write((Integer.toHexString(n) + "\r\n").getBytes(StandardCharsets.US_ASCII));
                out.write(body, off, n);
                out.write("\r\n".getBytes(StandardCharsets.US_ASCII));
                out.flush();
                off += n;
            }
            out.write("0\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
            out.flush();
            return read(socket.getInputStream());
        }
    }

    private static Response read(InputStream in) throws IOException {
        ByteArrayOutputStream all = new ByteArrayOutputStream();
        in.transferTo(all);
        String text = all.toString(StandardCharsets.UTF_8);
        int split = text.indexOf("\r\n\r\n");
        String head = text.substring(0, split);
        int status = Integer.parseInt(head.substring(9, 12));
        return new Response(status, head, text.substring(split + 4));
    }
}
