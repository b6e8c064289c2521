package dev.orderly.system;

import org.jspecify.annotations.Nullable;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.junit.jupiter.api.extension.ParameterContext;
import org.junit.jupiter.api.extension.ParameterResolver;

/**
 * Gives test classes the one {@link Pipeline} of this JVM, as a constructor or method parameter.
 *
 * <p>Invariant: the pipeline starts at most once per test run, for the first class that needs it, and is stopped when
 * the run ends (it lives in the root context's store, which closes it); if it failed to start, every class fails
 * with that first failure rather than trying again for minutes.
 */
final class PipelineExtension implements BeforeAllCallback, ParameterResolver {

    private static final ExtensionContext.Namespace NAMESPACE = ExtensionContext.Namespace.create(Pipeline.class);

    @Override
    public void beforeAll(ExtensionContext context) {
        pipeline(context);
    }

    @Override
    public boolean supportsParameter(ParameterContext parameter, ExtensionContext context) {
        return parameter.getParameter().getType() == Pipeline.class;
    }

    @Override
    public Object resolveParameter(ParameterContext parameter, ExtensionContext context) {
        return pipeline(context);
    }

    private static Pipeline pipeline(ExtensionContext context) {
        Started started = context.getRoot()
                .getStore(NAMESPACE)
                .computeIfAbsent(Started.class, key -> Started.start(), Started.class);
        return started.pipeline();
    }

    /** The outcome of the one start: the pipeline, or why it could not start. Closing it stops the pipeline. */
    private record Started(
            @Nullable Pipeline running, @Nullable RuntimeException failure) implements AutoCloseable {

        static Started start() {
            try {
                return new Started(Pipeline.start(), null);
            } catch (RuntimeException e) {
                return new Started(null, e);
            }
        }

        Pipeline pipeline() {
            if (running == null) {
                throw new IllegalStateException("The pipeline did not start (./orderly up): see the cause", failure);
            }
            return running;
        }

        @Override
        public void close() {
            if (running != null) {
                running.close();
            }
        }
    }
}
