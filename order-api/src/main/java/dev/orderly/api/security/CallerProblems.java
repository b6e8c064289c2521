package dev.orderly.api.security;

import dev.orderly.api.web.Problems;
import org.springframework.http.HttpStatus;
import org.springframework.http.ProblemDetail;
import org.springframework.web.bind.annotation.ExceptionHandler;
import org.springframework.web.bind.annotation.RestControllerAdvice;

/** Turns a token that names no usable customer ({@link Caller#of}) into a problem detail. */
@RestControllerAdvice
class CallerProblems {

    @ExceptionHandler
    ProblemDetail unusableCustomerClaim(UnusableCustomerClaimException e) {
        return Problems.of(HttpStatus.FORBIDDEN, "customer-claim-unusable", "Customer claim unusable", e.getMessage());
    }
}
