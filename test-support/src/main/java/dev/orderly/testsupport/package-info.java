/**
 * A real PostgreSQL and a real RabbitMQ for Orderly's integration tests, started once per JVM and wired into Spring
 * test contexts as each service's own least-privilege database role.
 */
@NullMarked
package dev.orderly.testsupport;

import org.jspecify.annotations.NullMarked;
