package dev.synthiabot.adapter.prompt;

import dev.synthiabot.adapter.prompt.SynthiaTemplate.Answer;
import dev.synthiabot.adapter.prompt.SynthiaTemplate.Continued;
import dev.synthiabot.adapter.prompt.SynthiaTemplate.Layout;
import dev.synthiabot.adapter.prompt.SynthiaTemplate.Newline;
import dev.synthiabot.adapter.prompt.SynthiaTemplate.Part;
import dev.synthiabot.adapter.prompt.SynthiaTemplate.Text;
import java.util.Arrays;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;

/**
 * Turns a {@link Transcript} into the token ids of SynthIA's prompt, equal to what the Hugging Face
 * tokenizer gives for the whole rendered text, while encoding each turn only once.
 *
 * <p>Why per turn: the tokenizer's encode is quadratic in the text length, and a conversation's
 * earlier turns are the same on every request. Mistral's SentencePiece-style BPE never merges across
 * a newline (newline is a byte-fallback token), so a turn that follows a newline can be encoded on its
 * own: encode {@code "\n" + turn} and drop the leading {@code "▁", "\n"} that the tokenizer's
 * prepend-space rule and the newline produce.
 *
 * <p>Earlier answers that this model generated itself are replayed with the exact token ids the model
 * produced ({@link #rememberAnswer}), so the KV cache of that conversation matches the new prompt and a
 * follow-up turn processes only its new tokens.
 */
public final class PromptEncoder {

    private final TextEncoder encoder;
    private final int bosId;
    private final int newlineId;
    private final int spaceId;
    private final Map<String, int[]> segments;
    private final Map<String, int[]> answers;

    public PromptEncoder(TextEncoder encoder, int bosId, int cacheEntries) {
        this.encoder = encoder;
        this.bosId = bosId;
        int[] probe = encoder.encode("\n");
        if (probe.length != 2) {
            throw new IllegalStateException("Tokenizer does not encode a newline as '▁' + one byte token: " + Arrays.toString(probe));
        }
        this.spaceId = probe[0];
        this.newlineId = probe[1];
        this.segments = lru(cacheEntries);
        this.answers = lru(cacheEntries);
    }

    private static Map<String, int[]> lru(int entries) {
        return Collections.synchronizedMap(new LinkedHashMap<>(64, 0.75f, true) {
            @Override
            protected boolean removeEldestEntry(Map.Entry<String, int[]> eldest) {
                return size() > entries;
            }
        });
    }

    /** Token ids of a prompt laid out by {@link SynthiaTemplate#layout}, starting with BOS. */
    public int[] encode(Transcript t) {
        Layout layout = SynthiaTemplate.layout(t);
        IntList ids = new IntList(256);
        ids.add(bosId);
        boolean first = true;
        for (Part p : layout.all()) {
            first = appendPart(ids, p, first);
        }
        return ids.toArray();
    }

    private boolean appendPart(IntList ids, Part p, boolean first) {
        switch (p) {
            case Newline n -> ids.add(newlineId);
            case Text x -> ids.addAll(first ? leading(x.text()) : continuation(x.text()));
            case Answer a -> {
                int[] known = answers.get(a.answer());
                if (known != null) {
                    ids.addAll(continuation(SynthiaTemplate.ASSISTANT_PREFIX));
                    ids.addAll(known);
                    ids.add(spaceId);
                } else {
                    ids.addAll(continuation(SynthiaTemplate.ASSISTANT_PREFIX + a.answer() + " "));
                }
            }
            case Continued c -> {
                int[] known = answers.get(c.partial());
                if (known != null) {
                    ids.addAll(continuation(SynthiaTemplate.ASSISTANT_PREFIX));
                    ids.addAll(known);
                } else {
                    ids.addAll(continuation(SynthiaTemplate.ASSISTANT_PREFIX + c.partial()));
                }
            }
        }
        return false;
    }

    /** Ids of text at the very start of the prompt (the tokenizer prepends its space marker). */
    public int[] leading(String text) {
        return segments.computeIfAbsent("L" + text, k -> encoder.encode(text));
    }

    /** Ids of text that follows other text (a newline, or an answer's last token). */
    public int[] continuation(String text) {
        return segments.computeIfAbsent("C" + text, k -> {
            int[] withNewline = encoder.encode("\n" + text);
            if (withNewline.length < 2 || withNewline[0] != spaceId || withNewline[1] != newlineId) {
                throw new IllegalStateException("Unexpected tokenization of a continuation: " + Arrays.toString(withNewline));
            }
            return Arrays.copyOfRange(withNewline, 2, withNewline.length);
        });
    }

    /**
     * Remembers the ids the model generated for an answer, so that a later prompt which quotes the
     * answer (as shown to the user) replays the model's own tokens.
     */
    public void rememberAnswer(String shownAnswer, int[] generatedIds) {
        answers.put(shownAnswer, generatedIds.clone());
    }

    /** The ids the model generated for an answer, if they are remembered. */
    public Optional<int[]> rememberedAnswer(String shownAnswer) {
        return Optional.ofNullable(answers.get(shownAnswer)).map(int[]::clone);
    }
}
