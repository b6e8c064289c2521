package dev.orderly.api.web;

import dev.orderly.api.OrderApiProperties;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.boot.test.context.TestConfiguration;
import org.springframework.context.annotation.Import;

/**
 * What a {@code @WebMvcTest} slice of order-api imports, because the slice does not scan it, to answer requests as the
 * application does: the API's strict snake_case JSON ({@link StrictJsonConfiguration}, a plain {@code @Configuration}),
 * the trace context controllers pass on ({@link TraceContext}, a {@code @Component}), and the settings that the advice
 * and the body limit read ({@link OrderApiProperties}, which the slice's properties scan leaves out).
 *
 * <p>The rest of the web layer the slice picks up by itself: the controllers it names, every
 * {@code @RestControllerAdvice} ({@code ApiExceptionHandler}, a resource's own problems), and every servlet filter
 * bean ({@link RequestBodyLimitFilter}).
 */
@TestConfiguration(proxyBeanMethods = false)
@Import({StrictJsonConfiguration.class, TraceContext.class})
@EnableConfigurationProperties(OrderApiProperties.class)
public class WebLayer {}
