package dev.orderly.api.orders;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.InstanceOfAssertFactories.MAP;
import static org.mockito.ArgumentMatchers.any;
import static org.mockito.ArgumentMatchers.eq;
import static org.mockito.BDDMockito.given;
import static org.mockito.BDDMockito.then;

import dev.orderly.api.inventory.Catalogue;
import dev.orderly.api.security.Caller;
import dev.orderly.api.security.SecurityLayer;
import dev.orderly.api.web.Problems;
import dev.orderly.api.web.WebLayer;
import dev.orderly.testsupport.TestKeys;
import dev.orderly.testsupport.TestTokens;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.stream.Stream;
import org.jspecify.annotations.Nullable;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.params.provider.ValueSource;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.webmvc.test.autoconfigure.WebMvcTest;
import org.springframework.context.annotation.Import;
import org.springframework.http.HttpHeaders;
import org.springframework.http.MediaType;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;
import org.springframework.test.context.bean.override.mockito.MockitoBean;
import org.springframework.test.web.servlet.assertj.MockMvcTester;
import org.springframework.test.web.servlet.assertj.MvcTestResult;
import tools.jackson.databind.json.JsonMapper;

/**
 * How {@code POST /orders} and {@code GET /orders/{order_id}} answer bad input, in a {@code @WebMvcTest} slice: every
 * refusal is an {@code application/problem+json} with its status, type, title and detail, bad fields named with their
 * JSON path, and a refused request never reaches {@link OrderService} (the slice's version of "nothing is stored").
 *
 * <p>The slice runs {@link OrdersController} behind the real web layer: the advice ({@link OrderProblems}, the shared
 * {@code ApiExceptionHandler}), Bean Validation, and the body limit ({@code RequestBodyLimitFilter}, a filter bean,
 * which the slice picks up by itself). What it does not scan is imported explicitly with {@link WebLayer}: the strict
 * JSON configuration, the trace context and order-api's settings; and with {@link SecurityLayer}, order-api's own
 * security configuration, whose resource server checks real tokens ({@link TestTokens}) against the tests' public key
 * ({@link #trustTheTestKey}). Every request carries such a token, for customer {@code c} with the scopes a shop has,
 * unless the test is about tokens. Only {@link OrderService}, the one collaborator beyond the web layer, is a mock.
 * Requests are in English (MockMvc's default locale), and so are Bean Validation's messages.
 *
 * <p>The refusals only the catalogue can decide (a SKU not for sale, priced in another currency, or at another price
 * than the one sent) are thrown by {@link OrderService}: here the mock throws them and their answers are checked;
 * {@link OrderPricingIntegrationTests} shows when they happen and that they store nothing.
 *
 * <p>What only a server and a database can show stays in {@link BadInputIntegrationTests}: that a refused request
 * stores no order and no outbox row, and that a streamed body without a {@code Content-Length} is cut at the limit.
 */
@WebMvcTest(OrdersController.class)
@Import({WebLayer.class, SecurityLayer.class})
class OrdersControllerTests {

    /** A shop's token: customer {@code c}, who places and reads its own orders. */
    private static final String SHOP = "Bearer " + TestTokens.forClient("c", "orders:write", "orders:read");

    private static final String INVALID_REQUEST = Problems.TYPE_PREFIX + "invalid-request";
    private static final String LINE = "{\"sku\": \"SKU-1\", \"quantity\": 1, \"unit_price_cents\": 100}";
    private static final String GOOD_ORDER = order("\"c\"", "\"EUR\"", "[" + LINE + "]");
    private static final JsonMapper JSON = JsonMapper.builder().build();

    @Autowired
    MockMvcTester mvc;

    @MockitoBean
    OrderService orders;

    private boolean serviceMayBeCalled;

    @DynamicPropertySource
    static void trustTheTestKey(DynamicPropertyRegistry registry) {
        registry.add(TestKeys.PUBLIC_KEY_LOCATION, TestKeys::publicKeyLocation);
    }

    @AfterEach
    void aRefusedRequestNeverReachesTheService() {
        if (!serviceMayBeCalled) {
            then(orders).shouldHaveNoInteractions();
        }
    }

