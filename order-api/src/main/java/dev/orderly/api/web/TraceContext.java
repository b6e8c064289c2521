package dev.orderly.api.web;

import io.micrometer.tracing.Span;
import io.micrometer.tracing.Tracer;
import io.micrometer.tracing.propagation.Propagator;
import java.util.HashMap;
import java.util.Map;
import java.util.regex.Pattern;
import org.jspecify.annotations.Nullable;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.stereotype.Component;
import org.springframework.web.context.request.RequestAttributes;
import org.springframework.web.context.request.RequestContextHolder;
import org.springframework.web.context.request.ServletRequestAttributes;

/**
 * The W3C {@code traceparent} of the request being handled, to be stored with the events it causes so the trace
 * follows the order through the outbox and every message.
 *
 * <p>It is the server span's context as Micrometer Tracing propagates it (a child of the caller's
 * {@code traceparent}, or a new trace). With tracing switched off, a well-formed incoming {@code traceparent} is
 * passed on as it came.
 */
@Component
public class TraceContext {

    static final String TRACEPARENT = "traceparent";
    private static final Pattern W3C_TRACEPARENT = Pattern.compile("[0-9a-f]{2}-[0-9a-f]{32}-[0-9a-f]{16}-[0-9a-f]{2}");

    private final ObjectProvider<Tracer> tracer;
    private final ObjectProvider<Propagator> propagator;

    TraceContext(ObjectProvider<Tracer> tracer, ObjectProvider<Propagator> propagator) {
        this.tracer = tracer;
        this.propagator = propagator;
    }

    public @Nullable String currentTraceparent() {
        Tracer activeTracer = tracer.getIfAvailable();
        Propagator activePropagator = propagator.getIfAvailable();
        Span span = activeTracer == null ? null : activeTracer.currentSpan();
        if (span != null && activePropagator != null) {
            Map<String, String> carrier = new HashMap<>();
            activePropagator.inject(span.context(), carrier, Map::put);
            String injected = carrier.get(TRACEPARENT);
            if (injected != null) {
                return injected;
            }
        }
        return incomingTraceparent();
    }

    private static @Nullable String incomingTraceparent() {
        RequestAttributes attributes = RequestContextHolder.getRequestAttributes();
        if (attributes instanceof ServletRequestAttributes servlet) {
            String header = servlet.getRequest().getHeader(TRACEPARENT);
            if (header != null && W3C_TRACEPARENT.matcher(header).matches()) {
                return header;
            }
        }
        return null;
    }
}
