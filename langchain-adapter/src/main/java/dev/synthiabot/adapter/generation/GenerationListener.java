package dev.synthiabot.adapter.generation;

/** Receives the answer while it is generated. */
public interface GenerationListener {
    /** A piece of the answer, never part of a stop sequence; all pieces concatenate to the final answer. */
    void onText(String piece);

    /** Checked between tokens: true ends the generation with {@link GenerationResult.Finish#CANCELLED}. */
    default boolean isCancelled() {
        return false;
    }

    GenerationListener NONE = piece -> {};
}
