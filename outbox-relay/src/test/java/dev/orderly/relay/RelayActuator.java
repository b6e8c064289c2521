package dev.orderly.relay;

import dev.orderly.testsupport.TestTokens;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;

/** The relay's actuator as an operator reads it: each request with a real token that may see health details. */
final class RelayActuator {

    private RelayActuator() {}

    /** GET {@code path} on the relay at {@code port} with a token of scope {@code actuator:read}. */
    static HttpResponse<String> get(int port, String path) throws IOException, InterruptedException {
        try (HttpClient client = HttpClient.newHttpClient()) {
            return client.send(
                    HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path))
                            // Health details are shown only to a token with actuator:read.
                            .header("Authorization", "Bearer " + TestTokens.forClient("operator", "actuator:read"))
                            .build(),
                    HttpResponse.BodyHandlers.ofString());
        }
    }
}
