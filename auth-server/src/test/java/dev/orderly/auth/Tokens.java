package dev.orderly.auth;

import dev.orderly.testsupport.AuthClient;
import dev.orderly.testsupport.AuthUser;
import dev.orderly.testsupport.Secrets;
import java.io.IOException;
import java.net.CookieManager;
import java.net.CookiePolicy;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.util.Base64;
import java.util.EnumMap;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
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

    /** A fresh password for every user of the table. */
    static Map<AuthUser, String> generatePasswords() {
        Map<AuthUser, String> passwords = new EnumMap<>(AuthUser.class);
        for (AuthUser user : AuthUser.values()) {
            passwords.put(user, Secrets.generate());
        }
        return passwords;
    }

    /** The redirect URI application.yaml registers for the console. */
    static final String CONSOLE_REDIRECT = "http://127.0.0.1:8184/login/oauth2/code/orderly";

    /** A browser: keeps its cookies (the session), follows no redirect so that each one can be looked at. */
    record Browser(HttpClient http) {
        Browser() {
            this(HttpClient.newBuilder()
                    .cookieHandler(new CookieManager(null, CookiePolicy.ACCEPT_ALL))
                    .followRedirects(HttpClient.Redirect.NEVER)
                    .connectTimeout(Duration.ofSeconds(5))
                    .build());
        }

        HttpResponse<String> send(HttpRequest request) {
            try {
                return http.send(request, HttpResponse.BodyHandlers.ofString());
            } catch (IOException e) {
                throw new IllegalStateException("No answer from " + request.uri(), e);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException("Interrupted while calling " + request.uri(), e);
            }
        }
    }

    /** A browser that signed in as {@code user} with the login form (its CSRF token, its password). */
    static Browser signedIn(String base, AuthUser user, Map<AuthUser, String> passwords) {
        Browser browser = new Browser();
        String form = browser.send(HttpRequest.newBuilder(URI.create(base + "/login"))
                        .GET()
                        .build())
                .body();
        Matcher csrf = Pattern.compile("name=\"_csrf\"[^>]*value=\"([^\"]+)\"").matcher(form);
        if (!csrf.find()) {
            throw new AssertionError("No CSRF token in the login form: " + form);
        }
        HttpResponse<String> answer = browser.send(HttpRequest.newBuilder(URI.create(base + "/login"))
                .header("Content-Type", "application/x-www-form-urlencoded")
                .POST(HttpRequest.BodyPublishers.ofString("username=" + user.username() + "&password="
                        + URLEncoder.encode(passwords.get(user), StandardCharsets.UTF_8) + "&_csrf="
                        + URLEncoder.encode(csrf.group(1), StandardCharsets.UTF_8)))
                .build());
        String location = answer.headers().firstValue("Location").orElse("");
        if (answer.statusCode() != 302 || location.contains("error")) {
            throw new AssertionError("Sign-in refused: HTTP " + answer.statusCode() + ", Location " + location);
        }
        return browser;
    }

    /**
     * The PKCE verifier every authorization request of these tests uses (RFC 7636): the server requires proof of it,
     * so a code intercepted on its way back to the console is worth nothing without it.
     */
    static final String CODE_VERIFIER = "orderly-tests-code-verifier-0123456789-abcdefghijklmnop";

    /** {@code GET /oauth2/authorize} for a code, in {@code browser}, sent back to the console's redirect URI. */
    static HttpResponse<String> authorize(String base, Browser browser, String clientId, String... scopes) {
        String challenge;
        try {
            challenge = Base64.getUrlEncoder()
                    .withoutPadding()
                    .encodeToString(MessageDigest.getInstance("SHA-256")
                            .digest(CODE_VERIFIER.getBytes(StandardCharsets.US_ASCII)));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
        String query = "response_type=code&code_challenge_method=S256&code_challenge=" + challenge + "&client_id="
                + clientId + "&state=s1&scope="
                + URLEncoder.encode(String.join(" ", scopes), StandardCharsets.UTF_8) + "&redirect_uri="
                + URLEncoder.encode(CONSOLE_REDIRECT, StandardCharsets.UTF_8);
        return browser.send(HttpRequest.newBuilder(URI.create(base + "/oauth2/authorize?" + query))
                .header("Accept", "text/html")
                .GET()
                .build());
    }

    /**
     * The authorization-code grant as the console does it: {@code user} signs in, the browser is sent back with a
     * code, and the console trades it, with its own secret, for the user's access token.
     */
    static String signIn(
            String base,
            AuthUser user,
            Map<AuthUser, String> passwords,
            Map<AuthClient, String> secrets,
            String... scopes) {
        HttpResponse<String> authorized = authorize(base, signedIn(base, user, passwords), "console", scopes);
        String location = authorized.headers().firstValue("Location").orElse("");
        Matcher code = Pattern.compile("^" + Pattern.quote(CONSOLE_REDIRECT) + "\\?code=([^&]+)&state=s1$")
                .matcher(location);
        if (authorized.statusCode() != 302 || !code.find()) {
            throw new AssertionError("No code: HTTP " + authorized.statusCode() + ", Location " + location);
        }
        String form = "grant_type=authorization_code&code_verifier=" + CODE_VERIFIER + "&code=" + code.group(1)
                + "&redirect_uri="
                + URLEncoder.encode(CONSOLE_REDIRECT, StandardCharsets.UTF_8);
        return accessToken(send(HttpRequest.newBuilder(URI.create(base + "/oauth2/token"))
                .header("Authorization", basic("console", secrets.get(AuthClient.CONSOLE)))
                .header("Content-Type", "application/x-www-form-urlencoded")
                .POST(HttpRequest.BodyPublishers.ofString(form))
                .build()));
    }

    private static String basic(String clientId, String secret) {
        String credentials = URLEncoder.encode(clientId, StandardCharsets.UTF_8) + ":"
                + URLEncoder.encode(secret, StandardCharsets.UTF_8);
        return "Basic " + Base64.getEncoder().encodeToString(credentials.getBytes(StandardCharsets.UTF_8));
    }

    /** {@code POST /oauth2/token}, grant client_credentials, as {@code clientId} with {@code secret} over Basic. */
    static HttpResponse<String> request(String base, String clientId, String secret, @Nullable String scope) {
        String form = "grant_type=client_credentials"
                + (scope == null ? "" : "&scope=" + URLEncoder.encode(scope, StandardCharsets.UTF_8));
        return send(HttpRequest.newBuilder(URI.create(base + "/oauth2/token"))
                .header("Authorization", basic(clientId, secret))
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
