package dev.orderly.api.orders;

import dev.orderly.api.security.Caller;
import dev.orderly.api.web.TraceContext;
import io.swagger.v3.oas.annotations.Operation;
import io.swagger.v3.oas.annotations.Parameter;
import io.swagger.v3.oas.annotations.headers.Header;
import io.swagger.v3.oas.annotations.media.Content;
import io.swagger.v3.oas.annotations.media.Schema;
import io.swagger.v3.oas.annotations.responses.ApiResponse;
import io.swagger.v3.oas.annotations.tags.Tag;
import jakarta.validation.Valid;
import java.net.URI;
import java.util.UUID;
import java.util.regex.Pattern;
import org.jspecify.annotations.Nullable;
import org.springframework.http.MediaType;
import org.springframework.http.ProblemDetail;
import org.springframework.http.ResponseEntity;
import org.springframework.security.core.Authentication;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RequestHeader;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.RestController;

/**
 * {@code POST /orders}, {@code GET /orders/{order_id}} and {@code GET /orders?customer_id=}.
 *
 * <p>Thin on purpose: it checks what only HTTP knows (headers, the caller's token), hands the order to
 * {@link OrderService}, and shapes the answer. Every error becomes a problem detail in {@link OrderProblems} or the
 * shared handler. The scopes (orders:write to place, orders:read to read) are checked before a request gets here; the
 * customer is the token's ({@link Caller}): a body's {@code customer_id}, if sent, must be that customer.
 */
@RestController
@RequestMapping("/orders")
@Tag(name = "orders")
class OrdersController {

    static final String IDEMPOTENCY_KEY = "Idempotency-Key";
    static final String IDEMPOTENT_REPLAYED = "Idempotent-Replayed";
    private static final Pattern PRINTABLE_ASCII = Pattern.compile("[\\x20-\\x7E]{1,255}");

    private final OrderService orders;
    private final TraceContext traceContext;

    OrdersController(OrderService orders, TraceContext traceContext) {
        this.orders = orders;
        this.traceContext = traceContext;
    }

    @PostMapping(consumes = MediaType.APPLICATION_JSON_VALUE)
    @Operation(
            summary = "Place an order",
            description = "Prices each line at its SKU's catalogue price (PUT /inventory/{sku} sets it), stores the "
                    + "order and its order.created event in one transaction and answers 202: the order is accepted "
                    + "and will move through stock, payment and shipping. A line's unit_price_cents is optional; if "
                    + "sent, it must be the current price (409 price-mismatch names it otherwise). A SKU without a "
                    + "price is refused with 422 unknown-sku, one priced in another currency with 422 "
                    + "currency-mismatch; nothing is stored then. With an Idempotency-Key, a repeated request gets the "
                    + "first answer back and creates nothing; keys are the caller's own. Needs scope orders:write. The "
                    + "order is the customer's the access token names; customer_id is optional, and one that is not "
                    + "that customer is refused with 403 customer-mismatch. Each caller may place a limited number "
                    + "of orders at once and per second (429 rate-limited beyond that).")
    // Declaring one response makes springdoc describe only the declared ones: the 202 is declared too.
    @ApiResponse(
            responseCode = "202",
            description = "accepted: stored with its event (or, with a repeated Idempotency-Key, the first answer)",
            content =
                    @Content(
                            mediaType = MediaType.APPLICATION_JSON_VALUE,
                            schema = @Schema(implementation = OrderAccepted.class)))
    @ApiResponse(
            responseCode = "429",
            description = "rate-limited: this caller (the token's customer through its client) is over its limit; "
                    + "nothing was stored. Retry after Retry-After seconds.",
            headers = {
                @Header(
                        name = "Retry-After",
                        description = "whole seconds until the caller may place one more order",
                        schema = @Schema(type = "integer")),
                @Header(
                        name = "X-RateLimit-Limit",
                        description = "how many orders the caller may place at once",
                        schema = @Schema(type = "integer")),
                @Header(
                        name = "X-RateLimit-Remaining",
                        description = "how many it may still place now (also on every answer it was let through to)",
                        schema = @Schema(type = "integer"))
            },
            content =
                    @Content(
                            mediaType = MediaType.APPLICATION_PROBLEM_JSON_VALUE,
                            schema = @Schema(implementation = ProblemDetail.class)))
    ResponseEntity<OrderAccepted> place(
            @Valid @RequestBody PlaceOrderRequest request,
            @Parameter(description = "1 to 255 printable ASCII characters, remembered for a retention period")
                    @RequestHeader(name = IDEMPOTENCY_KEY, required = false)
                    @Nullable
                    String idempotencyKey,
            Authentication authentication) {
        if (idempotencyKey != null) {
            requireValid(idempotencyKey);
        }
        Caller caller = Caller.of(authentication);
        String named = request.customerId();
        if (named != null && !named.equals(caller.customerId())) {
            throw new CustomerMismatchException(caller.customerId());
        }
        OrderService.Placement placement =
                orders.place(request, caller.customerId(), idempotencyKey, traceContext.currentTraceparent());
        OrderAccepted order = placement.order();
        ResponseEntity.BodyBuilder answer =
                ResponseEntity.accepted().location(URI.create("/orders/" + order.orderId()));
        if (placement.replayed()) {
            answer.header(IDEMPOTENT_REPLAYED, "true");
        }
        return answer.body(order);
    }

    @GetMapping("/{order_id}")
    @Operation(
            summary = "Read an order",
            description = "Its status, lines, totals and the timeline of its events. Needs scope orders:read, and "
                    + "shows only the caller's own orders: another customer's is 404, as an unknown id is, unless the "
                    + "token also has orders:read-all.")
    OrderView get(@PathVariable("order_id") UUID orderId, Authentication authentication) {
        return orders.get(orderId, Caller.of(authentication));
    }

    @GetMapping
    @Operation(
            summary = "List a customer's latest orders",
            description = "Newest first, at most limit (1 to 100, 20 by default): each order's id, status, total "
                    + "and times (GET /orders/{order_id} has its lines and timeline). Needs scope orders:read; "
                    + "without customer_id they are the token's customer's, and another customer's need "
                    + "orders:read-all too (403 customer-mismatch otherwise).")
    CustomerOrders list(
            @Parameter(description = "whose orders; the token's customer if left out")
                    @RequestParam(name = "customer_id", required = false)
                    @Nullable
                    String customerId,
            @RequestParam(name = "limit", defaultValue = "20") int limit,
            Authentication authentication) {
        return orders.latestOf(customerId, Caller.of(authentication), Math.clamp(limit, 1, 100));
    }

    private static void requireValid(String key) {
        if (!PRINTABLE_ASCII.matcher(key).matches() || key.isBlank()) {
            throw new InvalidIdempotencyKeyException(
                    "Idempotency-Key must be 1 to 255 printable ASCII characters, and not only spaces");
        }
    }
}
