package io.addonlogs.common.syslog;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;

import org.junit.jupiter.api.Test;

import io.addonlogs.common.frame.OctetFrameDecoder;

/** The decoder and the parser together, as ingest uses them, over bodies split at every position. */
class FramesAndHeadersTest {

    @Test
    void mixedBodyParsesTheSameWhereverItIsSplit() {
        String[] lines = {
            "<190>1 2013-03-27T20:02:24+00:00 hostname logtoken_foobar procid - - foo",
            "<190>1 2024-01-02T03:04:05.678901+00:00 host app web.1 - Heroku style, no SD",
            "<14>1 - h app 1 - [meta zone=\"par\\]1\"] multi\nline ☃",
            "<14>1 - h app 1 - - \uFEFFbom",
            "<192>1 - h app 1 - - rejected PRI",
        };
        StringBuilder body = new StringBuilder();
        for (String line : lines) {
            body.append(line.getBytes(UTF_8).length).append(' ').append(line).append('\n');
        }
        byte[] bytes = body.toString().getBytes(UTF_8);
        List<String> expected = List.of("foo", "Heroku style, no SD", "multi\nline ☃", "bom", "PRI");
        for (int cut = 0; cut <= bytes.length; cut++) {
            assertEquals(expected, parseAll(bytes, cut), "cut at " + cut);
        }
    }

    private static List<String> parseAll(byte[] body, int cut) {
        Rfc5424Header header = new Rfc5424Header();
        List<String> out = new ArrayList<>();
        OctetFrameDecoder decoder = new OctetFrameDecoder(1024, (buf, off, len, index, at) ->
                out.add(header.parse(buf, off, len) ? header.message() : header.rejection().field().name()));
        assertTrue(decoder.feed(body, 0, cut) && decoder.feed(body, cut, body.length - cut) && decoder.finish());
        return out;
    }
}
