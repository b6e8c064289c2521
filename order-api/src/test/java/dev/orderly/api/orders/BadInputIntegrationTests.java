package dev.orderly.api.orders;

import static org.assertj.core.api.Assertions.assertThat;

import dev.orderly.api.Api;
import dev.orderly.testsupport.RealInfrastructure;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.jspecify.annotations.Nullable;
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
 * Bad input to POST /orders, sent to the running service, stores nothing: no order and no outbox row, whatever the
 * refusal (one request per kind of refusal and status: 400, 413 and 415 here, 422 in
 * {@link IdempotencyIntegrationTests}).
 *
 * <p>Every answer's exact problem detail is {@link OrdersControllerTests}' subject, in a slice without a server or a
 * database; what only a real server shows stays here: a body streamed without a {@code Content-Length} is cut at the
 * limit while Tomcat reads it.
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

    /** One of each kind of 400: the parser's, Bean Validation's, a coercion refused, an unknown property. */
    static Stream<Arguments> badOrders() {
        return Stream.of(
                Arguments.of("not well-formed JSON", "{\"customer_id\": \"c\", ", "$"),
                Arguments.of("a rule broken", order("\"c\"", "\"EUX\"", "[" + LINE + "]"), "currency"),
                Arguments.of("a field of the wrong type", order("42", "\"EUR\"", "[" + LINE + "]"), "customer_id"),
                Arguments.of(
                        "an unknown property",
                        "{\"customer_id\": \"c\", \"currency\": \"EUR\", \"lines\": [" + LINE + "], \"discount\": 5}",
                        "discount"));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("badOrders")
    void aBadOrderIsRefusedWith400AndStoresNothing(String what, String body, String field) {
        Stored before = stored();

        HttpResponse<String> response = api.postOrder(body);

        assertProblem(response, 400, "invalid-request");
        List<String> fields = new ArrayList<>();
        Api.json(response)
                .get("errors")
                .forEach(error -> fields.add(error.get("field").asString()));
        assertThat(fields).as("fields named for %s: %s", what, response.body()).contains(field);
        assertThat(stored()).isEqualTo(before);
    }

    @Test
    void aBodyOverTheLimitIsRefusedWith413AndStoresNothingWhetherItsLengthIsDeclaredOrItIsStreamed() {
        Stored before = stored();
        String huge = order("\"" + "c".repeat(70 * 1024) + "\"", "\"EUR\"", "[" + LINE + "]");

        assertProblem(api.postOrder(huge), 413, "request-too-large");
        // No Content-Length to refuse up front: the filter counts what Tomcat reads and stops at the limit.
        assertProblem(api.postOrderChunked(huge.getBytes(StandardCharsets.UTF_8)), 413, "request-too-large");
        assertThat(stored()).isEqualTo(before);
    }

    @Test
    void aBodyThatIsNotJsonByItsContentTypeIsRefusedWith415AndStoresNothing() {
        Stored before = stored();

        assertProblem(api.post("/orders", "text/plain", order("\"c\"", "\"EUR\"", "[" + LINE + "]")), 415, null);
        assertProblem(api.post("/orders", "application/x-www-form-urlencoded", "customer_id=c"), 415, null);
        assertThat(stored()).isEqualTo(before);
    }

    /** How many orders and outbox rows there are; the relay is not running, so nothing drains the outbox. */
    record Stored(long orders, long outboxRows) {}

    private Stored stored() {
        return new Stored(
                jdbc.sql("SELECT count(*) FROM orders").query(Long.class).single(),
                jdbc.sql("SELECT count(*) FROM outbox").query(Long.class).single());
    }

    private static void assertProblem(HttpResponse<String> response, int status, @Nullable String type) {
        assertThat(response.statusCode()).as(response.body()).isEqualTo(status);
        assertThat(response.headers().firstValue("Content-Type"))
                .as("content type of %s", response.body())
                .hasValueSatisfying(contentType -> assertThat(contentType).startsWith("application/problem+json"));
        JsonNode problem = Api.json(response);
        assertThat(problem.get("status").asInt()).isEqualTo(status);
        assertThat(problem.get("detail").asString()).isNotBlank();
        if (type != null) {
            assertThat(problem.get("type").asString()).isEqualTo("urn:orderly:problem:" + type);
        }
    }

    private static String order(String customer, String currency, String lines) {
        return "{\"customer_id\": %s, \"currency\": %s, \"lines\": %s}".formatted(customer, currency, lines);
    }
}
