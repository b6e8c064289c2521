package dev.orderly.testsupport;

import java.lang.annotation.Documented;
import java.lang.annotation.ElementType;
import java.lang.annotation.Inherited;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

/**
 * Points a Spring test's application context at {@link OrderlyInfrastructure}'s real PostgreSQL and RabbitMQ,
 * starting them on first use.
 *
 * <p>The context connects to PostgreSQL as the role named by {@code spring.datasource.username} (and Flyway as
 * {@code spring.flyway.user}, if set), which must be one of {@link Service#databaseRoles()}: a service is tested with
 * its own least privileges, never as the superuser. That is why this exists instead of {@code @ServiceConnection},
 * which hands out the container's superuser. RabbitMQ is reached as the administrator on virtual host
 * {@code orderly}. A resource server checks access tokens against this JVM's {@link TestKeys} (its
 * {@code public-key-location}): tests call with real tokens from {@link TestTokens}.
 *
 * <p>The properties win over every other source, so no {@code application.yml} can point a test elsewhere by
 * accident. All contexts carrying this annotation share the same servers and may share a cached context.
 */
@Target(ElementType.TYPE)
@Retention(RetentionPolicy.RUNTIME)
@Documented
@Inherited
public @interface RealInfrastructure {}
