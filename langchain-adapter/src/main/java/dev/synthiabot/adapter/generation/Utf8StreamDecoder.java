package dev.synthiabot.adapter.generation;

import java.nio.ByteBuffer;
import java.nio.CharBuffer;
import java.nio.charset.CharsetDecoder;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;

/**
 * Collects the bytes of generated tokens and hands out text only for complete UTF-8 sequences: a
 * character split over several byte-fallback tokens appears once all its bytes are there. Bytes that
 * can never form a character become U+FFFD.
 */
public final class Utf8StreamDecoder {
    private final CharsetDecoder decoder = StandardCharsets.UTF_8.newDecoder()
        .onMalformedInput(CodingErrorAction.REPLACE)
        .onUnmappableCharacter(CodingErrorAction.REPLACE);
    private ByteBuffer pending = ByteBuffer.allocate(64);
    private final CharBuffer out = CharBuffer.allocate(256);

    /** Adds a token's bytes; returns the text that became complete (maybe empty). */
    public String feed(byte[] bytes) {
        if (pending.remaining() < bytes.length) {
            ByteBuffer bigger = ByteBuffer.allocate(Math.max(pending.capacity() * 2, pending.position() + bytes.length));
            pending.flip();
            bigger.put(pending);
            pending = bigger;
        }
        pending.put(bytes);
        return drain(false);
    }

    /** Text for any bytes still pending at the end of generation (incomplete sequences become U+FFFD). */
    public String finish() {
        String s = drain(true);
        decoder.reset();
        return s;
    }

    private String drain(boolean end) {
        pending.flip();
        StringBuilder sb = new StringBuilder();
        while (true) {
            out.clear();
            var result = decoder.decode(pending, out, end);
            out.flip();
            sb.append(out);
            if (!result.isOverflow()) break;
        }
        if (end) {
            out.clear();
            decoder.flush(out);
            out.flip();
            sb.append(out);
        }
        pending.compact();
        return sb.toString();
    }
}
