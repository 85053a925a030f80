package dev.synthiabot.bot.queue;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Waiting requests in the order they will run: users take turns (round robin), each user's requests in the order
 * they came. A user who still has requests waiting goes to the back of the line after each turn, so one user's many
 * requests never starve the others. A plain value: the caller locks.
 */
final class FairQueue<T> {
    private final Map<String, Deque<T>> byUser = new HashMap<>();
    /** Users with requests waiting, whose turn comes first first. */
    private final Deque<String> turns = new ArrayDeque<>();
    private int size;

    void offer(String user, T item) {
        Deque<T> q = byUser.computeIfAbsent(user, u -> new ArrayDeque<>());
        if (q.isEmpty()) turns.addLast(user);
        q.addLast(item);
        size++;
    }

    /** The next request in turn, if any. */
    Optional<T> poll() {
        String user = turns.pollFirst();
        if (user == null) return Optional.empty();
        Deque<T> q = byUser.get(user);
        T item = q.pollFirst();
        size--;
        if (q.isEmpty()) {
            byUser.remove(user);
        } else {
            turns.addLast(user);
        }
        return Optional.of(item);
    }

    /** Takes a waiting request out (cancelled); false if it was not waiting. */
    boolean remove(String user, T item) {
        Deque<T> q = byUser.get(user);
        if (q == null || !q.remove(item)) return false;
        size--;
        if (q.isEmpty()) {
            byUser.remove(user);
            turns.remove(user);
        }
        return true;
    }

    /** Every waiting request in the order {@link #poll()} would return them: round r is each user's r-th request, in turn order. */
    List<T> inOrder() {
        List<List<T>> queues = turns.stream().map(u -> (List<T>) new ArrayList<>(byUser.get(u))).toList();
        List<T> order = new ArrayList<>(size);
        for (int round = 0; order.size() < size; round++) {
            for (List<T> q : queues) {
                if (round < q.size()) order.add(q.get(round));
            }
        }
        return order;
    }

    /** Empties the queue, returning what waited (in turn order). */
    List<T> clear() {
        List<T> all = inOrder();
        byUser.clear();
        turns.clear();
        size = 0;
        return all;
    }

    int size() {
        return size;
    }
}
