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

    /**
     * Writes {@code raw} bytes as they are (any request line, headers and framing, maybe several requests) and
     * returns everything the server sends until it closes the connection, or until it stays silent for
     * {@code silenceMs} (then the text ends with {@link #STILL_OPEN}).
     */
    static String exchange(int port, byte[] raw, int silenceMs) throws IOException {
        try (Socket socket = new Socket("127.0.0.1", port)) {
            socket.setSoTimeout(silenceMs);
            socket.getOutputStream().write(raw);
            socket.getOutputStream().flush();
            ByteArrayOutputStream all = new ByteArrayOutputStream();
            InputStream in = socket.getInputStream();
            byte[] buf = new byte[8192];
            try {
                int n;
                while ((n = in.read(buf)) >= 0) {
                    all.write(buf, 0, n);
                }
            } catch (java.net.SocketTimeoutException e) {
                all.write(STILL_OPEN.getBytes(StandardCharsets.US_ASCII));
            } catch (java.net.SocketException reset) {
                // closed by the server with unread bytes in its buffer: a reset is a close here
            }
            return all.toString(StandardCharsets.ISO_8859_1);
        }
    }

    /** Ends what {@link #exchange} returns when the server kept the connection open. */
    static final String STILL_OPEN = "\n<connection still open>";

    /** A chunked POST sent piece by piece, for tests that act while a request is in flight. */
    static final class ChunkedUpload implements AutoCloseable {
        private final Socket socket;
        private final OutputStream out;

        ChunkedUpload(int port, String headers) throws IOException {
            socket = new Socket("127.0.0.1", port);
            socket.setSoTimeout(60_000);
            out = socket.getOutputStream();
            out.write(("POST /logs HTTP/1.1\r\nHost: localhost\r\nTransfer-Encoding: chunked\r\n" + headers + "\r\n")
                    .getBytes(StandardCharsets.US_ASCII));
            out.flush();
        }

        /** Sends one chunk now (flushed). */
        void send(byte[] chunk) throws IOException {
            out.write((Integer.toHexString(chunk.length) + "\r\n").getBytes(StandardCharsets.US_ASCII));
            out.write(chunk);
            out.write("\r\n".getBytes(StandardCharsets.US_ASCII));
            out.flush();
        }

        /**
         * Ends the body and reads the response. A server that already answered (say 503) may have closed its side:
         * then the write fails and the answer is read all the same.
         */
        Response finish() throws IOException {
            endBody();
            return response();
        }

        /** Sends the end of the body (the last, empty chunk); a server that already answered may have closed. */
        void endBody() {
            try {
                out.write("0\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
                out.flush();
            } catch (IOException e) {
                // answered and closed before the end of the body: read the answer all the same
            }
        }

        /** Reads the response, whether or not the body was ended. */
        Response response() throws IOException {
            return readOne(socket.getInputStream());
        }

        @Override
        public void close() throws IOException {
            socket.close();
        }
    }

    /** Reads one response: status line and headers, then Content-Length bytes of body. */
    private static Response readOne(InputStream in) throws IOException {
        ByteArrayOutputStream head = new ByteArrayOutputStream();
        int b;
        while ((b = in.read()) >= 0) {
            head.write(b);
            String text = head.toString(StandardCharsets.ISO_8859_1);
            if (text.endsWith("\r\n\r\n")) {
                break;
            }
        }
        String headText = head.toString(StandardCharsets.ISO_8859_1);
        int status = Integer.parseInt(headText.substring(9, 12));
        int length = 0;
        for (String line : headText.split("\r\n")) {
            if (line.toLowerCase(java.util.Locale.ROOT).startsWith("content-length:")) {
                length = Integer.parseInt(line.substring(15).trim());
            }
        }
        byte[] body = in.readNBytes(length);
        return new Response(status, headText.trim(), new String(body, StandardCharsets.UTF_8));
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
