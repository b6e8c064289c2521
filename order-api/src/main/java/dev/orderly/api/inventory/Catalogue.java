package dev.orderly.api.inventory;

import java.util.Collection;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Repository;

/**
 * The prices of the {@code inventory} table, as {@code POST /orders} reads them to price an order's lines.
 *
 * <p>Invariant: a price is read with a plain {@code SELECT}, in the caller's transaction: it is the price committed
 * when the order is accepted, it waits for no lock (neither a reservation's nor a {@code PUT}'s), and a price set
 * later applies to later orders only.
 */
@Repository
public class Catalogue {

    /** What one unit of a SKU costs: {@code cents} (1 to 10⁹) in the minor unit of {@code currency}. */
    public record Price(long cents, String currency) {}

    private final JdbcClient jdbc;

    Catalogue(JdbcClient jdbc) {
        this.jdbc = jdbc;
    }

    /**
     * Each of {@code skus} that the catalogue knows, with its price, or empty if it has none (it is not for sale); a SKU
     * missing from the answer is unknown.
     */
    public Map<String, Optional<Price>> prices(Collection<String> skus) {
        Map<String, Optional<Price>> prices = new HashMap<>();
        jdbc.sql("SELECT sku, price_cents, currency FROM inventory WHERE sku = ANY (?)")
                .param(skus.toArray(String[]::new))
                .query(rs -> {
                    // Read as an object: null is "not for sale" (the table sets price and currency together).
                    Long cents = rs.getObject("price_cents", Long.class);
                    String currency = rs.getString("currency");
                    prices.put(
                            rs.getString("sku"),
                            cents == null || currency == null
                                    ? Optional.empty()
                                    : Optional.of(new Price(cents, currency)));
                });
        return prices;
    }
}
