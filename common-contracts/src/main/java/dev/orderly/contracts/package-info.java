/**
 * The Orderly wire format: event names, topology names, the envelope, event records, their JSON Schemas
 * and the codec that reads and writes them, free of Spring.
 */
@org.jspecify.annotations.NullMarked
package dev.orderly.contracts;
