/** The runtime's auto-configurations that apply to every Orderly service talking to RabbitMQ. */
@NullMarked
package dev.orderly.messaging.config;

import org.jspecify.annotations.NullMarked;
