package dev.orderly.messaging.consumer;

/**
 * What getting an event handled took besides its first delivery: how many times it was retried (after transient
 * failures) and whether it was replayed out of a parking lot, where a replay starts its count afresh.
 *
 * <p>For display (an order's timeline shows each stage's); nothing decides on it.
 *
 * @param count retries, 0 if the first delivery (or the replay) succeeded
 * @param replayed whether a replay out of a parking lot was needed
 */
public record Retries(int count, boolean replayed) {

    /** Handled at its first delivery. */
    public static final Retries NONE = new Retries(0, false);

    public Retries {
        if (count < 0) {
            throw new IllegalArgumentException("count must not be negative: " + count);
        }
    }

    /** Both together: the retries of two deliveries one stage took. */
    public Retries plus(Retries other) {
        return new Retries(count + other.count, replayed || other.replayed);
    }
}
