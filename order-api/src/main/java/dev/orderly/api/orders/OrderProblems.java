package dev.orderly.api.orders;

import dev.orderly.api.web.Problems;
import org.springframework.http.HttpStatus;
import org.springframework.http.ProblemDetail;
import org.springframework.web.bind.annotation.ExceptionHandler;
import org.springframework.web.bind.annotation.RestControllerAdvice;

/** Turns the orders resource's own refusals into problem details. */
@RestControllerAdvice(assignableTypes = OrdersController.class)
class OrderProblems {

    @ExceptionHandler
    ProblemDetail notFound(OrderNotFoundException e) {
        return Problems.of(HttpStatus.NOT_FOUND, "order-not-found", "Order not found", e.getMessage());
    }

    @ExceptionHandler
    ProblemDetail keyReused(IdempotencyKeyReusedException e) {
        return Problems.of(
                HttpStatus.UNPROCESSABLE_CONTENT, "idempotency-key-reused", "Idempotency-Key reused", e.getMessage());
    }

    @ExceptionHandler
    ProblemDetail invalidKey(InvalidIdempotencyKeyException e) {
        return Problems.invalidRequest(
                "The Idempotency-Key header is invalid", Problems.fieldError(OrdersController.IDEMPOTENCY_KEY, e));
    }
}
