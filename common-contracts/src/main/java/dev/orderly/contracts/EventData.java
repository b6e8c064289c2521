package dev.orderly.contracts;

/**
 * The payload of an event: the {@code data} member of an {@link Envelope}.
 *
 * <p>Invariant: each implementation is one (event type, version) pair of the catalogue, answers it from
 * {@link #eventType()} and {@link #eventVersion()} whatever its field values, and has a JSON Schema that
 * {@link SchemaCatalog} loads. The interface is sealed so a consumer's {@code switch} over it is exhaustive.
 */
public sealed interface EventData
        permits OrderCreated,
                InventoryReserved,
                InventoryRejected,
                PaymentAuthorized,
                PaymentDeclined,
                ShipmentScheduled {

    /** The event type, which is also the routing key; one of {@link EventTypes}. */
    String eventType();

    /** The schema version of this payload, starting at 1. */
    int eventVersion();
}
