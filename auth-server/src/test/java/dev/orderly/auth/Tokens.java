package dev.orderly.auth;

import dev.orderly.testsupport.AuthClient;
import dev.orderly.testsupport.Secrets;
import java.io.IOException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Base64;
import java.util.EnumMap;
import java.util.Map;
import org.jspecify.annotations.Nullable;
import org.springframework.security.oauth2.jwt.Jwt;
import org.springframework.security.oauth2.jwt.JwtValidators;
import org.springframework.security.oauth2.jwt.NimbusJwtDecoder;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * What the tests do as a client over real HTTP: ask a running auth-server for a token, and verify one as a resource
 * server would, against the server's published JWK set and its issuer.
 */
final class Tokens {

    private static final HttpClient HTTP =
            HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

    private static final JsonMapper JSON = JsonMapper.builder().build();

    private Tokens() {}

    /** A fresh secret for every client of the table. */
    static Map<AuthClient, String> generateSecrets() {
        Map<AuthClient, String> secrets = new EnumMap<>(AuthClient.class);
        for (AuthClient client : AuthClient.values()) {
            secrets.put(client, Secrets.generate());
        }
        return secrets;
    }

    /** {@code POST /oauth2/token}, grant client_credentials, as {@code clientId} with {@code secret} over Basic. */
    static HttpResponse<String> request(String base, String clientId, String secret, @Nullable String scope) {
        String form = "grant_type=client_credentials"
                + (scope == null ? "" : "&scope=" + URLEncoder.encode(scope, StandardCharsets.UTF_8));
        String credentials = URLEncoder.encode(clientId, StandardCharsets.UTF_8) + ":"
                + URLEncoder.encode(secret, StandardCharsets.UTF_8);
        return send(HttpRequest.newBuilder(URI.create(base + "/oauth2/token"))
                .header(
                        "Authorization",
                        "Basic " + Base64.getEncoder().encodeToString(credentials.getBytes(StandardCharsets.UTF_8)))
                .header("Content-Type", "application/x-www-form-urlencoded")
                .POST(HttpRequest.BodyPublishers.ofString(form))
                .build());
    }

    /** The access token a successful answer of {@link #request} carries. */
    static String accessToken(HttpResponse<String> answer) {
        if (answer.statusCode() != 200) {
            throw new AssertionError("No token: HTTP " + answer.statusCode() + " " + answer.body());
        }
        return json(answer).path("access_token").asString();
    }

    /** The token, verified against {@code base}'s JWK set (signature, expiry) and issued by {@code base}. */
    static Jwt verify(String base, String token) {
        return verify(base, base, token);
    }

    /** The token, verified against {@code base}'s JWK set (signature, expiry) and issued by {@code issuer}. */
    static Jwt verify(String base, String issuer, String token) {
        NimbusJwtDecoder decoder =
                NimbusJwtDecoder.withJwkSetUri(base + "/oauth2/jwks").build();
        decoder.setJwtValidator(JwtValidators.createDefaultWithIssuer(issuer));
        return decoder.decode(token);
    }

    static HttpResponse<String> get(String url, @Nullable String token) {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(url)).GET();
        if (token != null) {
            request.header("Authorization", "Bearer " + token);
        }
        return send(request.build());
    }

    static JsonNode json(HttpResponse<String> answer) {
        return JSON.readTree(answer.body());
    }

    private static HttpResponse<String> send(HttpRequest request) {
        try {
            return HTTP.send(request, HttpResponse.BodyHandlers.ofString());
        } catch (IOException e) {
            throw new IllegalStateException("No answer from " + request.uri(), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("Interrupted while calling " + request.uri(), e);
        }
    }
}
