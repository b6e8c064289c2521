package dev.orderly.testsupport;

import java.util.List;
import org.jspecify.annotations.Nullable;
import org.springframework.test.context.ContextConfigurationAttributes;
import org.springframework.test.context.ContextCustomizer;
import org.springframework.test.context.ContextCustomizerFactory;
import org.springframework.test.context.TestContextAnnotationUtils;

/**
 * Contributes a {@link RealInfrastructureContextCustomizer} to the context of every test class annotated (directly,
 * through a superclass, an enclosing class or a meta-annotation) with {@link RealInfrastructure}; registered in
 * {@code META-INF/spring.factories}.
 *
 * <p>Invariant: classes without the annotation get no customizer, so their context cache keys, and their contexts,
 * are untouched.
 */
class RealInfrastructureContextCustomizerFactory implements ContextCustomizerFactory {

    @Override
    public @Nullable ContextCustomizer createContextCustomizer(
            Class<?> testClass, List<ContextConfigurationAttributes> configAttributes) {
        return TestContextAnnotationUtils.hasAnnotation(testClass, RealInfrastructure.class)
                ? new RealInfrastructureContextCustomizer()
                : null;
    }
}
