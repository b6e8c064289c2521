package dev.orderly.testsupport;

import static org.awaitility.Awaitility.await;

import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import io.micrometer.core.instrument.distribution.CountAtBucket;
import io.micrometer.core.instrument.distribution.HistogramSnapshot;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.List;
import java.util.function.IntFunction;
import org.springframework.amqp.core.Message;
import org.springframework.amqp.rabbit.core.RabbitTemplate;
import org.springframework.amqp.rabbit.listener.SimpleMessageListenerContainer;

/**
 * The worker benchmarks' procedure (one copy for order-, payment- and shipping-worker) (bench/workers.sh): pre-load a work queue with valid envelopes while the listener is
 * stopped, start it, and measure how fast it drains through the real transaction path.
 *
 * <p>The rate is taken over the last 90% of each drain (from the moment 10% were handled), and the processing-time
 * percentiles from the runtime's {@code orderly.consumer.processing} histogram over the same span, so start-up weighs
 * less. Results are appended to {@code target/benchmark.md}.
 */
public final class WorkerDrain {

    /** One measured drain. */
    public record Result(int prefetch, int messages, double perSecond, double p50, double p90, double p99) {}

    private final RabbitTemplate rabbit;
    private final SimpleMessageListenerContainer container;
    private final MeterRegistry meters;
    private final String consumer;
    private final String eventType;
    private final String queue;

    public WorkerDrain(
            RabbitTemplate rabbit,
            SimpleMessageListenerContainer container,
            MeterRegistry meters,
            String consumer,
            String eventType,
            String queue) {
        this.rabbit = rabbit;
        this.container = container;
        this.meters = meters;
        this.consumer = consumer;
        this.eventType = eventType;
        this.queue = queue;
    }

    /** Loads {@code messages} messages built by {@code message}, drains them at {@code prefetch}, and measures. */
    public Result run(int prefetch, int messages, IntFunction<Message> message) {
        container.stop();
        for (int i = 0; i < messages; i++) {
            rabbit.send("", queue, message.apply(i));
        }
        await().atMost(Duration.ofMinutes(5)).until(() -> depth() >= messages);
        double before = handled();
        container.setPrefetchCount(prefetch);
        container.start();
        double tenth = before + messages * 0.1;
        await().atMost(Duration.ofMinutes(10))
                .pollInterval(Duration.ofMillis(20))
                .until(() -> handled() >= tenth);
        long started = System.nanoTime();
        double startCount = handled();
        HistogramSnapshot startSnapshot = timer().takeSnapshot();
        await().atMost(Duration.ofMinutes(10))
                .pollInterval(Duration.ofMillis(20))
                .until(() -> handled() >= before + messages);
        double seconds = (System.nanoTime() - started) / 1e9;
        HistogramSnapshot end = timer().takeSnapshot();
        return new Result(
                prefetch,
                messages,
                (handled() - startCount) / seconds,
                quantile(startSnapshot, end, 0.50),
                quantile(startSnapshot, end, 0.90),
                quantile(startSnapshot, end, 0.99));
    }

    /** Appends the results as table rows to target/benchmark.md and prints them. */
    public void report(String worker, int concurrency, List<Result> results) {
        StringBuilder rows = new StringBuilder();
        for (Result result : results) {
            rows.append("| %s | %s | %d | %d | %d | %,.0f | %.2f | %.2f | %.2f |%n"
                    .formatted(
                            worker,
                            eventType,
                            result.prefetch(),
                            concurrency,
                            result.messages(),
                            result.perSecond(),
                            result.p50(),
                            result.p90(),
                            result.p99()));
        }
        System.out.print(rows);
        try {
            Files.writeString(
                    Path.of("target", "benchmark.md"), rows, StandardOpenOption.CREATE, StandardOpenOption.APPEND);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private double handled() {
        return meters
                .find("orderly.consumer.messages")
                .tag("consumer", consumer)
                .tag("event_type", eventType)
                .counters()
                .stream()
                .mapToDouble(counter -> counter.count())
                .sum();
    }

    private Timer timer() {
        return meters.get("orderly.consumer.processing")
                .tag("consumer", consumer)
                .tag("event_type", eventType)
                .timer();
    }

    private long depth() {
        Long count = rabbit.execute(
                channel -> (long) channel.queueDeclarePassive(queue).getMessageCount());
        return count == null ? 0 : count;
    }

    /** The q-quantile in milliseconds of the recordings between two snapshots, interpolated within buckets. */
    private static double quantile(HistogramSnapshot before, HistogramSnapshot after, double q) {
        CountAtBucket[] from = before.histogramCounts();
        CountAtBucket[] to = after.histogramCounts();
        double total = after.count() - before.count();
        double target = q * total;
        double previousBound = 0;
        double previousCount = 0;
        for (int i = 0; i < to.length; i++) {
            double count = to[i].count() - (i < from.length ? from[i].count() : 0);
            double bound = to[i].bucket(java.util.concurrent.TimeUnit.MILLISECONDS);
            if (count >= target) {
                double share = (target - previousCount) / Math.max(count - previousCount, 1e-9);
                return previousBound + share * (bound - previousBound);
            }
            previousBound = bound;
            previousCount = count;
        }
        return previousBound;
    }
}
