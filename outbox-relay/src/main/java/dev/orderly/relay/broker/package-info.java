/** The relay's RabbitMQ wiring: a confirming, mandatory template, the events topology, the blocked-connection gate. */
@NullMarked
package dev.orderly.relay.broker;

import org.jspecify.annotations.NullMarked;
