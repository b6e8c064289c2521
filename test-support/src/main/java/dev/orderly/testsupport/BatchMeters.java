package dev.orderly.testsupport;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.DistributionSummary;
import io.micrometer.core.instrument.MeterRegistry;

/** What a worker's tests read of the runtime's batch meters: one way, for every worker. */
public final class BatchMeters {

    private BatchMeters() {}

    /** Batches of deliveries applied in one transaction so far ({@code orderly.consumer.batch.size}'s count). */
    public static double batches(MeterRegistry meters) {
        DistributionSummary summary = meters.find("orderly.consumer.batch.size").summary();
        return summary == null ? 0 : summary.count();
    }

    /** Batches that failed and were applied one delivery at a time ({@code orderly.consumer.batch.fallbacks}). */
    public static double fallbacks(MeterRegistry meters) {
        Counter counter = meters.find("orderly.consumer.batch.fallbacks").counter();
        return counter == null ? 0 : counter.count();
    }
}
