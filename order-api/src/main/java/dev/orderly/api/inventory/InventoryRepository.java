package dev.orderly.api.inventory;

import java.time.OffsetDateTime;
import java.util.Optional;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Repository;

/**
 * The {@code inventory} table, as order-api sees it: read a SKU's stock and set its on-hand quantity.
 *
 * <p>Invariant: setting stock never drops {@code on_hand} below what is reserved; the statement itself checks it, so a
 * reservation committing concurrently cannot slip in between a check and the write.
 */
@Repository
class InventoryRepository {

    private final JdbcClient jdbc;

    InventoryRepository(JdbcClient jdbc) {
        this.jdbc = jdbc;
    }

    Optional<StockLevel> find(String sku) {
        return jdbc.sql("SELECT sku, on_hand, reserved, updated_at FROM inventory WHERE sku = ?")
                .param(sku)
                .query((rs, n) -> level(rs))
                .optional();
    }

    /** Creates the SKU or sets its on-hand stock; empty if that would leave less than is reserved. */
    Optional<StockLevel> set(String sku, int onHand) {
        return jdbc.sql("""
                        INSERT INTO inventory (sku, on_hand) VALUES (:sku, :onHand)
                        ON CONFLICT (sku) DO UPDATE SET on_hand = EXCLUDED.on_hand, updated_at = clock_timestamp()
                            WHERE inventory.reserved <= EXCLUDED.on_hand
                        RETURNING sku, on_hand, reserved, updated_at
                        """)
                .param("sku", sku)
                .param("onHand", onHand)
                .query((rs, n) -> level(rs))
                .optional();
    }

    private static StockLevel level(java.sql.ResultSet rs) throws java.sql.SQLException {
        int onHand = rs.getInt("on_hand");
        int reserved = rs.getInt("reserved");
        return new StockLevel(
                rs.getString("sku"),
                onHand,
                reserved,
                onHand - reserved,
                rs.getObject("updated_at", OffsetDateTime.class).toInstant());
    }
}
