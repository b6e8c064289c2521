package dev.orderly.console;

import static org.springframework.security.oauth2.client.web.client.RequestAttributeClientRegistrationIdResolver.clientRegistrationId;

import dev.orderly.overview.PipelineOverview;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.Map;
import org.jspecify.annotations.Nullable;
import org.springframework.http.HttpHeaders;
import org.springframework.http.HttpMethod;
import org.springframework.http.HttpStatusCode;
import org.springframework.http.MediaType;
import org.springframework.http.ResponseEntity;
import org.springframework.http.client.SimpleClientHttpRequestFactory;
import org.springframework.security.core.Authentication;
import org.springframework.security.oauth2.client.ClientAuthorizationRequiredException;
import org.springframework.security.oauth2.client.OAuth2AuthorizeRequest;
import org.springframework.security.oauth2.client.OAuth2AuthorizedClient;
import org.springframework.security.oauth2.client.OAuth2AuthorizedClientManager;
import org.springframework.security.oauth2.client.web.client.OAuth2ClientHttpRequestInterceptor;
import org.springframework.stereotype.Component;
import org.springframework.web.client.ResourceAccessException;
import org.springframework.web.client.RestClient;
import tools.jackson.databind.json.JsonMapper;

/**
 * The console's calls to the pipeline: to a service with the signed-in user's access token (refreshed when it has
 * expired), to the broker's management API as its monitoring user. A service's answer comes back as it was, status
 * and body, so that its refusal (403 without the scope, 400 for a wrong confirmation, 429 when replays are throttled)
 * reaches the page in the service's own words.
 *
 * <p>Invariant: only the calling request's user's token is ever sent; a call made outside a signed-in request fails
 * rather than going out without one.
 */
@Component
class Services {

    private final RestClient services;
    private final RestClient withToken;
    private final RestClient broker;
    private final ConsoleProperties properties;
    private final OAuth2AuthorizedClientManager authorizedClients;

    Services(ConsoleProperties properties, OAuth2AuthorizedClientManager authorizedClients) {
        this.properties = properties;
        this.authorizedClients = authorizedClients;
        SimpleClientHttpRequestFactory requests = new SimpleClientHttpRequestFactory();
        requests.setConnectTimeout(properties.timeout());
        requests.setReadTimeout(properties.timeout());
        this.services = RestClient.builder()
                .requestFactory(requests)
                .requestInterceptor(new OAuth2ClientHttpRequestInterceptor(authorizedClients))
                .build();
        this.withToken = RestClient.builder().requestFactory(requests).build();
        String credentials =
                properties.broker().username() + ":" + properties.broker().password();
        this.broker = RestClient.builder()
                .requestFactory(requests)
                .defaultHeader(
                        HttpHeaders.AUTHORIZATION,
                        "Basic " + Base64.getEncoder().encodeToString(credentials.getBytes(StandardCharsets.UTF_8)))
                .build();
    }

    /** A call to a service with the user's token; its answer as it came, or 502 if it did not answer. */
    Answer call(HttpMethod method, URI uri, String service) {
        return call(method, uri, service, null);
    }

    /**
     * A call to a service with the user's token and, if not null, {@code json} as its body (an actuator write
     * operation takes its arguments so); its answer as it came, or 502 if it did not answer.
     */
    Answer call(HttpMethod method, URI uri, String service, @Nullable Map<String, Object> json) {
        RestClient.RequestBodySpec request = services.method(method).uri(uri);
        if (json != null) {
            request.contentType(MediaType.APPLICATION_JSON).body(Answer.JSON.writeValueAsString(json));
        }
        return answer(
                request
                        // JSON from the parking lot and order-api, the text exposition from /actuator/prometheus.
                        .accept(MediaType.APPLICATION_JSON, MediaType.APPLICATION_PROBLEM_JSON, MediaType.TEXT_PLAIN)
                        .attributes(clientRegistrationId(SecurityConfiguration.REGISTRATION)),
                uri,
                service);
    }

