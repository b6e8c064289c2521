package dev.orderly.relay.publishing;

import java.time.Duration;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;

/**
 * The doorbell of one table's drainer: rung by a notification (new rows), by the broker becoming usable again, and by
 * shutdown.
 *
 * <p>Invariant: a ring is never lost. One that arrives while the drainer is busy is remembered and ends its next
 * wakeable pause at once; {@link #clear()} is called just before reading rows, so a ring after that read is still
 * remembered. Shutdown ends every pause, wakeable or not.
 */
final class Wakeup {

    private final ReentrantLock lock = new ReentrantLock();
    private final Condition changed = lock.newCondition();
    private boolean rung;
    private boolean poked;
    private boolean stopped;

    /** Rings: the next (or current) wakeable pause ends. */
    void ring() {
        lock.lock();
        try {
            rung = true;
            changed.signalAll();
        } finally {
            lock.unlock();
        }
    }

    /** Whether a ring arrived since the last {@link #clear()}. */
    boolean rung() {
        lock.lock();
        try {
            return rung;
        } finally {
            lock.unlock();
        }
    }

    /**
     * Pokes a running publish that waits in {@link #awaitActivity}: a confirm arrived. Unlike a ring it announces no
     * rows, so it is forgotten once it has ended one wait.
     */
    void poke() {
        lock.lock();
        try {
            poked = true;
            changed.signalAll();
        } finally {
            lock.unlock();
        }
    }

    /**
     * Waits until {@code deadline} ({@link System#nanoTime()}) at the latest, or less if rung, poked since the last
     * such wait, or stopped. A poke that came before the wait began ends it at once, so none is lost.
     */
    void awaitActivity(long deadline) {
        lock.lock();
        try {
            long remaining = deadline - System.nanoTime();
            while (!stopped && !rung && !poked && remaining > 0) {
                remaining = changed.awaitNanos(remaining);
            }
            poked = false;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } finally {
            lock.unlock();
        }
    }

    /** Forgets earlier rings: called right before the rows they announced are read. */
    void clear() {
        lock.lock();
        try {
            rung = false;
        } finally {
            lock.unlock();
        }
    }

    /** Ends every pause, now and later. */
    void stop() {
        lock.lock();
        try {
            stopped = true;
            changed.signalAll();
        } finally {
            lock.unlock();
        }
    }

    /**
     * Pauses for {@code timeout}, or less if stopped or (when {@code wakeable}) rung.
     *
     * @param wakeable whether a ring ends the pause: true when waiting for work, false when backing off after a failure
     *     (so a stream of notifications cannot defeat the backoff)
     */
    void pause(Duration timeout, boolean wakeable) {
        long remaining = timeout.toNanos();
        lock.lock();
        try {
            while (!stopped && !(wakeable && rung) && remaining > 0) {
                remaining = changed.awaitNanos(remaining);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } finally {
            lock.unlock();
        }
    }

    /** Whether {@link #stop()} was called. */
    boolean stopped() {
        lock.lock();
        try {
            return stopped;
        } finally {
            lock.unlock();
        }
    }
}
