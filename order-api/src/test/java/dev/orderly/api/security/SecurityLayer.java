package dev.orderly.api.security;

import dev.orderly.api.ratelimit.RateLimitLayer;
import org.springframework.boot.test.context.TestConfiguration;
import org.springframework.context.annotation.Import;

/**
 * What a {@code @WebMvcTest} slice of order-api imports to check tokens as the application does: its own security
 * configuration ({@link SecurityConfiguration}, a plain {@code @Configuration} the slice does not scan) and the rate
 * limit its chain runs ({@link RateLimitLayer}). The slice's
 * context must also trust the tests' key, {@code public-key-location} =
 * {@link dev.orderly.testsupport.TestKeys#publicKeyLocation()} (a {@code @DynamicPropertySource}), and its requests
 * carry real tokens ({@link dev.orderly.testsupport.TestTokens}).
 */
@TestConfiguration(proxyBeanMethods = false)
@Import({SecurityConfiguration.class, RateLimitLayer.class})
public class SecurityLayer {}
