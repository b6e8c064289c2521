package dev.orderly.system;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.function.Supplier;
import org.jspecify.annotations.Nullable;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * JSON over HTTP against one base URL (order-api, or a worker's management port), as a client would call it.
 *
 * <p>Invariant: every call has a deadline; an answer that is not JSON is kept as a text node, never an exception, so an
 * assertion can show what came back.
 */
final class Http {

    static final JsonMapper JSON = JsonMapper.builder().build();

    private static final Duration TIMEOUT = Duration.ofSeconds(30);
    private static final HttpClient CLIENT =
            HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

    private final String base;
    private final @Nullable Supplier<String> token;

    Http(String base) {
        this.base = base;
        this.token = null;
    }

    /** Every request with {@code Authorization: Bearer} and a token from {@code token} (asked for each request). */
    Http(String base, Supplier<String> token) {
        this.base = base;
        this.token = token;
    }

    /** An answer: its status and its body, parsed. */
    record Answer(int status, JsonNode body) {
        @Override
        public String toString() {
            return status + " " + body;
        }
    }

    Answer get(String path) {
        return send(request(path).GET());
    }

    Answer post(String path, Object body) {
        return send(request(path).header("Content-Type", "application/json").POST(json(body)));
    }

    Answer put(String path, Object body) {
        return send(request(path).header("Content-Type", "application/json").PUT(json(body)));
    }

    Answer delete(String path) {
        return send(request(path).DELETE());
    }

    /**
     * The status a GET of {@code url} answers within 5 s, or -1 if nothing answered: for probes awaited until they
     * answer 200 (a service's readiness, Prometheus'), where no answer yet is an expected state, not a failure.
     */
    static int probe(String url) {
        try {
            return CLIENT.send(
                            HttpRequest.newBuilder(URI.create(url))
                                    .timeout(Duration.ofSeconds(5))
                                    .GET()
                                    .build(),
                            HttpResponse.BodyHandlers.discarding())
                    .statusCode();
        } catch (IOException e) {
            return -1;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return -1;
        }
    }

    private HttpRequest.Builder request(String path) {
        HttpRequest.Builder request =
                HttpRequest.newBuilder(URI.create(base + path)).timeout(TIMEOUT).header("Accept", "application/json");
        if (token != null) {
            request.header("Authorization", "Bearer " + token.get());
        }
        return request;
    }

    private static HttpRequest.BodyPublisher json(Object body) {
        return HttpRequest.BodyPublishers.ofString(JSON.writeValueAsString(body));
    }

    private static Answer send(HttpRequest.Builder builder) {
        HttpRequest request = builder.build();
        try {
            HttpResponse<String> response = CLIENT.send(request, HttpResponse.BodyHandlers.ofString());
            return new Answer(response.statusCode(), parse(response.body()));
        } catch (IOException e) {
            throw new UncheckedIOException(request.method() + " " + request.uri() + " failed", e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("Interrupted during " + request.method() + " " + request.uri(), e);
        }
    }

    private static JsonNode parse(@Nullable String body) {
        if (body == null || body.isBlank()) {
            return JSON.missingNode();
        }
        try {
            return JSON.readTree(body);
        } catch (RuntimeException notJson) {
            return JSON.getNodeFactory().stringNode(body);
        }
    }
}
