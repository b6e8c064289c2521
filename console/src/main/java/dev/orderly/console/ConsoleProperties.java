package dev.orderly.console;

import jakarta.validation.Valid;
import jakarta.validation.constraints.NotBlank;
import jakarta.validation.constraints.NotEmpty;
import jakarta.validation.constraints.NotNull;
import java.net.URI;
import java.time.Duration;
import java.util.Map;
import org.hibernate.validator.constraints.time.DurationMin;
import org.jspecify.annotations.Nullable;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;
import org.springframework.validation.annotation.Validated;

/**
 * Settings of the console, under {@code orderly.console}: where each part of the pipeline answers. No address has a
 * default that could point somewhere unintended; {@code ./orderly up}, compose and the Helm chart give them all.
 *
 * <p>Invariant: {@link #toString()} never shows the broker password.
 *
 * @param orderApi order-api's API ({@code GET /orders/{id}}, with the user's token)
 * @param orderApiManagement order-api's management side (its metrics: accepted orders, stuck orders, its outbox)
 * @param relay the outbox relay's management side (backlogs, leases, the breaker)
 * @param workers each worker's management side (parking lot, consumer metrics), by its domain: order, payment,
 *     shipping
 * @param broker the broker's management API, for the queues
 * @param timeout how long one call to a service or the broker may take before its part of the page says it did not
 *     answer
 * @param slo the objective the event ages are held against
 * @param logoutUri the identity provider's own sign-out, where Sign out sends the browser on to (Keycloak's
 *     {@code .../protocol/openid-connect/logout}); unset, {@code /logout} on the authorization endpoint's host, which is
 *     the local auth-server's
 */
@ConfigurationProperties("orderly.console")
@Validated
record ConsoleProperties(
        @NotNull URI orderApi,
        @NotNull URI orderApiManagement,
        @NotNull URI relay,
        @NotEmpty Map<String, URI> workers,
        @NotNull @Valid Broker broker,
        @DefaultValue("3s") @DurationMin(millis = 100) Duration timeout,
        @DefaultValue @Valid Slo slo,
        @Nullable URI logoutUri) {

    /**
     * The broker's management API. The broker knows nothing of the authorization server's tokens, so the console reads
     * it as a user of the broker's own: the monitoring user (management tag {@code monitoring}: reads queues, changes
     * nothing, no AMQP connection).
     *
     * @param url the management API's base, e.g. {@code http://127.0.0.1:15672}
     * @param virtualHost the virtual host the pipeline's queues live in
     */
    record Broker(
            @NotNull URI url,
            @DefaultValue("orderly") String virtualHost,
            @NotBlank String username,

            @NotBlank(message = "is required (ORDERLY_CONSOLE_BROKER_PASSWORD): the broker monitoring user's password")
            String password) {

        @Override
        public String toString() {
            return "Broker[url=" + url + ", virtualHost=" + virtualHost + ", username=" + username
                    + ", password=(hidden)]";
        }
    }

    /**
     * The event-age objective, as the alert rules hold it: for every consumer and event type.
     *
     * @param threshold how soon after it occurred an event must be handled
     * @param target the share of events that must be handled within the threshold (the error budget is the rest)
     */
    record Slo(
            @DefaultValue("30s") Duration threshold,
            @DefaultValue("0.95") double target) {}
}
