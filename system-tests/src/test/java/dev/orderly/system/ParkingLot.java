package dev.orderly.system;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.time.Duration;
import java.util.Optional;
import tools.jackson.databind.JsonNode;

/**
 * One worker's parking lot as an operator sees it, through the worker's {@code /actuator/parkinglot} endpoint, with
 * the auth-server's {@code operator} token (scopes {@code parkinglot:read}, {@code :replay}, {@code :purge}).
 *
 * <p>Invariant: waiting for a parked message has a deadline; messages are found by their AMQP message id, so tests that
 * park messages concurrently never mistake each other's.
 */
final class ParkingLot {

    private static final Duration DEADLINE = Duration.ofSeconds(60);

    private final Http management;
    private final String domain;

    ParkingLot(Pipeline pipeline, String domain) {
        this.management = new Http(pipeline.management(domain), () -> pipeline.token("operator"));
        this.domain = domain;
    }

    /** The listed summary of the parked message with this message id, once it has been parked and recorded. */
    JsonNode awaitParked(String messageId) {
        return await(messageId + " in the " + domain + " parking lot")
                .atMost(DEADLINE)
                .pollInterval(Duration.ofMillis(250))
                .until(() -> find(messageId), Optional::isPresent)
                .orElseThrow();
    }

    Optional<JsonNode> find(String messageId) {
        Http.Answer answer = management.get("/actuator/parkinglot?size=500");
        assertThat(answer.status()).as("GET /actuator/parkinglot: %s", answer).isEqualTo(200);
        for (JsonNode summary : answer.body().path("messages")) {
            if (messageId.equals(summary.path("messageId").asString(null))) {
                return Optional.of(summary);
            }
        }
        return Optional.empty();
    }

    /** {@code GET /actuator/parkinglot/{id}}. */
    Http.Answer show(long id) {
        return management.get("/actuator/parkinglot/" + id);
    }

    /** The purge and replay records, newest first. */
    JsonNode audit() {
        Http.Answer answer = management.get("/actuator/parkinglot/audit");
        assertThat(answer.status())
                .as("GET /actuator/parkinglot/audit: %s", answer)
                .isEqualTo(200);
        return answer.body().path("audit");
    }

    /** Purges one parked message through the endpoint. */
    void purge(long id) {
        Http.Answer answer = management.delete("/actuator/parkinglot?id=" + id + "&confirm=" + domain + ".parking-lot");
        assertThat(answer.status())
                .as("purge of parked message %s: %s", id, answer)
                .isEqualTo(200);
        assertThat(answer.body().path("purged").asInt()).isEqualTo(1);
    }
}
