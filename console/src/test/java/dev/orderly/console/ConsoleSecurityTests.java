package dev.orderly.console;

import static org.assertj.core.api.Assertions.assertThat;

import dev.orderly.testsupport.TestKeys;
import dev.orderly.testsupport.TestTokens;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

/**
 * The console over real HTTP, before anyone signs in: a browser is sent to the authorization server with PKCE and the
 * console's scopes; the page's own calls get a 401 to act on, not a redirect; a change without the CSRF token is
 * refused; only the probes of the actuator are open, its metrics need a real token with {@code metrics:read}.
 */
@SpringBootTest(
        webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT,
        properties = {
            "spring.security.oauth2.client.registration.orderly.client-secret=test-secret",
            "spring.security.oauth2.client.provider.orderly.authorization-uri=http://127.0.0.1:9/oauth2/authorize",
            "spring.security.oauth2.client.provider.orderly.token-uri=http://127.0.0.1:9/oauth2/token",
            "orderly.console.broker.password=unused",
            "logging.structured.format.console="
        })
class ConsoleSecurityTests {

    private static final HttpClient HTTP = HttpClient.newBuilder()
            .followRedirects(HttpClient.Redirect.NEVER)
            .connectTimeout(Duration.ofSeconds(5))
            .build();

    @DynamicPropertySource
    static void tokens(DynamicPropertyRegistry registry) {
        registry.add(TestKeys.PUBLIC_KEY_LOCATION, TestKeys::publicKeyLocation);
    }

    @LocalServerPort
    int port;

    @Test
    void aBrowserIsSentToTheAuthorizationServerWithPkceAndTheConsolesScopes() {
        HttpResponse<String> page = get("/", "text/html", null);
        assertThat(page.statusCode()).isEqualTo(302);
        assertThat(page.headers().firstValue("Location"))
                .hasValueSatisfying(location -> assertThat(location).endsWith("/oauth2/authorization/orderly"));

        HttpResponse<String> authorization = get(
                "/oauth2/authorization/orderly",
                "text/html",
                page.headers()
                        .firstValue("Set-Cookie")
                        .map(c -> c.split(";")[0])
                        .orElse(null));
        String location = authorization.headers().firstValue("Location").orElseThrow();
        assertThat(location)
                .startsWith("http://127.0.0.1:9/oauth2/authorize?response_type=code&client_id=console")
                .contains("code_challenge_method=S256", "code_challenge=", "parkinglot:replay", "metrics:read")
                .contains("redirect_uri=http://127.0.0.1:" + port + "/login/oauth2/code/orderly");
    }

    @Test
    void afterSigningOutTheBrowserIsSentToTheAuthorizationServersOwnSignOutAndThePageHasAStrictPolicy() {
        HttpResponse<String> signedOut = get("/signed-out", "text/html", null);
        assertThat(signedOut.statusCode()).isEqualTo(302);
        assertThat(signedOut.headers().firstValue("Location")).hasValue("http://127.0.0.1:9/logout");

        assertThat(get("/", "text/html", null).headers().firstValue("Content-Security-Policy"))
                .hasValueSatisfying(policy ->
                        assertThat(policy).contains("default-src 'self'").contains("frame-ancestors 'none'"));
    }

    @Test
    void thePagesCallsGet401AndAChangeWithoutTheCsrfTokenIsRefused() throws Exception {
        assertThat(get("/api/overview", "application/json", null).statusCode()).isEqualTo(401);
        assertThat(get("/api/me", "application/json", null).statusCode()).isEqualTo(401);
        HttpResponse<String> replay = HTTP.send(
                HttpRequest.newBuilder(URI.create(base() + "/api/parking-lots/payment/replay?all=true"))
                        .POST(HttpRequest.BodyPublishers.noBody())
                        .build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(replay.statusCode()).isIn(401, 403);
    }

    @Test
    void onlyTheProbesAreOpenAndMetricsNeedATokenWithMetricsRead() {
        assertThat(get("/actuator/health/readiness", "application/json", null).statusCode())
                .isEqualTo(200);
        assertThat(get("/actuator/health/liveness", "application/json", null).statusCode())
                .isEqualTo(200);
        assertThat(get("/actuator/prometheus", "text/plain", null).statusCode()).isEqualTo(401);
        assertThat(bearer("/actuator/prometheus", TestTokens.forClient("someone", "parkinglot:read"))
                        .statusCode())
                .isEqualTo(403);
        assertThat(bearer("/actuator/prometheus", TestTokens.forClient("monitoring", "metrics:read"))
                        .statusCode())
                .isEqualTo(200);
    }

    private String base() {
        return "http://127.0.0.1:" + port;
    }

    private HttpResponse<String> bearer(String path, String token) {
        return send(HttpRequest.newBuilder(URI.create(base() + path))
                .header("Authorization", "Bearer " + token)
                .header("Accept", "text/plain")
                .GET()
                .build());
    }

    private HttpResponse<String> get(String path, String accept, String cookie) {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(base() + path))
                .header("Accept", accept)
                .GET();
        if (cookie != null) {
            request.header("Cookie", cookie);
        }
        return send(request.build());
    }

    private static HttpResponse<String> send(HttpRequest request) {
        try {
            return HTTP.send(request, HttpResponse.BodyHandlers.ofString());
        } catch (IOException e) {
            throw new IllegalStateException("No answer from " + request.uri(), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }
}
