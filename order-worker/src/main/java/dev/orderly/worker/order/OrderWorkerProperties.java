package dev.orderly.worker.order;

import jakarta.validation.constraints.NotBlank;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;
import org.springframework.validation.annotation.Validated;

/**
 * Settings of order-worker, under {@code orderly.order-worker}; consuming, retrying and parking are configured under
 * {@code orderly.messaging}.
 *
 * @param outboxTable the schema-qualified outbox table the next events are written to
 */
@ConfigurationProperties("orderly.order-worker")
@Validated
public record OrderWorkerProperties(
        @DefaultValue("orders.outbox") @NotBlank String outboxTable) {}
