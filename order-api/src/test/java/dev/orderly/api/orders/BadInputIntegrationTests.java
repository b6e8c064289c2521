package dev.orderly.api.orders;

import static org.assertj.core.api.Assertions.assertThat;

import dev.orderly.api.Api;
import dev.orderly.testsupport.RealInfrastructure;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.jdbc.core.simple.JdbcClient;
import tools.jackson.databind.JsonNode;

/**
 * Bad input to POST /orders gets a 4xx {@code application/problem+json} that names the fields at fault, never a 500,
 * and stores nothing.
 */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT)
@RealInfrastructure
class BadInputIntegrationTests {

    private static final String LINE = "{\"sku\": \"SKU-1\", \"quantity\": 1, \"unit_price_cents\": 100}";

    @LocalServerPort
    int port;

    @Autowired
    JdbcClient jdbc;

    Api api;

    @BeforeEach
    void setUp() {
        api = new Api(port);
    }

    static Stream<Arguments> badOrders() {
        return Stream.of(
                bad("malformed JSON", "{\"customer_id\": \"c\", ", "$"),
                bad("not an object", "[1, 2]", "$"),
                bad("empty body", "", "$"),
                bad("trailing garbage", order("\"c\"", "\"EUR\"", "[" + LINE + "]") + " {}", "$"),
                bad(
                        "duplicate key",
                        "{\"customer_id\": \"c\", \"customer_id\": \"d\", \"currency\": \"EUR\", \"lines\": [" + LINE
                                + "]}",
                        "$"),
                bad("missing customer_id", "{\"currency\": \"EUR\", \"lines\": [" + LINE + "]}", "customer_id"),
                bad("missing currency", "{\"customer_id\": \"c\", \"lines\": [" + LINE + "]}", "currency"),
                bad("missing lines", "{\"customer_id\": \"c\", \"currency\": \"EUR\"}", "lines"),
                bad("null customer_id", order("null", "\"EUR\"", "[" + LINE + "]"), "customer_id"),
                bad("blank customer_id", order("\"   \"", "\"EUR\"", "[" + LINE + "]"), "customer_id"),
                bad(
                        "customer_id too long",
                        order("\"" + "c".repeat(65) + "\"", "\"EUR\"", "[" + LINE + "]"),
                        "customer_id"),
                bad(
                        "customer_id with control character",
                        order("\"c\\u0000\"", "\"EUR\"", "[" + LINE + "]"),
                        "customer_id"),
                bad("customer_id a number", order("42", "\"EUR\"", "[" + LINE + "]"), "customer_id"),
                bad("unknown currency", order("\"c\"", "\"EUX\"", "[" + LINE + "]"), "currency"),
                bad("lower-case currency", order("\"c\"", "\"eur\"", "[" + LINE + "]"), "currency"),
                bad("no lines", order("\"c\"", "\"EUR\"", "[]"), "lines"),
                bad(
                        "101 lines",
                        order(
                                "\"c\"",
                                "\"EUR\"",
                                "[" + String.join(",", java.util.Collections.nCopies(101, LINE)) + "]"),
                        "lines"),
                bad("lines not an array", order("\"c\"", "\"EUR\"", "{}"), "lines"),
                bad("null line", order("\"c\"", "\"EUR\"", "[null]"), "lines[0]"),
                bad(
                        "missing sku",
                        order("\"c\"", "\"EUR\"", "[{\"quantity\": 1, \"unit_price_cents\": 1}]"),
                        "lines[0].sku"),
                bad(
                        "empty sku",
                        order("\"c\"", "\"EUR\"", "[{\"sku\": \"\", \"quantity\": 1, \"unit_price_cents\": 1}]"),
                        "lines[0].sku"),
                bad(
                        "sku too long",
                        order(
                                "\"c\"",
                                "\"EUR\"",
                                "[{\"sku\": \"" + "s".repeat(65) + "\", \"quantity\": 1, \"unit_price_cents\": 1}]"),
                        "lines[0].sku"),
                bad(
                        "quantity zero",
                        order("\"c\"", "\"EUR\"", "[{\"sku\": \"s\", \"quantity\": 0, \"unit_price_cents\": 1}]"),
                        "lines[0].quantity"),
                bad(
                        "quantity 1001",
                        order("\"c\"", "\"EUR\"", "[{\"sku\": \"s\", \"quantity\": 1001, \"unit_price_cents\": 1}]"),
                        "lines[0].quantity"),
                bad(
                        "quantity as string",
                        order("\"c\"", "\"EUR\"", "[{\"sku\": \"s\", \"quantity\": \"5\", \"unit_price_cents\": 1}]"),
                        "lines[0].quantity"),
                bad(
                        "quantity fractional",
                        order("\"c\"", "\"EUR\"", "[{\"sku\": \"s\", \"quantity\": 1.5, \"unit_price_cents\": 1}]"),
                        "lines[0].quantity"),
                bad(
                        "quantity huge",
                        order(
                                "\"c\"",
                                "\"EUR\"",
                                "[{\"sku\": \"s\", \"quantity\": 99999999999999999999, \"unit_price_cents\": 1}]"),
                        "lines[0].quantity"),
                bad(
                        "negative price",
                        order("\"c\"", "\"EUR\"", "[{\"sku\": \"s\", \"quantity\": 1, \"unit_price_cents\": -1}]"),
                        "lines[0].unit_price_cents"),
                bad(
                        "price over limit",
                        order(
                                "\"c\"",
                                "\"EUR\"",
                                "[{\"sku\": \"s\", \"quantity\": 1, \"unit_price_cents\": 1000000001}]"),
                        "lines[0].unit_price_cents"),
                bad(
                        "price as boolean",
                        order("\"c\"", "\"EUR\"", "[{\"sku\": \"s\", \"quantity\": 1, \"unit_price_cents\": true}]"),
                        "lines[0].unit_price_cents"),
                bad(
                        "unknown property",
                        "{\"customer_id\": \"c\", \"currency\": \"EUR\", \"lines\": [" + LINE + "], \"discount\": 5}",
                        "discount"),
                bad(
                        "unknown line property",
                        order(
                                "\"c\"",
                                "\"EUR\"",
                                "[{\"sku\": \"s\", \"quantity\": 1, \"unit_price_cents\": 1, \"colour\": \"red\"}]"),
                        "lines[0].colour"));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("badOrders")
    void badOrderIsRefusedNamingTheFieldAndStoresNothing(String what, String body, String field) {
        long before = orders();

        HttpResponse<String> response = api.postOrder(body);

        assertProblem(response, 400);
        List<String> fields = new ArrayList<>();
        Api.json(response)
                .get("errors")
                .forEach(error -> fields.add(error.get("field").asString()));
        assertThat(fields).as("fields named for %s: %s", what, response.body()).contains(field);
        assertThat(orders()).isEqualTo(before);
    }

    @Test
    void severalBadFieldsAreAllNamed() {
        HttpResponse<String> response = api.postOrder(
                order("\"\"", "\"XXY\"", "[{\"sku\": \"s\", \"quantity\": 0, \"unit_price_cents\": -5}]"));

        assertProblem(response, 400);
        List<String> fields = new ArrayList<>();
        Api.json(response)
                .get("errors")
                .forEach(error -> fields.add(error.get("field").asString()));
        assertThat(fields).contains("customer_id", "currency", "lines[0].quantity", "lines[0].unit_price_cents");
    }

    @Test
    void bodyOverTheLimitIsRefusedBeforeBeingRead() {
        long before = orders();
        String huge = order("\"c\"", "\"EUR\"", "[" + LINE + "]").replace("\"c\"", "\"" + "c".repeat(70 * 1024) + "\"");

        assertProblem(api.postOrder(huge), 413);
        assertProblem(api.postOrderChunked(huge.getBytes(StandardCharsets.UTF_8)), 413);
        assertThat(orders()).isEqualTo(before);
    }

    @Test
    void wrongContentTypeIsUnsupportedMediaType() {
        long before = orders();

        assertProblem(api.post("/orders", "text/plain", order("\"c\"", "\"EUR\"", "[" + LINE + "]")), 415);
        assertProblem(api.post("/orders", "application/x-www-form-urlencoded", "customer_id=c"), 415);
        assertThat(orders()).isEqualTo(before);
    }

    @Test
    void wrongMethodAndUnknownPathAreProblems() {
        assertProblem(api.post("/orders/" + java.util.UUID.randomUUID(), "application/json", "{}"), 405);
        assertProblem(api.get("/no-such-thing"), 404);
    }

    private static void assertProblem(HttpResponse<String> response, int status) {
        assertThat(response.statusCode()).as(response.body()).isEqualTo(status);
        assertThat(response.headers().firstValue("Content-Type"))
                .as("content type of %s", response.body())
                .hasValueSatisfying(type -> assertThat(type).startsWith("application/problem+json"));
        JsonNode problem = Api.json(response);
        assertThat(problem.get("status").asInt()).isEqualTo(status);
        assertThat(problem.get("detail").asString()).isNotBlank();
    }

    private long orders() {
        return jdbc.sql("SELECT count(*) FROM orders").query(Long.class).single();
    }

    private static String order(String customer, String currency, String lines) {
        return "{\"customer_id\": %s, \"currency\": %s, \"lines\": %s}".formatted(customer, currency, lines);
    }

    private static Arguments bad(String what, String body, String field) {
        return Arguments.of(what, body, field);
    }
}
