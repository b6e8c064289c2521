package dev.orderly.worker.payment.gateway;

import dev.orderly.messaging.resilience.GuardedCalls;
import io.github.resilience4j.circuitbreaker.CircuitBreaker;

/**
 * Every call to the gateway, through resilience4j's instances named {@value #INSTANCE} (rate limiter, circuit breaker,
 * time limiter; see {@link GuardedCalls}).
 *
 * <p>Invariant: unavailability, a timeout, an open circuit or an exhausted rate limit are transient failures, so the
 * event goes to a retry tier, never to the parking lot. A decline is a result and does not count against the circuit.
 */
public class GuardedPaymentGateway implements PaymentGateway, AutoCloseable {

    /** The resilience4j instance name configured in application.yaml. */
    static final String INSTANCE = "payment-gateway";

    private final PaymentGateway gateway;
    private final GuardedCalls calls;

    /** @param calls the guard of {@value #INSTANCE}, closed with this gateway */
    GuardedPaymentGateway(PaymentGateway gateway, GuardedCalls calls) {
        this.gateway = gateway;
        this.calls = calls;
    }

    @Override
    public Authorization authorize(AuthorizationRequest request) {
        return calls.call("The payment gateway call for " + request.idempotencyKey(), () -> gateway.authorize(request));
    }

    /** The circuit breaker, for operators and tests. */
    public CircuitBreaker circuitBreaker() {
        return calls.circuitBreaker();
    }

    @Override
    public void close() {
        calls.close();
    }
}
