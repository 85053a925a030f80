package dev.synthiabot.adapter;

import java.time.Duration;
import java.util.Optional;

/**
 * How far the model's preparation and load have come, for whoever waits on it (a bot telling its users when it
 * answers): the step ("Downloading model-00001-of-00002.bin", "Quantizing to Q4", "Reading the Q4 weights"), its
 * bytes done and in all, and the step's time left at its rate so far (empty until there is a rate). Called from
 * the loading thread about twice a second per step, and once at each step's end; a slow listener slows the load.
 */
@FunctionalInterface
public interface LoadProgressListener {
    void onProgress(String step, long done, long total, Optional<Duration> left);
}
