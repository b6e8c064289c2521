package dev.orderly.api.orders;

import dev.orderly.api.OrderApiProperties;
import dev.orderly.api.web.Problems;
import java.time.Duration;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.http.HttpHeaders;
import org.springframework.http.HttpStatus;
import org.springframework.http.ProblemDetail;
import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.ExceptionHandler;
import org.springframework.web.bind.annotation.RestControllerAdvice;

/** Turns the orders resource's own refusals into problem details. */
@RestControllerAdvice(assignableTypes = OrdersController.class)
class OrderProblems {

    private static final Logger log = LoggerFactory.getLogger(OrderProblems.class);

    private final Duration retryAfter;

    OrderProblems(OrderApiProperties properties) {
        this.retryAfter = properties.backpressure().retryAfter();
    }

    @ExceptionHandler
    ProblemDetail notFound(OrderNotFoundException e) {
        return Problems.of(HttpStatus.NOT_FOUND, "order-not-found", "Order not found", e.getMessage());
    }

    @ExceptionHandler
    ProblemDetail customerOrdersRefused(CustomerOrdersRefusedException e) {
        return Problems.of(
                HttpStatus.FORBIDDEN,
                "customer-mismatch",
                "Customer mismatch",
                e.getMessage(),
                List.of(new Problems.FieldError(
                        "customer_id", "must be the access token's customer, or left out, without orders:read-all")));
    }

    @ExceptionHandler
    ProblemDetail customerMismatch(CustomerMismatchException e) {
        return Problems.of(
                HttpStatus.FORBIDDEN,
                "customer-mismatch",
                "Customer mismatch",
                e.getMessage(),
                List.of(new Problems.FieldError("customer_id", "must be the access token's customer, or left out")));
    }

    @ExceptionHandler
    ProblemDetail keyReused(IdempotencyKeyReusedException e) {
        return Problems.of(
                HttpStatus.UNPROCESSABLE_CONTENT, "idempotency-key-reused", "Idempotency-Key reused", e.getMessage());
    }

    @ExceptionHandler
    ProblemDetail notForSale(SkusNotForSaleException e) {
        return Problems.of(
                HttpStatus.UNPROCESSABLE_CONTENT,
                "unknown-sku",
                "SKU not for sale",
                e.getMessage(),
                e.lines().stream()
                        .map(line -> new Problems.FieldError(sku(line.index()), line.reason()))
                        .toList());
    }

    @ExceptionHandler
    ProblemDetail currencyMismatch(CurrencyMismatchException e) {
        return Problems.of(
                HttpStatus.UNPROCESSABLE_CONTENT,
                "currency-mismatch",
                "Currency mismatch",
                e.getMessage(),
                e.lines().stream()
                        .map(line -> new Problems.FieldError(
                                sku(line.index()),
                                "'%s' is priced in %s, not %s"
                                        .formatted(line.sku(), line.currency(), e.orderCurrency())))
                        .toList());
    }

    /** The price a SKU sells at now, as a 409 {@code price-mismatch} tells it. */
    record CurrentPrice(String sku, long unitPriceCents, String currency) {}

    @ExceptionHandler
    ProblemDetail priceMismatch(PriceMismatchException e) {
        ProblemDetail problem = Problems.of(
                HttpStatus.CONFLICT,
                "price-mismatch",
                "Price mismatch",
                e.getMessage(),
                e.lines().stream()
                        .map(line -> new Problems.FieldError(
                                "lines[%d].unit_price_cents".formatted(line.index()),
                                "is %d %s for '%s' now, not %d"
                                        .formatted(
                                                line.current().cents(),
                                                line.current().currency(),
                                                line.sku(),
                                                line.sentCents())))
                        .toList());
        problem.setProperty(
                "current_prices",
                e.lines().stream()
                        .map(line -> new CurrentPrice(
                                line.sku(),
                                line.current().cents(),
                                line.current().currency()))
                        .distinct()
                        .toList());
        return problem;
    }

    /** Logged, because an operator may have to reconcile; the client is told to retry with its key. */
    @ExceptionHandler
    ResponseEntity<ProblemDetail> commitOutcomeUnknown(CommitOutcomeUnknownException e) {
        log.error("The commit of order {} failed; it may or may not be stored (answered 503)", e.orderId(), e);
        ProblemDetail problem = Problems.of(
                HttpStatus.SERVICE_UNAVAILABLE,
                "storage-outcome-unknown",
                "Storage outcome unknown: retry with the same Idempotency-Key",
                e.getMessage());
        problem.setProperty("order_id", e.orderId());
        return ResponseEntity.status(HttpStatus.SERVICE_UNAVAILABLE)
                .header(HttpHeaders.RETRY_AFTER, Long.toString(retryAfter.toSeconds()))
                .body(problem);
    }

    @ExceptionHandler
    ProblemDetail invalidKey(InvalidIdempotencyKeyException e) {
        return Problems.invalidRequest(
                "The Idempotency-Key header is invalid", Problems.fieldError(OrdersController.IDEMPOTENCY_KEY, e));
    }

    private static String sku(int line) {
        return "lines[%d].sku".formatted(line);
    }
}
