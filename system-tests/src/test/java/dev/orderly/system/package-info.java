/**
 * System tests: the whole pipeline started by {@code ./orderly up}, driven over HTTP and AMQP the way users and
 * operators drive it, and checked for what only the assembled system can show (the order journeys end to end, a
 * poison message parked while good orders flow, each service's least-privilege rights, the failure drills with
 * their reconciliation).
 */
@NullMarked
package dev.orderly.system;

import org.jspecify.annotations.NullMarked;
