package dev.orderly.contracts;

/**
 * The event type names of the catalogue; each is also the routing key the event is published with.
 *
 * <p>Invariant: these strings are the contract on the wire and in bindings. They are written out here, never
 * derived from class names, so renaming a Java type can never silently change what is published or consumed.
 */
public final class EventTypes {

    /** An order was accepted and is PENDING. Produced by order-api, consumed by order-worker. */
    public static final String ORDER_CREATED = "order.created";

    /** Stock is held for every line of an order. Produced by order-worker, consumed by payment-worker. */
    public static final String INVENTORY_RESERVED = "inventory.reserved";

    /** Not enough stock: the order is REJECTED. Produced and consumed by order-worker. */
    public static final String INVENTORY_REJECTED = "inventory.rejected";

    /** The charge was taken. Produced by payment-worker, consumed by order-worker and shipping-worker. */
    public static final String PAYMENT_AUTHORIZED = "payment.authorized";

    /** The charge was refused: stock is released, the order CANCELLED. Consumed by order-worker. */
    public static final String PAYMENT_DECLINED = "payment.declined";

    /** A parcel was booked: the order is SHIPPED. Produced by shipping-worker, consumed by order-worker. */
    public static final String SHIPMENT_SCHEDULED = "shipment.scheduled";

    private EventTypes() {}
}
