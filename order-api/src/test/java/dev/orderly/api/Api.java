package dev.orderly.api;

import dev.orderly.testsupport.TestTokens;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.jspecify.annotations.Nullable;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * A plain HTTP client for order-api tests: real requests over loopback, through Tomcat and every filter, each with a
 * real access token ({@link TestTokens}, signed with the key the test context trusts) unless a test says otherwise.
 *
 * <p>By default the caller is customer {@link #CUSTOMER} with every scope order-api knows ({@link #ALL_SCOPES}, so it
 * may also read every customer's orders): the tests of what the API does with an order need not be about who may.
 * {@link #as} is the same API as another customer, whose orders a body naming that customer then are;
 * {@link #withToken} any token, or none.
 */
public final class Api {

    /** The customer the tests' caller is unless a test says otherwise: the subject of its token. */
    public static final String CUSTOMER = "api-tests";

    /** Every scope order-api knows, {@code orders:read-all} included. */
    public static final String[] ALL_SCOPES = {
        "orders:write",
        "orders:read",
        "orders:read-all",
        "inventory:read",
        "inventory:write",
        "metrics:read",
        "actuator:read"
    };

    private static final JsonMapper JSON = JsonMapper.builder().build();
    private static final HttpClient HTTP =
            HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

    private final String base;
    private final @Nullable String token;

    /** order-api (or its management side) on {@code port}, as {@link #CUSTOMER} with {@link #ALL_SCOPES}. */
    public Api(int port) {
        this("http://127.0.0.1:" + port, TestTokens.forClient(CUSTOMER, ALL_SCOPES));
    }

    private Api(String base, @Nullable String token) {
        this.base = base;
        this.token = token;
    }

    /** The same API as {@code customer}, the subject of its token, with {@link #ALL_SCOPES}. */
    public Api as(String customer) {
        return withToken(TestTokens.forClient(customer, ALL_SCOPES));
    }

    /** The same API with {@code token} on every request; {@code null}: with no {@code Authorization} header at all. */
    public Api withToken(@Nullable String token) {
        return new Api(base, token);
    }

    public HttpResponse<String> postOrder(String body, String... headers) {
        return send(HttpRequest.newBuilder(URI.create(base + "/orders"))
                .header("Content-Type", "application/json")
                .headers(headers.length == 0 ? new String[] {"Accept", "*/*"} : headers)
                .POST(HttpRequest.BodyPublishers.ofString(body)));
    }

    /** Posts {@code body} without a Content-Length, as a chunked stream. */
    public HttpResponse<String> postOrderChunked(byte[] body) {
        return send(HttpRequest.newBuilder(URI.create(base + "/orders"))
                .header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofInputStream(() -> new ByteArrayInputStream(body))));
    }

    public HttpResponse<String> post(String path, String contentType, String body) {
        return send(HttpRequest.newBuilder(URI.create(base + path))
                .header("Content-Type", contentType)
                .POST(HttpRequest.BodyPublishers.ofString(body)));
    }

    public HttpResponse<String> get(String path) {
        return send(HttpRequest.newBuilder(URI.create(base + path)).GET());
    }

    public HttpResponse<String> head(String path) {
        return send(
                HttpRequest.newBuilder(URI.create(base + path)).method("HEAD", HttpRequest.BodyPublishers.noBody()));
    }

    public HttpResponse<String> put(String path, String body) {
        return send(HttpRequest.newBuilder(URI.create(base + path))
                .header("Content-Type", "application/json")
                .PUT(HttpRequest.BodyPublishers.ofString(body)));
    }

    /**
     * A SKU no other test uses, for sale at {@code priceCents} EUR with plenty of stock, set through
     * {@code PUT /inventory/{sku}}: orders price their lines from the catalogue, and the tests' database has none seeded.
     */
    public String newSku(long priceCents) {
        String sku = "SKU-" + UUID.randomUUID();
        setPrice(sku, priceCents, "EUR");
        return sku;
    }

    /** Sets {@code sku}'s price (creating it with plenty of stock if new), failing the test unless that is a 200. */
    public void setPrice(String sku, long priceCents, String currency) {
        HttpResponse<String> put = put(
                "/inventory/" + sku,
                JSON.writeValueAsString(Map.of("on_hand", 1_000_000, "price_cents", priceCents, "currency", currency)));
        if (put.statusCode() != 200) {
            throw new AssertionError("PUT /inventory/%s answered %d: %s".formatted(sku, put.statusCode(), put.body()));
        }
    }

    public static JsonNode json(HttpResponse<String> response) {
        return JSON.readTree(response.body());
    }

    /** An order in EUR for {@code quantity} of {@code sku}, at whatever the catalogue's price is (no unit price sent). */
    public static String order(String customerId, String sku, int quantity) {
        return order(customerId, Map.of("sku", sku, "quantity", quantity));
    }

    /** An order in EUR for {@code quantity} of {@code sku} without a {@code customer_id}: the token's customer's. */
    public static String order(String sku, int quantity) {
        return JSON.writeValueAsString(
                Map.of("currency", "EUR", "lines", List.of(Map.of("sku", sku, "quantity", quantity))));
    }

    /** The same, sending {@code unitPriceCents} as the price the client expects to pay (refused unless current). */
    public static String order(String customerId, String sku, int quantity, long unitPriceCents) {
        return order(customerId, Map.of("sku", sku, "quantity", quantity, "unit_price_cents", unitPriceCents));
    }

    private static String order(String customerId, Map<String, Object> line) {
        return JSON.writeValueAsString(Map.of("customer_id", customerId, "currency", "EUR", "lines", List.of(line)));
    }

    private HttpResponse<String> send(HttpRequest.Builder request) {
        if (token != null) {
            request.header("Authorization", "Bearer " + token);
        }
        try {
            return HTTP.send(
                    request.timeout(Duration.ofSeconds(30)).build(),
                    HttpResponse.BodyHandlers.ofString(StandardCharsets.UTF_8));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }
}