    /**
     * The signed-in user's access token, refreshed first if it has expired: taken in the request's own thread, which
     * holds the session the refreshed token is saved in, and once, so that calls made at once from other threads
     * ({@link #get}) never refresh it twice with the same refresh token.
     *
     * @throws ClientAuthorizationRequiredException if the user holds no token (the page's sign-in ended)
     */
    String accessToken(Authentication user, HttpServletRequest request, HttpServletResponse response) {
        OAuth2AuthorizedClient client = authorizedClients.authorize(
                OAuth2AuthorizeRequest.withClientRegistrationId(SecurityConfiguration.REGISTRATION)
                        .principal(user)
                        .attribute(HttpServletRequest.class.getName(), request)
                        .attribute(HttpServletResponse.class.getName(), response)
                        .build());
        if (client == null) {
            throw new ClientAuthorizationRequiredException(SecurityConfiguration.REGISTRATION);
        }
        return client.getAccessToken().getTokenValue();
    }

    /** {@code GET uri} of {@code service} with {@code token} (from {@link #accessToken}); safe from any thread. */
    Answer get(URI uri, String service, String token) {
        return answer(
                withToken
                        .get()
                        .uri(uri)
                        .header(HttpHeaders.AUTHORIZATION, "Bearer " + token)
                        .accept(MediaType.APPLICATION_JSON, MediaType.APPLICATION_PROBLEM_JSON, MediaType.TEXT_PLAIN),
                uri,
                service);
    }

    /** {@code GET} of the broker's management API under {@code /api}, e.g. {@code queues/orderly}. */
    Answer broker(String path) {
        URI uri = URI.create(properties.broker().url().toString().replaceAll("/+$", "") + "/api/" + path);
        return answer(broker.get().uri(uri), uri, "rabbitmq");
    }

    /** {@code request}'s answer, whatever its status, or 502 if nothing answered. */
    private static Answer answer(RestClient.RequestHeadersSpec<?> request, URI uri, String service) {
        try {
            ResponseEntity<String> answer = request.retrieve()
                    .onStatus(HttpStatusCode::isError, (sent, response) -> {})
                    .toEntity(String.class);
            return new Answer(
                    answer.getStatusCode().value(),
                    answer.getHeaders().getContentType(),
                    answer.getBody() == null ? "" : answer.getBody(),
                    service);
        } catch (ResourceAccessException e) {
            return Answer.noAnswer(service, uri, e);
        }
    }

    /**
     * What a service said: its status, content type and body, and who said it.
     *
     * @param noAnswer why nothing answered, if nothing did (then status is 502)
     */
    record Answer(int status, MediaType contentType, String body, String service, String noAnswer) {

        private static final JsonMapper JSON = JsonMapper.builder().build();

        Answer(int status, MediaType contentType, String body, String service) {
            this(status, contentType == null ? MediaType.APPLICATION_JSON : contentType, body, service, "");
        }

        static Answer noAnswer(String service, URI uri, Exception e) {
            String why = service + " did not answer at " + uri.getScheme() + "://" + uri.getAuthority() + ": "
                    + e.getMessage();
            return new Answer(502, MediaType.APPLICATION_PROBLEM_JSON, badGateway(why), service, why);
        }

        private static String badGateway(String detail) {
            return JSON.writeValueAsString(Map.of("title", "Bad Gateway", "status", 502, "detail", detail));
        }

        /** As the overview takes it. */
        PipelineOverview.Reply reply() {
            return new PipelineOverview.Reply(status, body, noAnswer);
        }

        /**
         * The answer as the console's own, status, type and body unchanged; but a service's 401 (it did not take the
         * user's token) as a 502, since to the page a 401 means that its own sign-in ended.
         */
        ResponseEntity<String> relayed() {
            if (status == 401) {
                return ResponseEntity.status(502)
                        .contentType(MediaType.APPLICATION_PROBLEM_JSON)
                        .body(badGateway(service + " did not take the signed-in user's token (401): " + body));
            }
            return ResponseEntity.status(status).contentType(contentType).body(body);
        }
    }
}
