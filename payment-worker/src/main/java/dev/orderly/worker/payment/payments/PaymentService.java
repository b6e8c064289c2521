package dev.orderly.worker.payment.payments;

import dev.orderly.contracts.Envelope;
import dev.orderly.contracts.EventData;
import dev.orderly.contracts.InventoryReserved;
import dev.orderly.contracts.PaymentAuthorized;
import dev.orderly.contracts.PaymentDeclined;
import dev.orderly.messaging.consumer.InboundEvent;
import dev.orderly.messaging.consumer.MessagingProperties;
import dev.orderly.messaging.outbox.OutboxWriter;
import dev.orderly.messaging.resilience.CallsAhead;
import dev.orderly.worker.payment.gateway.Authorization;
import dev.orderly.worker.payment.gateway.AuthorizationRequest;
import dev.orderly.worker.payment.gateway.GuardedPaymentGateway;
import java.time.Clock;
import java.util.List;
import java.util.Objects;
import java.util.UUID;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Service;

/**
 * Charges a reserved order and announces the outcome, inside the runtime's transaction: the gateway call, the
 * {@code payments} row and the outbox row of {@code payment.authorized} or {@code payment.declined}.
 *
 * <p>Invariant: the gateway is asked with the order id as idempotency key, so a redelivery after a crash between the
 * charge and the commit asks again and gets the same answer, never a second charge; and an order gets one
 * {@code payments} row and one announcement, the first committed. That idempotency also lets a batch of deliveries
 * ask the gateway for all its orders at once ({@link #authorizeAhead}) before its handlers take their answers.
 */
@Service
class PaymentService implements AutoCloseable {

    static final String PRODUCER = "payment-worker";

    private static final Logger log = LoggerFactory.getLogger(PaymentService.class);

    private final CallsAhead<AuthorizationRequest, Authorization> authorizations;
    private final JdbcClient jdbc;
    private final OutboxWriter outbox;
    private final Clock clock;

    PaymentService(
            GuardedPaymentGateway gateway,
            JdbcClient jdbc,
            OutboxWriter outbox,
            Clock clock,
            MessagingProperties messaging) {
        this.authorizations =
                new CallsAhead<>(gateway::authorize, messaging.listener().callsAhead());
        this.jdbc = jdbc;
        this.outbox = outbox;
        this.clock = clock;
    }

    /**
     * Before a batch's handlers: asks the gateway for every order of the batch at once, each handler then waiting for
     * its own answer ({@link CallsAhead}) instead of one call after the other.
     */
    void authorizeAhead(List<InboundEvent<?>> events) {
        authorizations.start(events.stream()
                .map(InboundEvent::data)
                .filter(InventoryReserved.class::isInstance)
                .map(data -> request((InventoryReserved) data))
                .toList());
    }

    /** {@code inventory.reserved}: charge the order and announce whether it was authorized or declined. */
    void authorize(InventoryReserved order, InboundEvent<?> event) {
        UUID orderId = order.orderId();
        Authorization authorization = authorizations.get(request(order));
        int stored = jdbc.sql("""
                        INSERT INTO payments (order_id, payment_id, customer_id, amount_cents, currency, status,
                                              decline_reason)
                        VALUES (:orderId, :paymentId, :customerId, :amount, :currency, :status, :reason)
                        ON CONFLICT (order_id) DO NOTHING
                        """)
                .param("orderId", orderId)
                .param("paymentId", authorization.paymentId())
                .param("customerId", order.customerId())
                .param("amount", order.totalCents())
                .param("currency", order.currency())
                .param("status", authorization.approved() ? "AUTHORIZED" : "DECLINED")
                .param("reason", authorization.declineReason())
                .update();
        if (stored == 0) {
            log.warn(
                    "Order {} already has a payment; {} {} changes nothing",
                    orderId,
                    event.envelope().eventType(),
                    event.envelope().eventId());
            return;
        }
        if (authorization.approved()) {
            outbox.appendCausedBy(
                    next(
                            new PaymentAuthorized(
                                    orderId,
                                    authorization.paymentId(),
                                    order.customerId(),
                                    order.totalCents(),
                                    order.currency()),
                            event),
                    orderId.toString(),
                    event);
        } else {
            outbox.appendCausedBy(
                    next(
                            new PaymentDeclined(
                                    orderId,
                                    Objects.requireNonNull(authorization.declineReason()),
                                    order.totalCents(),
                                    order.currency()),
                            event),
                    orderId.toString(),
                    event);
        }
    }

    private static AuthorizationRequest request(InventoryReserved order) {
        return new AuthorizationRequest(
                order.orderId().toString(), order.customerId(), order.totalCents(), order.currency());
    }

    @Override
    public void close() {
        authorizations.close();
    }

    private <D extends EventData> Envelope<D> next(D data, InboundEvent<?> cause) {
        return Envelope.of(data, PRODUCER, cause.envelope().correlationId(), clock);
    }
}
