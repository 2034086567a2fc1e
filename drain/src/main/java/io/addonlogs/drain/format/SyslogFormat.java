package io.addonlogs.drain.format;

import java.nio.charset.StandardCharsets;
import java.util.List;

import io.addonlogs.common.drains.DrainRecipient;

/**
 * Syslog drains' bytes. TCP (SYSLOG_TCP, OVH_TCP, plain or TLS): RFC 6587 octet counting, {@code MSG-LEN SP
 * SYSLOG-MSG} per line, the framing RFC 5425 prescribes over TLS. UDP (SYSLOG_UDP): one line per datagram (RFC 5426),
 * cut to {@code DRAIN_UDP_MAX_BYTES} (default 2048, which RFC 5426 says receivers should accept) at a UTF-8
 * character boundary. When the recipient has structured-data parameters (OVH's {@code X-OVH-TOKEN="..."}), each line
 * gets the SD-ELEMENT {@code [drain@32473 <parameters>]} first (32473 is RFC 5612's example enterprise number; OVH
 * reads the token from any element).
 */
public final class SyslogFormat {

    public static final String SD_ID = "drain@32473";

    private final byte[] sdElement;

    public SyslogFormat(DrainRecipient recipient) {
        this.sdElement = recipient.structuredData() == null ? null
                : ("[" + SD_ID + " " + recipient.structuredData().reveal() + "]").getBytes(StandardCharsets.UTF_8);
    }

    public byte[] line(DrainLine line) {
        return sdElement == null ? line.syslog() : line.syslogWith(sdElement);
    }

    /** Octet-counted frames of {@code lines}, for a stream. */
    public byte[] frames(List<DrainLine> lines) {
        return DrainLine.frames(lines, null, sdElement);
    }

    /** One datagram: the line cut to {@code maxBytes} without splitting a UTF-8 character. */
    public byte[] datagram(DrainLine line, int maxBytes) {
        byte[] bytes = line(line);
        if (bytes.length <= maxBytes) {
            return bytes;
        }
        int cut = maxBytes;
        while (cut > 0 && (bytes[cut] & 0xC0) == 0x80) {
            cut--; // bytes[cut] continues a character: cut before that character starts
        }
        byte[] out = new byte[cut];
        System.arraycopy(bytes, 0, out, 0, cut);
        return out;
    }
}
