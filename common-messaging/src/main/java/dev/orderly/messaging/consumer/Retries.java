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

    /**
     * The most a count says: a producer's header is not signed, so an absurd value must neither overflow a sum nor
     * fail the delivery that carries it.
     */
    public static final int MAX_COUNT = 10_000;

    public Retries {
        if (count < 0 || count > MAX_COUNT) {
            throw new IllegalArgumentException("count must be from 0 to " + MAX_COUNT + ": " + count);
        }
    }

    /** Both together: the retries of two deliveries one stage took (at most {@link #MAX_COUNT}). */
    public Retries plus(Retries other) {
        return new Retries(Math.min(MAX_COUNT, count + other.count), replayed || other.replayed);
    }
}
