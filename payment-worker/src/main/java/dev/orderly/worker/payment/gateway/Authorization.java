package dev.orderly.worker.payment.gateway;

import org.jspecify.annotations.Nullable;

/**
 * The gateway's answer: approved with a payment id, or declined with a reason.
 *
 * <p>Invariant: an approved authorization has no decline reason, a declined one has one.
 */
public record Authorization(
        boolean approved, String paymentId, @Nullable String declineReason) {}
