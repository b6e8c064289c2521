package dev.orderly.api.inventory;

import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Types;
import java.time.OffsetDateTime;
import java.util.Optional;
import org.jspecify.annotations.Nullable;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Repository;

/**
 * The {@code inventory} table, as order-api sees it: read a SKU's stock and price, set its on-hand quantity and price.
 *
 * <p>Invariant: setting stock never drops {@code on_hand} below what is reserved; the statement itself checks it, so a
 * reservation committing concurrently cannot slip in between a check and the write. A write without a price keeps the
 * price the SKU has.
 */
@Repository
class InventoryRepository {

    private final JdbcClient jdbc;

    InventoryRepository(JdbcClient jdbc) {
        this.jdbc = jdbc;
    }

    Optional<StockLevel> find(String sku) {
        return jdbc.sql("""
                        SELECT sku, on_hand, reserved, price_cents, currency, updated_at FROM inventory WHERE sku = ?
                        """).param(sku).query((rs, n) -> level(rs)).optional();
    }

    /**
     * Creates the SKU or sets its on-hand stock, and its price if {@code priceCents} and {@code currency} are given
     * (both or neither); empty, changing nothing, if that would leave less than is reserved.
     */
    Optional<StockLevel> set(String sku, int onHand, @Nullable Long priceCents, @Nullable String currency) {
        return jdbc.sql("""
                        INSERT INTO inventory (sku, on_hand, price_cents, currency)
                        VALUES (:sku, :onHand, :priceCents, :currency)
                        ON CONFLICT (sku) DO UPDATE SET on_hand = EXCLUDED.on_hand,
                            price_cents = coalesce(EXCLUDED.price_cents, inventory.price_cents),
                            currency = coalesce(EXCLUDED.currency, inventory.currency),
                            updated_at = clock_timestamp()
                            WHERE inventory.reserved <= EXCLUDED.on_hand
                        RETURNING sku, on_hand, reserved, price_cents, currency, updated_at
                        """)
                .param("sku", sku)
                .param("onHand", onHand)
                .param("priceCents", priceCents, Types.BIGINT)
                .param("currency", currency, Types.CHAR)
                .query((rs, n) -> level(rs))
                .optional();
    }

    private static StockLevel level(ResultSet rs) throws SQLException {
        int onHand = rs.getInt("on_hand");
        int reserved = rs.getInt("reserved");
        return new StockLevel(
                rs.getString("sku"),
                onHand,
                reserved,
                onHand - reserved,
                rs.getObject("price_cents", Long.class),
                rs.getString("currency"),
                rs.getObject("updated_at", OffsetDateTime.class).toInstant());
    }
}
