package dev.orderly.worker.payment;

import dev.orderly.messaging.consumer.TransientFailure;
import dev.orderly.worker.payment.gateway.Authorization;
import dev.orderly.worker.payment.gateway.AuthorizationRequest;
import dev.orderly.worker.payment.gateway.GatewayUnavailableException;
import dev.orderly.worker.payment.gateway.PaymentGateway;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.springframework.beans.factory.config.BeanPostProcessor;
import org.springframework.boot.test.context.TestConfiguration;
import org.springframework.context.annotation.Bean;

/**
 * Wraps the simulated gateway so a test can script, per idempotency key (order id): unavailable for the first n calls,
 * or a crash right after the charge for the first n calls (the charge is in the gateway's ledger, the worker's
 * transaction rolls back).
 */
@TestConfiguration(proxyBeanMethods = false)
class ScriptedGateway {

    /** What the gateway does for one key. */
    sealed interface Script {
        record UnavailableFirst(int calls) implements Script {}

        record CrashAfterChargeFirst(int calls) implements Script {}

        /**
         * Each call waits (at most 1.5 s, within the time limiter's 2 s) until {@code arrived} counts every call of the
         * group in flight at once, and counts in {@code apart} the calls that waited in vain.
         */
        record Together(CountDownLatch arrived, AtomicInteger apart) implements Script {}
    }

    static final Map<String, Script> SCRIPTS = new ConcurrentHashMap<>();
    static final Map<String, AtomicInteger> CALLS = new ConcurrentHashMap<>();

    @Bean
    static BeanPostProcessor scriptedPaymentProvider() {
        return new BeanPostProcessor() {
            @Override
            public Object postProcessAfterInitialization(Object bean, String name) {
                if ("paymentProvider".equals(name) && bean instanceof PaymentGateway real) {
                    return (PaymentGateway) request -> authorize(real, request);
                }
                return bean;
            }
        };
    }

    private static Authorization authorize(PaymentGateway real, AuthorizationRequest request) {
        int call = CALLS.computeIfAbsent(request.idempotencyKey(), key -> new AtomicInteger())
                .incrementAndGet();
        Script script = SCRIPTS.get(request.idempotencyKey());
        if (script instanceof Script.UnavailableFirst unavailable && call <= unavailable.calls()) {
            throw new GatewayUnavailableException("scripted: gateway unavailable on call " + call);
        }
        if (script instanceof Script.Together together) {
            together.arrived().countDown();
            try {
                if (!together.arrived().await(1500, TimeUnit.MILLISECONDS)) {
                    together.apart().incrementAndGet();
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException(e);
            }
        }
        Authorization authorization = real.authorize(request);
        if (script instanceof Script.CrashAfterChargeFirst crash && call <= crash.calls()) {
            throw new TransientFailure("scripted: the worker died after the charge on call " + call);
        }
        return authorization;
    }
}
