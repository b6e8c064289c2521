package dev.orderly.api.orders;

import dev.orderly.api.inventory.Catalogue;
import dev.orderly.contracts.OrderLine;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.springframework.stereotype.Component;

/**
 * Prices an order's lines at the catalogue's prices, in the order's own transaction: the prices the order is stored
 * with, carried in {@code order.created} and charged by payment-worker are the server's at acceptance, never the
 * client's.
 *
 * <p>Invariant: an order is priced in full or refused, and then nothing is stored: a SKU unknown or without a price
 * ({@link SkusNotForSaleException}), a SKU priced in another currency than the order's
 * ({@link CurrencyMismatchException}), or a unit price sent that is not the catalogue's ({@link PriceMismatchException},
 * never a silent override). Each refusal names every line at fault; they are checked in that order, since a price in
 * another currency, or of no SKU, cannot be compared.
 */
@Component
class Pricing {

    private final Catalogue catalogue;

    Pricing(Catalogue catalogue) {
        this.catalogue = catalogue;
    }

    /** The request's lines at the catalogue's prices, in the request's order. */
    List<OrderLine> price(PlaceOrderRequest request) {
        List<PlaceOrderRequest.Line> lines = request.lines();
        Map<String, Optional<Catalogue.Price>> prices = catalogue.prices(
                lines.stream().map(PlaceOrderRequest.Line::sku).distinct().toList());
        List<SkusNotForSaleException.Line> notForSale = new ArrayList<>();
        List<CurrencyMismatchException.Line> otherCurrency = new ArrayList<>();
        List<PriceMismatchException.Line> otherPrice = new ArrayList<>();
        List<OrderLine> priced = new ArrayList<>(lines.size());
        for (int i = 0; i < lines.size(); i++) {
            PlaceOrderRequest.Line line = lines.get(i);
            Optional<Catalogue.Price> listed = prices.getOrDefault(line.sku(), Optional.empty());
            if (listed.isEmpty()) {
                notForSale.add(new SkusNotForSaleException.Line(i, line.sku(), prices.containsKey(line.sku())));
                continue;
            }
            Catalogue.Price price = listed.get();
            Long sent = line.unitPriceCents();
            if (!price.currency().equals(request.currency())) {
                otherCurrency.add(new CurrencyMismatchException.Line(i, line.sku(), price.currency()));
            } else if (sent != null && sent != price.cents()) {
                otherPrice.add(new PriceMismatchException.Line(i, line.sku(), sent, price));
            } else {
                priced.add(new OrderLine(line.sku(), line.quantity(), price.cents()));
            }
        }
        if (!notForSale.isEmpty()) {
            throw new SkusNotForSaleException(notForSale);
        }
        if (!otherCurrency.isEmpty()) {
            throw new CurrencyMismatchException(request.currency(), otherCurrency);
        }
        if (!otherPrice.isEmpty()) {
            throw new PriceMismatchException(otherPrice);
        }
        return priced;
    }

    /** What the priced lines come to. Cannot overflow: 100 lines × 1,000 units × 10⁹ &lt; 2⁶³. */
    static long totalCents(List<OrderLine> lines) {
        return lines.stream()
                .mapToLong(line -> line.quantity() * line.unitPriceCents())
                .sum();
    }
}
