package dev.synthiabot.adapter.generation;

import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.function.LongPredicate;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The raw bytes each token stands for, SentencePiece style: {@code ▁} is a space, {@code <0xNN>} is
 * one byte (byte fallback), special tokens ({@code <s>}, {@code </s>}, {@code <unk>}) are nothing.
 * Decoding by bytes (not per-token strings) keeps tabs, multi-byte characters split over byte tokens
 * (Japanese, emoji) and spaces exactly as the model produced them.
 */
public final class TokenBytes {
    private static final Pattern BYTE_TOKEN = Pattern.compile("<0x([0-9A-Fa-f]{2})>");
    private static final byte[] NONE = new byte[0];

    private final byte[][] bytes;

    public TokenBytes(Map<Long, String> pieces, int vocabSize, LongPredicate isSpecial) {
        bytes = new byte[vocabSize][];
        for (int id = 0; id < vocabSize; id++) {
            String piece = pieces.get((long) id);
            if (piece == null || isSpecial.test(id)) {
                bytes[id] = NONE;
                continue;
            }
            Matcher m = BYTE_TOKEN.matcher(piece);
            if (m.matches()) {
                bytes[id] = new byte[] {(byte) Integer.parseInt(m.group(1), 16)};
            } else {
                bytes[id] = piece.replace('\u2581', ' ').getBytes(StandardCharsets.UTF_8);
            }
        }
    }

    public byte[] of(int tokenId) {
        return tokenId >= 0 && tokenId < bytes.length ? bytes[tokenId] : NONE;
    }

    public int vocabSize() {
        return bytes.length;
    }
}
