package dev.orderly.messaging.consumer;

import dev.orderly.contracts.OrderCreated;
import dev.orderly.contracts.PaymentAuthorized;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.springframework.amqp.rabbit.connection.CachingConnectionFactory;
import org.springframework.boot.autoconfigure.SpringBootApplication;
import org.springframework.context.annotation.Bean;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.transaction.PlatformTransactionManager;
import org.springframework.transaction.TransactionDefinition;
import org.springframework.transaction.support.TransactionSynchronization;
import org.springframework.transaction.support.TransactionSynchronizationManager;
import org.springframework.transaction.support.TransactionTemplate;

/**
 * A consumer of domain {@code probe} for the runtime's tests: its handler records an effect row per applied event (a
 * deferred insert, as outbox rows are: one statement for a batch's) and
 * then behaves as the test scripted for the event's correlation id (fail transiently, fail permanently, block, drop
 * the consuming connection after the commit).
 */
@SpringBootApplication
public class ProbeApplication {

    @Bean
    EventHandlers probeHandlers(Probe probe) {
        return EventHandlers.builder()
                .on(OrderCreated.class, probe::on)
                .on(PaymentAuthorized.class, probe::on)
                .build();
    }

    @Bean
    Probe probe(JdbcClient jdbc, CachingConnectionFactory connectionFactory, PlatformTransactionManager transactions) {
        TransactionTemplate requiresNew = new TransactionTemplate(transactions);
        requiresNew.setPropagationBehavior(TransactionDefinition.PROPAGATION_REQUIRES_NEW);
        return new Probe(jdbc, connectionFactory, requiresNew);
    }

    /** What the probe does for one correlation id. */
    sealed interface Script {
        record FailTransiently(int times) implements Script {}

        record FailPermanently() implements Script {}

        record Block(CountDownLatch entered, CountDownLatch release) implements Script {}

        record DropConnectionAfterCommit() implements Script {}

        /** The consuming connection closed in the middle of the transaction, which then commits. */
        record DropConnectionBeforeCommit() implements Script {}

        /**
         * A row written in a transaction of the handler's own ({@code REQUIRES_NEW}, as a provider's ledger is), which
         * commits; then the handler fails for good. Its row's order id is the correlation id with {@code /inner}.
         */
        record InnerTransactionThenFail() implements Script {}

        /**
         * Both connections closed in the middle of the transaction, as a crash closes them: the broker's (no ack can
         * follow) and the database's (its own backend terminated: the transaction is rolled back).
         */
        record Crash() implements Script {}
    }

    /** The probe handler. */
    static final class Probe {

        private static final DeferredInserts.Statement EFFECT = new DeferredInserts.Statement(
                "INSERT INTO probe_effects (event_id, order_id, attempt) VALUES", "(?, ?, ?)", "");

        private final JdbcClient jdbc;
        private final CachingConnectionFactory connectionFactory;
        private final TransactionTemplate requiresNew;
        private final Map<String, Script> scripts = new ConcurrentHashMap<>();

        Probe(JdbcClient jdbc, CachingConnectionFactory connectionFactory, TransactionTemplate requiresNew) {
            this.jdbc = jdbc;
            this.connectionFactory = connectionFactory;
            this.requiresNew = requiresNew;
        }

        void script(String correlationId, Script script) {
            scripts.put(correlationId, script);
        }

        void on(InboundEvent<?> event) {
            String correlation = event.envelope().correlationId();
            // As an outbox row is written: at once, or with the rest of its batch before the batch commits.
            DeferredInserts.insert(jdbc, EFFECT, event.envelope().eventId(), correlation, event.attempt());
            Script script = scripts.get(correlation);
            switch (script) {
                case null -> {}
                case Script.FailTransiently fail
                when event.attempt() <= fail.times() ->
                    throw new TransientFailure("probe gateway unavailable on attempt " + event.attempt());
                case Script.FailTransiently fail -> {}
                case Script.FailPermanently fail -> throw new IllegalStateException("probe cannot apply this, ever");
                case Script.InnerTransactionThenFail inner -> {
                    requiresNew.executeWithoutResult(status -> DeferredInserts.insert(
                            jdbc, EFFECT, event.envelope().eventId(), correlation + "/inner", event.attempt()));
                    throw new IllegalStateException("probe fails after its inner transaction committed");
                }
                case Script.Block block -> {
                    block.entered().countDown();
                    try {
                        if (!block.release().await(30, TimeUnit.SECONDS)) {
                            throw new IllegalStateException("probe was never released");
                        }
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                        throw new IllegalStateException(e);
                    }
                }
                case Script.DropConnectionBeforeCommit drop -> {
                    // Once: the redeliveries that follow find the script gone.
                    scripts.remove(correlation);
                    connectionFactory.resetConnection();
                }
                case Script.Crash crash -> {
                    scripts.remove(correlation);
                    connectionFactory.resetConnection();
                    jdbc.sql("SELECT pg_terminate_backend(pg_backend_pid())")
                            .query()
                            .listOfRows();
                }
                case Script.DropConnectionAfterCommit drop ->
                    TransactionSynchronizationManager.registerSynchronization(new TransactionSynchronization() {
                        @Override
                        public void afterCommit() {
                            // Between the commit and the runtime's ack: the ack is lost with the connection.
                            scripts.remove(correlation);
                            connectionFactory.resetConnection();
                        }
                    });
            }
        }
    }
}
