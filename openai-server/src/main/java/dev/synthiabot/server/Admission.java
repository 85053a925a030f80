package dev.synthiabot.server;

import java.util.ArrayDeque;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;

/**
 * Places for answers: up to {@code maxRunning} run at once; beyond that up to {@code queueCapacity} requests wait, first
 * come first served; beyond that a request is refused at once. A place freed goes straight to the oldest waiter.
 * {@link #close()} (drain) refuses new requests and sends the waiters away.
 */
final class Admission {

    /** Why a request got no place. */
    enum Refusal { QUEUE_FULL, CLOSED }

    /** A request refused a place. */
    static final class Refused extends Exception {
        private static final long serialVersionUID = 1L;
        private final Refusal reason;

        Refused(Refusal reason) {
            super(reason.name(), null, false, false);
            this.reason = reason;
        }

        Refusal reason() {
            return reason;
        }
    }

    /** A place held; {@link #close()} gives it back (once, whatever the number of calls). */
    final class Ticket implements AutoCloseable {
        private final AtomicBoolean released = new AtomicBoolean();

        @Override
        public void close() {
            if (released.compareAndSet(false, true)) release();
        }
    }

    private static final class Waiter {
        final Condition turn;
        boolean admitted;
        boolean sentAway;

        Waiter(Condition turn) {
            this.turn = turn;
        }
    }

    /** Guarded by lock; only grows ({@link #runUpTo}). */
    private int maxRunning;
    private final int queueCapacity;
    private final ReentrantLock lock = new ReentrantLock();
    private final ArrayDeque<Waiter> waiting = new ArrayDeque<>();
    private int running;
    private boolean closed;

    Admission(int maxRunning, int queueCapacity) {
        if (maxRunning < 1) throw new IllegalArgumentException("maxRunning: " + maxRunning + " must be >= 1");
        if (queueCapacity < 0) throw new IllegalArgumentException("queueCapacity: " + queueCapacity + " must be >= 0");
        this.maxRunning = maxRunning;
        this.queueCapacity = queueCapacity;
    }

    /**
     * A place to run, at once or after waiting in line.
     *
     * @throws Refused the line is full, or the admission closed (before or while waiting)
     * @throws InterruptedException the waiting thread was interrupted (it left the line)
     */
    Ticket enter() throws Refused, InterruptedException {
        lock.lock();
        try {
            if (closed) throw new Refused(Refusal.CLOSED);
            if (running < maxRunning && waiting.isEmpty()) {
                running++;
                return new Ticket();
            }
            if (waiting.size() >= queueCapacity) throw new Refused(Refusal.QUEUE_FULL);
            Waiter w = new Waiter(lock.newCondition());
            waiting.addLast(w);
            try {
                while (!w.admitted && !w.sentAway) {
                    w.turn.await();
                }
            } catch (InterruptedException e) {
                if (w.admitted) {
                    release(); // our place came as we left: pass it on
                } else {
                    waiting.remove(w);
                }
                throw e;
            }
            if (w.sentAway) throw new Refused(Refusal.CLOSED);
            return new Ticket(); // the place was handed over by release(): running already counts it
        } finally {
            lock.unlock();
        }
    }

    private void release() {
        lock.lock();
        try {
            Waiter next = waiting.pollFirst();
            if (next != null) {
                next.admitted = true;
                next.turn.signal();
            } else {
                running--;
            }
        } finally {
            lock.unlock();
        }
    }

    /** Lets up to {@code n} answers run at once (the model's own limit, known once it has loaded); only grows. */
    void runUpTo(int n) {
        lock.lock();
        try {
            if (n <= maxRunning) return;
            maxRunning = n;
            while (running < maxRunning && !waiting.isEmpty()) {
                Waiter next = waiting.pollFirst();
                running++;
                next.admitted = true;
                next.turn.signal();
            }
        } finally {
            lock.unlock();
        }
    }

    /** Refuses new requests from now on and sends the waiting ones away; running ones keep their places. */
    void close() {
        lock.lock();
        try {
            closed = true;
            for (Waiter w; (w = waiting.pollFirst()) != null; ) {
                w.sentAway = true;
                w.turn.signal();
            }
        } finally {
            lock.unlock();
        }
    }

    int running() {
        lock.lock();
        try {
            return running;
        } finally {
            lock.unlock();
        }
    }

    int waiting() {
        lock.lock();
        try {
            return waiting.size();
        } finally {
            lock.unlock();
        }
    }

    int maxRunning() {
        lock.lock();
        try {
            return maxRunning;
        } finally {
            lock.unlock();
        }
    }

    int queueCapacity() {
        return queueCapacity;
    }
}
