package dev.orderly.worker.payment.payments;

import dev.orderly.contracts.Envelope;
import dev.orderly.contracts.EventData;
import dev.orderly.contracts.InventoryReserved;
import dev.orderly.contracts.PaymentAuthorized;
import dev.orderly.contracts.PaymentDeclined;
import dev.orderly.messaging.consumer.InboundEvent;
import dev.orderly.messaging.outbox.OutboxWriter;
import dev.orderly.worker.payment.gateway.Authorization;
import dev.orderly.worker.payment.gateway.AuthorizationRequest;
import dev.orderly.worker.payment.gateway.GuardedPaymentGateway;
import java.time.Clock;
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
 * {@code payments} row and one announcement, the first committed.
 */
@Service
class PaymentService {

    static final String PRODUCER = "payment-worker";

    private static final Logger log = LoggerFactory.getLogger(PaymentService.class);

    private final GuardedPaymentGateway gateway;
    private final JdbcClient jdbc;
    private final OutboxWriter outbox;
    private final Clock clock;

    PaymentService(GuardedPaymentGateway gateway, JdbcClient jdbc, OutboxWriter outbox, Clock clock) {
        this.gateway = gateway;
        this.jdbc = jdbc;
        this.outbox = outbox;
        this.clock = clock;
    }

    /** {@code inventory.reserved}: charge the order and announce whether it was authorized or declined. */
    void authorize(InventoryReserved order, InboundEvent<?> event) {
        UUID orderId = order.orderId();
        Authorization authorization = gateway.authorize(
                new AuthorizationRequest(orderId.toString(), order.customerId(), order.totalCents(), order.currency()));
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

    private <D extends EventData> Envelope<D> next(D data, InboundEvent<?> cause) {
        return Envelope.of(data, PRODUCER, cause.envelope().correlationId(), clock);
    }
}
