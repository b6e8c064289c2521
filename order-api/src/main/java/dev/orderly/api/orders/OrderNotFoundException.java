package dev.orderly.api.orders;

import java.util.UUID;

/** No order has the id a client asked for. Answered with 404. */
class OrderNotFoundException extends RuntimeException {

    OrderNotFoundException(UUID orderId) {
        super("No order has id %s".formatted(orderId));
    }
}
