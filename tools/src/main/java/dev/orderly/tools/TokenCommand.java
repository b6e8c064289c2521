package dev.orderly.tools;

import dev.orderly.testsupport.AuthClient;
import dev.orderly.testsupport.Service;
import java.io.IOException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Base64;
import java.util.List;
import tools.jackson.core.JacksonException;
import tools.jackson.databind.json.JsonMapper;

/**
 * {@code ./orderly token CLIENT}: a fresh access token of the running local auth-server for one of its clients
 * ({@link AuthClient}), asked for with the client's generated secret from the state directory and all of its scopes,
 * and printed alone on standard output, so that {@code curl -H "Authorization: Bearer $(./orderly token shop)"} works.
 *
 * <p>Invariant: the secret travels only to the auth-server on loopback, in the Authorization header (RFC 6749,
 * section 2.3.1: form-encoded, then Basic); it is never printed, not even when the server refuses.
 */
final class TokenCommand {

    private static final JsonMapper JSON = JsonMapper.builder().build();

    private final StateDirectory state;
    private final Console console;
    private final HttpClient http =
            HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

    TokenCommand(StateDirectory state, Console console) {
        this.state = state;
        this.console = console;
    }

    int run(List<String> args) {
        if (args.size() != 1) {
            throw new OrderlyException(
                    "token takes one client: ./orderly token CLIENT, CLIENT one of " + machineClientIds());
        }
        AuthClient client;
        try {
            client = AuthClient.withId(args.getFirst());
        } catch (IllegalArgumentException e) {
            throw new OrderlyException(e.getMessage());
        }
        if (!client.clientCredentials()) {
            throw new OrderlyException("'" + client.clientId() + "' gets no token of its own: its users sign in at"
                    + " the auth-server in a browser (docs/auth-server.md); a token is printed for one of "
                    + machineClientIds());
        }
        console.print(token(client));
        return 0;
    }

    private static String machineClientIds() {
        return String.join(
                ", ",
                AuthClient.machineClients().stream().map(AuthClient::clientId).toList());
    }

    /** A fresh token for {@code client}, as {@code ./orderly token CLIENT} prints it; for the commands that call. */
    String token(AuthClient client) {
        if (!state.exists()) {
            throw new OrderlyException("no " + state.envFile() + ": ./orderly up first, which starts the auth-server");
        }
        String secret = state.find(client.secretKey())
                .orElseThrow(() -> new OrderlyException("no secret for " + client.clientId() + " in " + state.envFile()
                        + " (written before the auth-server existed): ./orderly down, then ./orderly up adds it"));
        return token(client, secret);
    }

    private String token(AuthClient client, String secret) {
        URI endpoint =
                URI.create("http://127.0.0.1:" + state.port(Service.AUTH_SERVER.portVariable()) + "/oauth2/token");
        String credentials = URLEncoder.encode(client.clientId(), StandardCharsets.UTF_8) + ":"
                + URLEncoder.encode(secret, StandardCharsets.UTF_8);
        HttpRequest request = HttpRequest.newBuilder(endpoint)
                .timeout(Duration.ofSeconds(10))
                .header(
                        "Authorization",
                        "Basic " + Base64.getEncoder().encodeToString(credentials.getBytes(StandardCharsets.UTF_8)))
                .header("Content-Type", "application/x-www-form-urlencoded")
                .POST(HttpRequest.BodyPublishers.ofString("grant_type=client_credentials"))
                .build();
        HttpResponse<String> answer;
        try {
            answer = http.send(request, HttpResponse.BodyHandlers.ofString());
        } catch (IOException e) {
            throw new OrderlyException("the auth-server does not answer at " + endpoint + " (" + e.getMessage()
                    + "): ./orderly status shows whether it runs, ./orderly up starts it");
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new OrderlyException("interrupted while asking " + endpoint + " for a token");
        }
        if (answer.statusCode() != 200) {
            throw new OrderlyException("the auth-server refused a token for " + client.clientId() + ": HTTP "
                    + answer.statusCode() + " " + answer.body() + " (its log: ./orderly logs auth-server)");
        }
        try {
            String token = JSON.readTree(answer.body()).path("access_token").asString("");
            if (token.isEmpty()) {
                throw new OrderlyException("the auth-server's answer has no access_token: " + answer.body());
            }
            return token;
        } catch (JacksonException e) {
            throw new OrderlyException("the auth-server's answer is not JSON: " + answer.body());
        }
    }
}
