package dev.orderly.relay.publishing;

import java.time.Duration;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;

/**
 * The doorbell of one table's drainer: rung by a notification (new rows), told to {@linkplain #resume() resume} when
 * the broker becomes usable again (a connection unblocked, a circuit breaker half-open or closed), and stopped on
 * shutdown.
 *
 * <p>A ring and a resume are kept apart because they end different pauses: a drainer that waits for work wakes on
 * either, one that waits for the broker (blocked, circuit open) only on a resume. A ring announces rows that cannot be
 * published yet; if it ended that wait, a stream of notifications during a broker alarm would turn the drainer into a
 * loop that checks its lease and pauses for nothing, one core per table for the whole alarm.
 *
 * <p>Invariant: neither is ever lost. A ring that arrives while the drainer is busy is remembered and ends its next
 * pause for work at once; {@link #clear()} is called just before reading rows, so a ring after that read is still
 * remembered. A resume is remembered until a pause it may end has ended. Shutdown ends every pause.
 */
final class Wakeup {

    private final ReentrantLock lock = new ReentrantLock();
    private final Condition changed = lock.newCondition();
    private boolean rung;
    private boolean resumed;
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

    /** What ends a {@link #pause}, besides its timeout and shutdown. */
    enum Until {
        /** Waiting for work: a ring (new rows) or a resume. */
        WORK,
        /** Waiting for the broker to become usable (blocked, circuit open): a resume only. */
        RESUME,
        /** Backing off after a failure: nothing, so a stream of notifications cannot defeat the backoff. */
        TIMEOUT
    }

    /** The broker became usable again: the next (or current) pause for work or for the broker ends. */
    void resume() {
        lock.lock();
        try {
            resumed = true;
            changed.signalAll();
        } finally {
            lock.unlock();
        }
    }

    /** Pauses for {@code timeout}, or less if stopped or if what {@code until} names happens. */
    void pause(Duration timeout, Until until) {
        long remaining = timeout.toNanos();
        lock.lock();
        try {
            while (!stopped && !ends(until) && remaining > 0) {
                remaining = changed.awaitNanos(remaining);
            }
            if (until != Until.TIMEOUT) {
                resumed = false;
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } finally {
            lock.unlock();
        }
    }

    private boolean ends(Until until) {
        return switch (until) {
            case WORK -> rung || resumed;
            case RESUME -> resumed;
            case TIMEOUT -> false;
        };
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
