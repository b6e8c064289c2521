package dev.orderly.relay.publishing;

import dev.orderly.relay.outbox.OutboxRow;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The ids a run's reads skipped: rows whose transactions took their ids before, but committed after, a row the run
 * already read (eight producers commit in any order). A run reads "after the last row it sent", so without this a
 * skipped row waited until the run ended and the next started from the oldest unpublished row; under a steady stream a
 * run hardly ends, and those rows made the relay's latency tail (hundreds of milliseconds at 1,000 rows/s on the
 * 2-core machine). The run's next reads also ask for these ids, so a skipped row goes out as soon as it is visible.
 *
 * <p>An id is looked for until it is read, or for {@code timeout} (a rolled-back transaction's id never comes; a row
 * whose transaction takes longer still goes out, at the next run's start, as before). Only gaps of up to
 * {@value #MAX_GAP} ids between two rows read are taken for skipped rows (a wider one is a jump of the sequence), and at
 * most {@value #MAX_OPEN} ids are looked for at once. Hand-written because nothing in the stack tracks a read position
 * with holes; small because a run owns it on one thread.
 */
final class SkippedIds {

    /** The widest gap between two rows read that is taken for rows not yet visible. */
    static final int MAX_GAP = 64;

    /** The most ids looked for at once. */
    static final int MAX_OPEN = 1_024;

    private static final long[] NONE = new long[0];

    private final long timeoutNanos;

    /** Skipped id to when it was noticed ({@link System#nanoTime()}), oldest first. */
    private final Map<Long, Long> open = new LinkedHashMap<>();

    private long highest = Long.MIN_VALUE;

    /** @param timeout how long a skipped id is looked for; zero looks for none */
    SkippedIds(java.time.Duration timeout) {
        this.timeoutNanos = timeout.toNanos();
    }

    /** Notes the rows of one read (in id order): the skipped ids they found, and the gaps they leave. */
    void read(List<OutboxRow> rows, long now) {
        for (OutboxRow row : rows) {
            long id = row.id();
            if (open.remove(id) != null) {
                continue;
            }
            if (timeoutNanos > 0 && highest != Long.MIN_VALUE && id > highest + 1 && id - highest - 1 <= MAX_GAP) {
                for (long skipped = highest + 1; skipped < id && open.size() < MAX_OPEN; skipped++) {
                    open.put(skipped, now);
                }
            }
            highest = Math.max(highest, id);
        }
    }

    /** The ids still looked for, lowest first; those looked for longer than the timeout are given up. */
    long[] lookFor(long now) {
        if (open.isEmpty()) {
            return NONE;
        }
        for (Iterator<Long> noticed = open.values().iterator(); noticed.hasNext(); ) {
            if (now - noticed.next() < timeoutNanos) {
                break;
            }
            noticed.remove();
        }
        return open.keySet().stream().mapToLong(Long::longValue).sorted().toArray();
    }
}
