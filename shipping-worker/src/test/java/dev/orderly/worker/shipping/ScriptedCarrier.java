package dev.orderly.worker.shipping;

import dev.orderly.messaging.consumer.TransientFailure;
import dev.orderly.worker.shipping.carrier.Booking;
import dev.orderly.worker.shipping.carrier.BookingRequest;
import dev.orderly.worker.shipping.carrier.Carrier;
import dev.orderly.worker.shipping.carrier.CarrierUnavailableException;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import org.springframework.beans.factory.config.BeanPostProcessor;
import org.springframework.boot.test.context.TestConfiguration;
import org.springframework.context.annotation.Bean;

/**
 * Wraps the simulated carrier so a test can script, per idempotency key (order id): unavailable for the first n calls,
 * or a crash right after the booking for the first n calls (the booking is in the carrier's ledger, the worker's
 * transaction rolls back).
 */
@TestConfiguration(proxyBeanMethods = false)
class ScriptedCarrier {

    /** What the carrier does for one key. */
    sealed interface Script {
        record UnavailableFirst(int calls) implements Script {}

        record CrashAfterBookingFirst(int calls) implements Script {}
    }

    static final Map<String, Script> SCRIPTS = new ConcurrentHashMap<>();
    static final Map<String, AtomicInteger> CALLS = new ConcurrentHashMap<>();

    @Bean
    static BeanPostProcessor scriptedCarrierProvider() {
        return new BeanPostProcessor() {
            @Override
            public Object postProcessAfterInitialization(Object bean, String name) {
                if ("carrierProvider".equals(name) && bean instanceof Carrier real) {
                    return (Carrier) request -> book(real, request);
                }
                return bean;
            }
        };
    }

    private static Booking book(Carrier real, BookingRequest request) {
        int call = CALLS.computeIfAbsent(request.idempotencyKey(), key -> new AtomicInteger())
                .incrementAndGet();
        Script script = SCRIPTS.get(request.idempotencyKey());
        if (script instanceof Script.UnavailableFirst unavailable && call <= unavailable.calls()) {
            throw new CarrierUnavailableException("scripted: carrier unavailable on call " + call);
        }
        Booking booking = real.book(request);
        if (script instanceof Script.CrashAfterBookingFirst crash && call <= crash.calls()) {
            throw new TransientFailure("scripted: the worker died after the booking on call " + call);
        }
        return booking;
    }
}