    static Stream<Arguments> ordersBreakingARule() {
        return Stream.of(
                rule(
                        "missing currency",
                        "{\"customer_id\": \"c\", \"lines\": [" + LINE + "]}",
                        "currency",
                        "must not be null"),
                rule("missing lines", "{\"customer_id\": \"c\", \"currency\": \"EUR\"}", "lines", "must not be null"),
                rule(
                        "blank customer_id",
                        order("\"   \"", "\"EUR\"", "[" + LINE + "]"),
                        "customer_id",
                        "must not be blank"),
                rule(
                        "customer_id too long",
                        order("\"" + "c".repeat(65) + "\"", "\"EUR\"", "[" + LINE + "]"),
                        "customer_id",
                        "size must be between 0 and 64"),
                rule(
                        "customer_id with control character",
                        order("\"c\\u0000\"", "\"EUR\"", "[" + LINE + "]"),
                        "customer_id",
                        "must not contain control characters"),
                rule(
                        "unknown currency",
                        order("\"c\"", "\"EUX\"", "[" + LINE + "]"),
                        "currency",
                        "must be an ISO 4217 currency code, such as EUR or USD"),
                rule(
                        "lower-case currency",
                        order("\"c\"", "\"eur\"", "[" + LINE + "]"),
                        "currency",
                        "must be an ISO 4217 currency code, such as EUR or USD"),
                rule("no lines", order("\"c\"", "\"EUR\"", "[]"), "lines", "size must be between 1 and 100"),
                rule(
                        "101 lines",
                        order("\"c\"", "\"EUR\"", "[" + String.join(",", Collections.nCopies(101, LINE)) + "]"),
                        "lines",
                        "size must be between 1 and 100"),
                rule("null line", order("\"c\"", "\"EUR\"", "[null]"), "lines[0]", "must not be null"),
                rule(
                        "missing sku",
                        order("\"c\"", "\"EUR\"", "[{\"quantity\": 1, \"unit_price_cents\": 1}]"),
                        "lines[0].sku",
                        "must not be blank"),
                rule(
                        "empty sku",
                        order("\"c\"", "\"EUR\"", "[{\"sku\": \"\", \"quantity\": 1, \"unit_price_cents\": 1}]"),
                        "lines[0].sku",
                        "must not be blank"),
                rule(
                        "sku too long",
                        order(
                                "\"c\"",
                                "\"EUR\"",
                                "[{\"sku\": \"" + "s".repeat(65) + "\", \"quantity\": 1, \"unit_price_cents\": 1}]"),
                        "lines[0].sku",
                        "size must be between 0 and 64"),
                rule(
                        "quantity zero",
                        order("\"c\"", "\"EUR\"", "[{\"sku\": \"s\", \"quantity\": 0, \"unit_price_cents\": 1}]"),
                        "lines[0].quantity",
                        "must be greater than or equal to 1"),
                rule(
                        "quantity 1001",
                        order("\"c\"", "\"EUR\"", "[{\"sku\": \"s\", \"quantity\": 1001, \"unit_price_cents\": 1}]"),
                        "lines[0].quantity",
                        "must be less than or equal to 1000"),
                rule(
                        "negative price",
                        order("\"c\"", "\"EUR\"", "[{\"sku\": \"s\", \"quantity\": 1, \"unit_price_cents\": -1}]"),
                        "lines[0].unit_price_cents",
                        "must be greater than or equal to 0"),
                rule(
                        "price over limit",
                        order(
                                "\"c\"",
                                "\"EUR\"",
                                "[{\"sku\": \"s\", \"quantity\": 1, \"unit_price_cents\": 1000000001}]"),
                        "lines[0].unit_price_cents",
                        "must be less than or equal to 1000000000"));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("ordersBreakingARule")
    void anOrderBreakingARuleIsRefusedWith400NamingTheFieldAndTheRule(
            String what, String body, String field, String rule) {
        assertThat(postOrder(body))
                .hasStatus(400)
                .hasContentTypeCompatibleWith(MediaType.APPLICATION_PROBLEM_JSON)
                .bodyJson()
                .isStrictlyEqualTo(invalidRequest("1 field is invalid", "/orders", field, rule));
    }

    @Test
    void severalBrokenRulesAreAllNamedInOneAnswerSortedByField() {
        MvcTestResult answer =
                postOrder(order("\"\"", "\"XXY\"", "[{\"sku\": \"s\", \"quantity\": 0, \"unit_price_cents\": -5}]"));

        assertThat(answer)
                .hasStatus(400)
                .hasContentTypeCompatibleWith(MediaType.APPLICATION_PROBLEM_JSON)
                .bodyJson()
                .isStrictlyEqualTo(invalidRequest(
                        "4 fields are invalid",
                        "/orders",
                        "currency",
                        "must be an ISO 4217 currency code, such as EUR or USD",
                        "customer_id",
                        "must not be blank",
                        "lines[0].quantity",
                        "must be greater than or equal to 1",
                        "lines[0].unit_price_cents",
                        "must be greater than or equal to 0"));
    }

    static Stream<Arguments> fieldsOfTheWrongType() {
        return Stream.of(
                rule(
                        "customer_id a number",
                        order("42", "\"EUR\"", "[" + LINE + "]"),
                        "customer_id",
                        "must be a string"),
                rule("lines not an array", order("\"c\"", "\"EUR\"", "{}"), "lines", "must be an array"),
                rule(
                        "quantity as string",
                        order("\"c\"", "\"EUR\"", "[{\"sku\": \"s\", \"quantity\": \"5\", \"unit_price_cents\": 1}]"),
                        "lines[0].quantity",
                        "must be a whole number"),
                rule(
                        "quantity fractional",
                        order("\"c\"", "\"EUR\"", "[{\"sku\": \"s\", \"quantity\": 1.5, \"unit_price_cents\": 1}]"),
                        "lines[0].quantity",
                        "must be a whole number"),
                rule(
                        "price as boolean",
                        order("\"c\"", "\"EUR\"", "[{\"sku\": \"s\", \"quantity\": 1, \"unit_price_cents\": true}]"),
                        "lines[0].unit_price_cents",
                        "must be a whole number"));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("fieldsOfTheWrongType")
    void aFieldOfTheWrongTypeIsRefusedWith400RatherThanCoerced(
            String what, String body, String field, String expected) {
        assertThat(postOrder(body))
                .hasStatus(400)
                .hasContentTypeCompatibleWith(MediaType.APPLICATION_PROBLEM_JSON)
                .bodyJson()
                .isStrictlyEqualTo(invalidRequest("A field has the wrong type", "/orders", field, expected));
    }

    static Stream<Arguments> unknownProperties() {
        return Stream.of(
                rule(
                        "unknown property",
                        "{\"customer_id\": \"c\", \"currency\": \"EUR\", \"lines\": [" + LINE + "], \"discount\": 5}",
                        "discount",
                        "unknown property; allowed here: [customer_id, currency, lines]"),
                rule(
                        "unknown line property",
                        order(
                                "\"c\"",
                                "\"EUR\"",
                                "[{\"sku\": \"s\", \"quantity\": 1, \"unit_price_cents\": 1, \"colour\": \"red\"}]"),
                        "lines[0].colour",
                        "unknown property; allowed here: [sku, quantity, unit_price_cents]"));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("unknownProperties")
    void anUnknownPropertyIsRefusedWith400NamingWhatIsAllowed(String what, String body, String field, String message) {
        assertThat(postOrder(body))
                .hasStatus(400)
                .hasContentTypeCompatibleWith(MediaType.APPLICATION_PROBLEM_JSON)
                .bodyJson()
                .isStrictlyEqualTo(
                        invalidRequest("The request has a property this API does not know", "/orders", field, message));
    }

    static Stream<Arguments> bodiesThatAreNotWellFormedJson() {
        return Stream.of(
                Arguments.of("malformed JSON", "{\"customer_id\": \"c\", ", "(line 1, column 22)"),
                Arguments.of(
                        "duplicate key",
                        "{\"customer_id\": \"c\", \"customer_id\": \"d\", \"currency\": \"EUR\", \"lines\": [" + LINE
                                + "]}",
                        "Duplicate Object property \"customer_id\" (line 1, column 35)"));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("bodiesThatAreNotWellFormedJson")
    void aBodyThatIsNotWellFormedJsonIsRefusedWith400SayingWhereItBreaks(String what, String body, String where) {
        assertThat(postOrder(body))
                .hasStatus(400)
                .hasContentTypeCompatibleWith(MediaType.APPLICATION_PROBLEM_JSON)
                .bodyJson()
                .isLenientlyEqualTo(invalidRequest("The request body is not well-formed JSON", "/orders"))
                .hasPathSatisfying(
                        "$.errors",
                        errors -> assertThat(errors)
                                .asArray()
                                .singleElement()
                                .asInstanceOf(MAP)
                                .containsEntry("field", "$")
                                .hasEntrySatisfying(
                                        "message",
                                        message -> assertThat((String) message).endsWith(where)));
    }

    static Stream<Arguments> bodiesThatAreJsonButNoOrder() {
        return Stream.of(
                Arguments.of("not an object", "[1, 2]", "$", "Cannot deserialize value of type"),
                Arguments.of("trailing garbage", GOOD_ORDER + " {}", "$", "Trailing token"),
                Arguments.of(
                        "quantity huge",
                        order(
                                "\"c\"",
                                "\"EUR\"",
                                "[{\"sku\": \"s\", \"quantity\": 99999999999999999999, \"unit_price_cents\": 1}]"),
                        "lines[0].quantity",
                        "Numeric value (99999999999999999999) out of range of `int`"));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("bodiesThatAreJsonButNoOrder")
    void aBodyThatIsJsonButNoOrderIsRefusedWith400NamingWhere(
            String what, String body, String field, String messageStart) {
        assertThat(postOrder(body))
                .hasStatus(400)
                .hasContentTypeCompatibleWith(MediaType.APPLICATION_PROBLEM_JSON)
                .bodyJson()
                .isLenientlyEqualTo(invalidRequest("The request body could not be read as an order", "/orders"))
                .hasPathSatisfying(
                        "$.errors",
                        errors -> assertThat(errors)
                                .asArray()
                                .singleElement()
                                .asInstanceOf(MAP)
                                .containsEntry("field", field)
                                .hasEntrySatisfying(
                                        "message",
                                        message -> assertThat((String) message).startsWith(messageStart)));
    }

    @Test
    void anEmptyBodyIsRefusedWith400AsMissing() {
        assertThat(postOrder(""))
                .hasStatus(400)
                .hasContentTypeCompatibleWith(MediaType.APPLICATION_PROBLEM_JSON)
                .bodyJson()
                .isStrictlyEqualTo(invalidRequest(
                        "The request body is missing or unreadable", "/orders", "$", "a JSON object is required"));
    }

    @ParameterizedTest(name = "\"{0}\"")
    @ValueSource(strings = {" ", "tab\there", "é"})
    void anInvalidIdempotencyKeyIsRefusedWith400NamingTheHeader(String key) {
        assertInvalidKey(key);
    }

    @Test
    void anIdempotencyKeyLongerThan255CharactersIsRefusedWith400NamingTheHeader() {
        assertInvalidKey("x".repeat(256));
    }

    private void assertInvalidKey(String key) {
        MvcTestResult answer = post().uri("/orders")
                .contentType(MediaType.APPLICATION_JSON)
                .header("Idempotency-Key", key)
                .content(GOOD_ORDER)
                .exchange();

        assertThat(answer)
                .hasStatus(400)
                .hasContentTypeCompatibleWith(MediaType.APPLICATION_PROBLEM_JSON)
                .bodyJson()
                .isStrictlyEqualTo(invalidRequest(
                        "The Idempotency-Key header is invalid",
                        "/orders",
                        "Idempotency-Key",
                        "Idempotency-Key must be 1 to 255 printable ASCII characters, and not only spaces"));
    }

    @Test
    void aKeyFirstUsedForAnotherBodyIsRefusedWith422NamingTheOrderItCreated() {
        serviceMayBeCalled = true;
        UUID first = UUID.fromString("3fa85f64-5717-4562-b3fc-2c963f66afa6");
        given(orders.place(any(), any(), eq("key-1"), any())).willThrow(new IdempotencyKeyReusedException(first));

        MvcTestResult answer = post().uri("/orders")
                .contentType(MediaType.APPLICATION_JSON)
                .header("Idempotency-Key", "key-1")
                .content(GOOD_ORDER)
                .exchange();

        assertThat(answer)
                .hasStatus(422)
                .hasContentTypeCompatibleWith(MediaType.APPLICATION_PROBLEM_JSON)
                .bodyJson()
                .isStrictlyEqualTo(problem(
                        422,
                        Problems.TYPE_PREFIX + "idempotency-key-reused",
                        "Idempotency-Key reused",
                        "This Idempotency-Key was first used for a different request body (it created order "
                                + first + "). Send the same body to get the first answer again, or use a new key "
                                + "for a new order.",
                        "/orders"));
    }

    @Test
    void aLineWithoutAUnitPriceIsAnOrderForTheServiceToPrice() {
        serviceMayBeCalled = true;
        UUID id = UUID.fromString("3fa85f64-5717-4562-b3fc-2c963f66afa6");
        Instant at = Instant.parse("2026-01-02T03:04:05.123456Z");
        given(orders.place(any(), any(), any(), any()))
                .willReturn(new OrderService.Placement(
                        new OrderAccepted(id, OrderStatus.PENDING, "c", "EUR", 2500, at), false));

        assertThat(postOrder(order("\"c\"", "\"EUR\"", "[{\"sku\": \"SKU-1\", \"quantity\": 2}]")))
                .hasStatus(202)
                .bodyJson()
                .extractingPath("$.total_cents")
                .isEqualTo(2500);
        then(orders)
                .should()
                .place(
                        eq(new PlaceOrderRequest("c", "EUR", List.of(new PlaceOrderRequest.Line("SKU-1", 2, null)))),
                        eq("c"),
                        any(),
                        any());
    }

    @Test
    void skusNotForSaleAreRefusedWith422NamingEachLine() {
        serviceMayBeCalled = true;
        given(orders.place(any(), any(), any(), any()))
                .willThrow(new SkusNotForSaleException(List.of(
                        new SkusNotForSaleException.Line(1, "NOPE", false),
                        new SkusNotForSaleException.Line(2, "FREE", true))));

        assertThat(postOrder(GOOD_ORDER))
                .hasStatus(422)
                .hasContentTypeCompatibleWith(MediaType.APPLICATION_PROBLEM_JSON)
                .bodyJson()
                .isStrictlyEqualTo(problem(
                        422,
                        Problems.TYPE_PREFIX + "unknown-sku",
                        "SKU not for sale",
                        "Not for sale: 'NOPE', 'FREE'. Order only SKUs that have a price (GET /inventory/{sku} shows "
                                + "it); nothing was stored.",
                        "/orders",
                        Map.of(
                                "errors",
                                List.of(
                                        new Problems.FieldError("lines[1].sku", "'NOPE' is not in the catalogue"),
                                        new Problems.FieldError(
                                                "lines[2].sku", "'FREE' has no price: it is not for sale")))));
    }

    @Test
    void aSkuPricedInAnotherCurrencyIsRefusedWith422NamingTheLineAndTheCurrency() {
        serviceMayBeCalled = true;
        given(orders.place(any(), any(), any(), any()))
                .willThrow(new CurrencyMismatchException(
                        "EUR", List.of(new CurrencyMismatchException.Line(0, "SKU-1", "USD"))));

        assertThat(postOrder(GOOD_ORDER))
                .hasStatus(422)
                .hasContentTypeCompatibleWith(MediaType.APPLICATION_PROBLEM_JSON)
                .bodyJson()
                .isStrictlyEqualTo(problem(
                        422,
                        Problems.TYPE_PREFIX + "currency-mismatch",
                        "Currency mismatch",
                        "The order is in EUR, but 'SKU-1' is priced in USD. Order each SKU in the currency it is "
                                + "priced in; nothing was stored.",
                        "/orders",
                        Map.of(
                                "errors",
                                List.of(new Problems.FieldError(
                                        "lines[0].sku", "'SKU-1' is priced in USD, not EUR")))));
    }

    @Test
    void aPriceOtherThanTheCataloguesIsRefusedWith409NamingTheCurrentPrice() {
        serviceMayBeCalled = true;
        given(orders.place(any(), any(), any(), any()))
                .willThrow(new PriceMismatchException(
                        List.of(new PriceMismatchException.Line(0, "SKU-1", 100, new Catalogue.Price(1250, "EUR")))));

        assertThat(postOrder(GOOD_ORDER))
                .hasStatus(409)
                .hasContentTypeCompatibleWith(MediaType.APPLICATION_PROBLEM_JSON)
                .bodyJson()
                .isStrictlyEqualTo(problem(
                        409,
                        Problems.TYPE_PREFIX + "price-mismatch",
                        "Price mismatch",
                        "The unit price sent is not the current price for 'SKU-1' (1250 EUR). Send the current price, "
                                + "or none to be charged the catalogue's; nothing was stored.",
                        "/orders",
                        Map.of(
                                "errors",
                                List.of(new Problems.FieldError(
                                        "lines[0].unit_price_cents", "is 1250 EUR for 'SKU-1' now, not 100")),
                                "current_prices",
                                List.of(Map.of("sku", "SKU-1", "unit_price_cents", 1250, "currency", "EUR")))));
    }

    @Test
    void aBodyOverTheLimitIsRefusedWith413BeforeBeingRead() {
        // Not even JSON: had the body been read, the answer would be a 400.
        byte[] huge = "x".repeat(64 * 1024 + 1).getBytes(StandardCharsets.UTF_8);

        MvcTestResult answer = post().uri("/orders")
                .contentType(MediaType.APPLICATION_JSON)
                .content(huge)
                .exchange();

        assertThat(answer)
                .hasStatus(413)
                .hasContentTypeCompatibleWith(MediaType.APPLICATION_PROBLEM_JSON)
                .hasHeader(HttpHeaders.CONNECTION, "close")
                .bodyJson()
                .isStrictlyEqualTo(problem(
                        413,
                        Problems.TYPE_PREFIX + "request-too-large",
                        "Request too large",
                        "The request body is larger than 65536 bytes, the most this API accepts",
                        "/orders"));
    }

    @Test
    void aBodyOfExactlyTheLimitIsReadAndJudgedForWhatItSays() {
        String padded = order("\"c\"", "\"EUR\"", "[" + LINE + "]");
        padded = padded + " ".repeat(64 * 1024 - padded.length());

        // Read and parsed (trailing spaces are insignificant), then refused for what it says: no 413.
        assertThat(post().uri("/orders")
                        .contentType(MediaType.APPLICATION_JSON)
                        .header("Idempotency-Key", " ")
                        .content(padded))
                .hasStatus(400)
                .bodyJson()
                .extractingPath("$.errors[0].field")
                .isEqualTo("Idempotency-Key");
    }

    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"text/plain", "application/x-www-form-urlencoded"})
    void aBodyThatIsNotJsonByItsContentTypeIsRefusedWith415(String contentType) {
        MvcTestResult answer = post().uri("/orders")
                .contentType(contentType)
                .content(contentType.equals("text/plain") ? GOOD_ORDER : "customer_id=c")
                .exchange();

        assertThat(answer)
                .hasStatus(415)
                .hasContentTypeCompatibleWith(MediaType.APPLICATION_PROBLEM_JSON)
                .hasHeader(HttpHeaders.ACCEPT, MediaType.APPLICATION_JSON_VALUE)
                .bodyJson()
                .isStrictlyEqualTo(problem(
                        415,
                        null,
                        "Unsupported Media Type",
                        "Content-Type '%s' is not supported.".formatted(contentType),
                        "/orders"));
    }

    @Test
    void aMalformedOrderIdIsRefusedWith400NamingIt() {
        assertThat(get().uri("/orders/not-a-uuid"))
                .hasStatus(400)
                .hasContentTypeCompatibleWith(MediaType.APPLICATION_PROBLEM_JSON)
                .bodyJson()
                .isStrictlyEqualTo(invalidRequest(
                        "'not-a-uuid' is not a valid order_id",
                        "/orders/not-a-uuid",
                        "order_id",
                        "must be a UUID, such as 3fa85f64-5717-4562-b3fc-2c963f66afa6"));
    }

    @Test
    void anUnknownOrderIsAnswered404() {
        serviceMayBeCalled = true;
        UUID unknown = UUID.fromString("3fa85f64-5717-4562-b3fc-2c963f66afa6");
        given(orders.get(eq(unknown), any())).willThrow(new OrderNotFoundException(unknown));

        assertThat(get().uri("/orders/" + unknown))
                .hasStatus(404)
                .hasContentTypeCompatibleWith(MediaType.APPLICATION_PROBLEM_JSON)
                .bodyJson()
                .isStrictlyEqualTo(problem(
                        404,
                        Problems.TYPE_PREFIX + "order-not-found",
                        "Order not found",
                        "No order has id " + unknown,
                        "/orders/" + unknown));
    }

    @Test
    void aWrongMethodIsRefusedWith405NamingTheAllowedOnes() {
        String path = "/orders/" + UUID.randomUUID();

        assertThat(post().uri(path).contentType(MediaType.APPLICATION_JSON).content("{}"))
                .hasStatus(405)
                .hasContentTypeCompatibleWith(MediaType.APPLICATION_PROBLEM_JSON)
                .hasHeader(HttpHeaders.ALLOW, "GET")
                .bodyJson()
                .isStrictlyEqualTo(problem(405, null, "Method Not Allowed", "Method 'POST' is not supported.", path));
    }

    @Test
    void anUnknownPathIsAnswered404() {
        assertThat(get().uri("/no-such-thing"))
                .hasStatus(404)
                .hasContentTypeCompatibleWith(MediaType.APPLICATION_PROBLEM_JSON)
                .bodyJson()
                .isStrictlyEqualTo(
                        problem(404, null, "Not Found", "No static resource no-such-thing.", "/no-such-thing"));
    }

    @Test
    void withoutATokenEveryRequestIs401WithTheBearerChallengeAndAProblem() throws Exception {
        MvcTestResult post = mvc.post()
                .uri("/orders")
                .contentType(MediaType.APPLICATION_JSON)
                .content(GOOD_ORDER)
                .exchange();
        UUID id = UUID.randomUUID();
        MvcTestResult read = mvc.get().uri("/orders/" + id).exchange();

        assertThat(post.getResponse().getHeader(HttpHeaders.WWW_AUTHENTICATE))
                .as("Spring's challenge, with no error: none was sent")
                .startsWith("Bearer")
                .doesNotContain("error=");
        assertThat(post)
                .hasStatus(401)
                .hasContentTypeCompatibleWith(MediaType.APPLICATION_PROBLEM_JSON)
                .bodyJson()
                .isStrictlyEqualTo(tokenProblem(
                        401,
                        "authentication-required",
                        "Authentication required",
                        "This request needs an access token: send it as 'Authorization: Bearer <token>'. Your identity"
                                + " provider issues it to your client (./orderly token shop prints one for the local"
                                + " run)."));
        assertThat(read).hasStatus(401);
        assertThat(read.getResponse().getContentAsString())
                .as("a refusal before the order is looked at names no order")
                .doesNotContain(id.toString());
    }

    @Test
    void aTokenSignedByAnotherKeyIs401InvalidToken() {
        String forged = TestTokens.token("c")
                .scopes("orders:write")
                .signedByAnotherKey()
                .mint();

        MvcTestResult answer = postOrder(GOOD_ORDER, forged);

        assertThat(answer.getResponse().getHeader(HttpHeaders.WWW_AUTHENTICATE))
                .startsWith("Bearer error=\"invalid_token\", error_description=\"An error occurred while attempting to "
                        + "decode the Jwt: Signed JWT rejected: Invalid signature\"");
        assertThat(answer)
                .hasStatus(401)
                .bodyJson()
                .isStrictlyEqualTo(tokenProblem(
                        401,
                        "invalid-token",
                        "Invalid token",
                        "The access token was refused: An error occurred while attempting to decode the Jwt: Signed "
                                + "JWT rejected: Invalid signature. Send a valid, unexpired token as 'Authorization: "
                                + "Bearer <token>'."));
    }

    @Test
    void anExpiredTokenIs401InvalidToken() {
        String expired = TestTokens.token("c")
                .scopes("orders:write")
                .expired(Duration.ofMinutes(5))
                .mint();

        MvcTestResult answer = postOrder(GOOD_ORDER, expired);

        assertThat(answer)
                .hasStatus(401)
                .bodyJson()
                .satisfies(body ->
                        assertThat(body).extractingPath("$.type").isEqualTo(Problems.TYPE_PREFIX + "invalid-token"));
        assertThat(answer).bodyJson().extractingPath("$.detail").asString().contains("Jwt expired at");
        assertThat(answer.getResponse().getHeader(HttpHeaders.WWW_AUTHENTICATE))
                .startsWith("Bearer error=\"invalid_token\"")
                .contains("expired");
    }

    @Test
    void aTokenWithoutTheScopeIs403NamingTheScope() {
        String readOnly = TestTokens.forClient("c", "orders:read", "inventory:write");
        String writeOnly = TestTokens.forClient("c", "orders:write");

        MvcTestResult post = postOrder(GOOD_ORDER, readOnly);

        assertThat(post)
                .hasStatus(403)
                .hasContentTypeCompatibleWith(MediaType.APPLICATION_PROBLEM_JSON)
                .bodyJson()
                .isStrictlyEqualTo(tokenProblem(
                        403,
                        "insufficient-scope",
                        "Insufficient scope",
                        "This request needs scope 'orders:write', which the access token does not grant."));
        assertThat(post.getResponse().getHeader(HttpHeaders.WWW_AUTHENTICATE))
                .startsWith("Bearer error=\"insufficient_scope\"");
        UUID id = UUID.randomUUID();
        assertThat(mvc.get().uri("/orders/" + id).header(HttpHeaders.AUTHORIZATION, "Bearer " + writeOnly))
                .hasStatus(403)
                .bodyJson()
                .extractingPath("$.detail")
                .isEqualTo("This request needs scope 'orders:read', which the access token does not grant.");
    }

    @Test
    void aBodyNamingAnotherCustomerIs403CustomerMismatch() {
        assertThat(postOrder(order("\"someone-else\"", "\"EUR\"", "[" + LINE + "]")))
                .hasStatus(403)
                .hasContentTypeCompatibleWith(MediaType.APPLICATION_PROBLEM_JSON)
                .bodyJson()
                .isStrictlyEqualTo(problem(
                        403,
                        Problems.TYPE_PREFIX + "customer-mismatch",
                        "Customer mismatch",
                        "customer_id is not the customer this access token acts for ('c'). Leave customer_id out, the "
                                + "token names the customer, or send 'c'; nothing was stored.",
                        "/orders",
                        Map.of(
                                "errors",
                                List.of(new Problems.FieldError(
                                        "customer_id", "must be the access token's customer, or left out")))));
    }

    @Test
    void anOrderWithoutACustomerIdIsTheTokensCustomers() {
        serviceMayBeCalled = true;
        given(orders.place(any(), any(), any(), any()))
                .willReturn(new OrderService.Placement(
                        new OrderAccepted(
                                UUID.randomUUID(),
                                OrderStatus.PENDING,
                                "c",
                                "EUR",
                                100,
                                Instant.parse("2026-01-02T03:04:05Z")),
                        false));

        assertThat(postOrder("{\"currency\": \"EUR\", \"lines\": [" + LINE + "]}"))
                .hasStatus(202);
        then(orders)
                .should()
                .place(
                        eq(new PlaceOrderRequest(null, "EUR", List.of(new PlaceOrderRequest.Line("SKU-1", 1, 100L)))),
                        eq("c"),
                        any(),
                        any());
    }

    @Test
    void aTokenThatNamesNoCustomerIs403CustomerClaimUnusable() {
        String noSubject =
                TestTokens.tokenWithoutSubject().scopes("orders:write").mint();
        String tooLong = TestTokens.forClient("c".repeat(65), "orders:write");

        assertThat(postOrder(GOOD_ORDER, noSubject))
                .hasStatus(403)
                .bodyJson()
                .isStrictlyEqualTo(problem(
                        403,
                        Problems.TYPE_PREFIX + "customer-claim-unusable",
                        "Customer claim unusable",
                        "The access token names no customer: its customer claim (orderly.api.security.customer-claim) "
                                + "is missing or blank. Ask for a token that names the customer the orders are for.",
                        "/orders"));
        assertThat(postOrder("{\"currency\": \"EUR\", \"lines\": [" + LINE + "]}", tooLong))
                .hasStatus(403)
                .bodyJson()
                .extractingPath("$.type")
                .isEqualTo(Problems.TYPE_PREFIX + "customer-claim-unusable");
    }

    @Test
    void aReadIsTheCallersAndReadsAllOnlyWithOrdersReadAll() {
        serviceMayBeCalled = true;
        UUID id = UUID.fromString("3fa85f64-5717-4562-b3fc-2c963f66afa6");
        given(orders.get(eq(id), any())).willThrow(new OrderNotFoundException(id));
        String operator = TestTokens.forClient("operator", "orders:read", "orders:read-all");

        assertThat(get().uri("/orders/" + id)).hasStatus(404);
        assertThat(mvc.get().uri("/orders/" + id).header(HttpHeaders.AUTHORIZATION, "Bearer " + operator))
                .hasStatus(404);

        then(orders).should().get(id, new Caller("c", false));
        then(orders).should().get(id, new Caller("operator", true));
    }

    /** A POST with the shop's token. */
    private MockMvcTester.MockMvcRequestBuilder post() {
        return mvc.post().header(HttpHeaders.AUTHORIZATION, SHOP);
    }

    /** A GET with the shop's token. */
    private MockMvcTester.MockMvcRequestBuilder get() {
        return mvc.get().header(HttpHeaders.AUTHORIZATION, SHOP);
    }

    private MvcTestResult postOrder(String body, String token) {
        return mvc.post()
                .uri("/orders")
                .header(HttpHeaders.AUTHORIZATION, "Bearer " + token)
                .contentType(MediaType.APPLICATION_JSON)
                .content(body)
                .exchange();
    }

    private MvcTestResult postOrder(String body) {
        return post().uri("/orders")
                .contentType(MediaType.APPLICATION_JSON)
                .content(body)
                .exchange();
    }

    /** A refusal of the token check: no {@code instance}, since the path may name an order. */
    private static String tokenProblem(int status, String type, String title, String detail) {
        Map<String, Object> problem = new LinkedHashMap<>();
        problem.put("type", Problems.TYPE_PREFIX + type);
        problem.put("title", title);
        problem.put("status", status);
        problem.put("detail", detail);
        return JSON.writeValueAsString(problem);
    }

    /** A problem detail as this API writes it; {@code type} null for Spring MVC's own ({@code about:blank}). */
    private static String problem(int status, @Nullable String type, String title, String detail, String instance) {
        return problem(status, type, title, detail, instance, Map.of());
    }

    /** The same, with properties of its own, such as {@code errors}. */
    private static String problem(
            int status,
            @Nullable String type,
            String title,
            String detail,
            String instance,
            Map<String, Object> properties) {
        Map<String, Object> problem = new LinkedHashMap<>();
        if (type != null) {
            problem.put("type", type);
        }
        problem.put("title", title);
        problem.put("status", status);
        problem.put("detail", detail);
        problem.put("instance", instance);
        problem.putAll(properties);
        return JSON.writeValueAsString(problem);
    }

    /** A 400 {@code invalid-request}, with the fields at fault as (field, message) pairs, in their order. */
    private static String invalidRequest(String detail, String instance, String... fieldsAndMessages) {
        Map<String, Object> problem = new LinkedHashMap<>();
        problem.put("type", INVALID_REQUEST);
        problem.put("title", "Invalid request");
        problem.put("status", 400);
        problem.put("detail", detail);
        problem.put("instance", instance);
        if (fieldsAndMessages.length > 0) {
            List<Problems.FieldError> errors = new ArrayList<>();
            for (int i = 0; i < fieldsAndMessages.length; i += 2) {
                errors.add(new Problems.FieldError(fieldsAndMessages[i], fieldsAndMessages[i + 1]));
            }
            problem.put("errors", errors);
        }
        return JSON.writeValueAsString(problem);
    }

    private static String order(String customer, String currency, String lines) {
        return "{\"customer_id\": %s, \"currency\": %s, \"lines\": %s}".formatted(customer, currency, lines);
    }

    private static Arguments rule(String what, String body, String field, String message) {
        return Arguments.of(what, body, field, message);
    }
}
