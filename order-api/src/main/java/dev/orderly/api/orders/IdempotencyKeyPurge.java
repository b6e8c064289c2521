package dev.orderly.api.orders;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.dao.DataAccessException;
import org.springframework.stereotype.Component;

/**
 * Deletes expired idempotency keys, one small batch per statement until none is left, so the table stays the size
 * of one retention period. Expired keys are already ignored on lookup; this only reclaims their space.
 */
@Component
class IdempotencyKeyPurge {

    private static final Logger log = LoggerFactory.getLogger(IdempotencyKeyPurge.class);

    private final OrderService orders;

    IdempotencyKeyPurge(OrderService orders) {
        this.orders = orders;
    }

    /** One purge pass; scheduled every {@code orderly.api.idempotency.purge-interval}. */
    void run() {
        try {
            int deleted;
            do {
                deleted = orders.purgeExpiredIdempotencyKeys();
            } while (deleted > 0);
        } catch (DataAccessException e) {
            log.warn("Could not purge expired idempotency keys; will try again next interval: {}", e.getMessage());
        }
    }
}
