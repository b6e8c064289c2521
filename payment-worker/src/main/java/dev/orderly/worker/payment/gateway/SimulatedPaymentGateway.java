package dev.orderly.worker.payment.gateway;

import dev.orderly.worker.payment.PaymentWorkerProperties;
import java.util.UUID;
import org.jspecify.annotations.Nullable;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.transaction.PlatformTransactionManager;
import org.springframework.transaction.TransactionDefinition;
import org.springframework.transaction.support.TransactionTemplate;

/**
 * The built-in payment gateway: configurable latency and transient-failure rate; declines customers whose id starts
 * with the configured prefix ({@code decline-}) and amounts over the configured limit.
 *
 * <p>It stands for an external system, so its ledger ({@code payments.payment_ledger}) is written in a transaction of
 * its own that commits whatever happens to the worker's: a worker that crashes after the charge and before its own
 * commit finds the charge there when the event is redelivered.
 *
 * <p>Invariant: one ledger row per idempotency key, written by the first request; every later request for the key
 * returns that row's answer (and only counts itself in {@code requests}), so a key is charged at most once.
 */
class SimulatedPaymentGateway implements PaymentGateway {

    private final JdbcClient jdbc;
    private final TransactionTemplate ownTransaction;
    private final PaymentWorkerProperties.Simulator settings;

    SimulatedPaymentGateway(
            JdbcClient jdbc, PlatformTransactionManager transactions, PaymentWorkerProperties.Simulator settings) {
        this.jdbc = jdbc;
        this.ownTransaction = new TransactionTemplate(transactions);
        this.ownTransaction.setPropagationBehavior(TransactionDefinition.PROPAGATION_REQUIRES_NEW);
        this.settings = settings;
    }

    @Override
    public Authorization authorize(AuthorizationRequest request) {
        settings.beforeCall("payment gateway", GatewayUnavailableException::new);
        String declineReason = declineReason(request);
        return ownTransaction.execute(status -> jdbc.sql("""
                        INSERT INTO payment_ledger (idempotency_key, payment_id, customer_id, amount_cents, currency,
                                                    approved, decline_reason)
                        VALUES (:key, :paymentId, :customerId, :amount, :currency, :approved, :reason)
                        ON CONFLICT (idempotency_key) DO UPDATE SET requests = payment_ledger.requests + 1
                        RETURNING approved, payment_id, decline_reason
                        """)
                .param("key", request.idempotencyKey())
                .param("paymentId", "pay-" + UUID.randomUUID())
                .param("customerId", request.customerId())
                .param("amount", request.amountCents())
                .param("currency", request.currency())
                .param("approved", declineReason == null)
                .param("reason", declineReason)
                .query((rs, n) -> new Authorization(
                        rs.getBoolean("approved"), rs.getString("payment_id"), rs.getString("decline_reason")))
                .single());
    }

    private @Nullable String declineReason(AuthorizationRequest request) {
        if (request.customerId().startsWith(settings.declineCustomerPrefix())) {
            return "declined by the card issuer";
        }
        if (request.amountCents() > settings.maxAmountCents()) {
            return "amount " + request.amountCents() + " exceeds the limit of " + settings.maxAmountCents() + " cents";
        }
        return null;
    }
}
