package dev.orderly.api.web;

import dev.orderly.api.OrderApiProperties;
import dev.orderly.api.backpressure.BackpressureException;
import java.util.Comparator;
import java.util.List;
import java.util.Objects;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.beans.TypeMismatchException;
import org.springframework.core.Ordered;
import org.springframework.core.annotation.Order;
import org.springframework.dao.DataAccessException;
import org.springframework.http.HttpHeaders;
import org.springframework.http.HttpStatus;
import org.springframework.http.HttpStatusCode;
import org.springframework.http.ProblemDetail;
import org.springframework.http.ResponseEntity;
import org.springframework.http.converter.HttpMessageNotReadableException;
import org.springframework.transaction.TransactionException;
import org.springframework.validation.FieldError;
import org.springframework.web.bind.MethodArgumentNotValidException;
import org.springframework.web.bind.annotation.ExceptionHandler;
import org.springframework.web.bind.annotation.RestControllerAdvice;
import org.springframework.web.context.request.WebRequest;
import org.springframework.web.method.annotation.MethodArgumentTypeMismatchException;
import org.springframework.web.servlet.mvc.method.annotation.ResponseEntityExceptionHandler;
import tools.jackson.core.JacksonException;
import tools.jackson.core.exc.StreamReadException;
import tools.jackson.databind.exc.MismatchedInputException;
import tools.jackson.databind.exc.UnrecognizedPropertyException;

/**
 * Answers every error the API knows about with an {@code application/problem+json} body, and bad input with the
 * fields at fault.
 *
 * <p>Invariant: bad input is a 4xx that names what is wrong, never a 500; a database that cannot be reached is a
 * 503 with {@code Retry-After}, because the request was fine and nothing was stored. Spring MVC's own errors (415,
 * 405, 406, 404 for unknown paths) come from the base class as problem details too.
 */
@RestControllerAdvice
@Order(Ordered.LOWEST_PRECEDENCE)
class ApiExceptionHandler extends ResponseEntityExceptionHandler {

    private static final Logger log = LoggerFactory.getLogger(ApiExceptionHandler.class);
    private static final java.util.regex.Pattern WORD_BOUNDARY =
            java.util.regex.Pattern.compile("(?<=[a-z0-9])(?=[A-Z])");

    private final OrderApiProperties.Backpressure backpressure;

    ApiExceptionHandler(OrderApiProperties properties) {
        this.backpressure = properties.backpressure();
    }

    @Override
    protected @Nullable ResponseEntity<Object> handleMethodArgumentNotValid(
            MethodArgumentNotValidException ex, HttpHeaders headers, HttpStatusCode status, WebRequest request) {
        List<Problems.FieldError> errors = ex.getBindingResult().getFieldErrors().stream()
                .map(error -> new Problems.FieldError(jsonPath(error), messageOf(error)))
                .sorted(Comparator.comparing(Problems.FieldError::field).thenComparing(Problems.FieldError::message))
                .toList();
        String detail = errors.size() == 1 ? "1 field is invalid" : errors.size() + " fields are invalid";
        return problem(Problems.invalidRequest(detail, errors), request);
    }

    @Override
    protected @Nullable ResponseEntity<Object> handleHttpMessageNotReadable(
            HttpMessageNotReadableException ex, HttpHeaders headers, HttpStatusCode status, WebRequest request) {
        for (Throwable cause = ex.getCause(); cause != null; cause = cause.getCause()) {
            if (cause instanceof RequestBodyTooLargeException tooLarge) {
                return problem(RequestBodyLimitFilter.tooLarge(tooLarge.limit()), request);
            }
        }
        Throwable cause = ex.getCause();
        if (cause instanceof UnrecognizedPropertyException unknown) {
            return problem(
                    Problems.invalidRequest(
                            "The request has a property this API does not know",
                            new Problems.FieldError(
                                    pathOf(unknown),
                                    "unknown property; allowed here: " + unknown.getKnownPropertyIds())),
                    request);
        }
        if (cause instanceof MismatchedInputException mismatch
                && !mismatch.getPath().isEmpty()) {
            return problem(
                    Problems.invalidRequest(
                            "A field has the wrong type",
                            new Problems.FieldError(pathOf(mismatch), expectation(mismatch.getTargetType()))),
                    request);
        }
        if (cause instanceof StreamReadException malformed
                && malformed.getPath().isEmpty()) {
            return problem(
                    Problems.invalidRequest(
                            "The request body is not well-formed JSON",
                            new Problems.FieldError("$", malformed.getOriginalMessage() + locationOf(malformed))),
                    request);
        }
        if (cause instanceof JacksonException other) {
            return problem(
                    Problems.invalidRequest(
                            "The request body could not be read as an order",
                            new Problems.FieldError(pathOf(other), firstLine(other.getOriginalMessage()))),
                    request);
        }
        return problem(
                Problems.invalidRequest(
                        "The request body is missing or unreadable",
                        new Problems.FieldError("$", "a JSON object is required")),
                request);
    }

    @Override
    protected @Nullable ResponseEntity<Object> handleTypeMismatch(
            TypeMismatchException ex, HttpHeaders headers, HttpStatusCode status, WebRequest request) {
        String name = ex instanceof MethodArgumentTypeMismatchException argument
                ? argument.getName()
                : Objects.requireNonNullElse(ex.getPropertyName(), "parameter");
        String expected = ex.getRequiredType() == java.util.UUID.class
                ? "must be a UUID, such as 3fa85f64-5717-4562-b3fc-2c963f66afa6"
                : expectation(ex.getRequiredType());
        return problem(
                Problems.invalidRequest(
                        "'%s' is not a valid %s".formatted(ex.getValue(), name),
                        new Problems.FieldError(name, expected)),
                request);
    }

    @ExceptionHandler
    ResponseEntity<Object> backpressure(BackpressureException e) {
        return ResponseEntity.status(HttpStatus.SERVICE_UNAVAILABLE)
                .header(HttpHeaders.RETRY_AFTER, Long.toString(e.retryAfter().toSeconds()))
                .body(Problems.of(
                        HttpStatus.SERVICE_UNAVAILABLE, "backpressure", "Busy: try again later", e.getMessage()));
    }

    @ExceptionHandler({DataAccessException.class, TransactionException.class})
    ResponseEntity<Object> databaseUnavailable(RuntimeException e) {
        log.error("Request failed on the database; answering 503, nothing was stored", e);
        return ResponseEntity.status(HttpStatus.SERVICE_UNAVAILABLE)
                .header(
                        HttpHeaders.RETRY_AFTER,
                        Long.toString(backpressure.retryAfter().toSeconds()))
                .body(Problems.of(
                        HttpStatus.SERVICE_UNAVAILABLE,
                        "storage-unavailable",
                        "Storage unavailable: try again later",
                        "The order could not be stored just now and nothing was kept. Retry the same request "
                                + "(with the same Idempotency-Key, if you sent one)."));
    }

    private static ResponseEntity<Object> problem(ProblemDetail problem, WebRequest request) {
        return ResponseEntity.status(problem.getStatus()).body(problem);
    }

    private static String jsonPath(FieldError error) {
        StringBuilder path = new StringBuilder();
        for (String segment : error.getField().split("\\.")) {
            int bracket = segment.indexOf('[');
            String name = bracket < 0 ? segment : segment.substring(0, bracket);
            if (!path.isEmpty()) {
                path.append('.');
            }
            // Bean Validation names Java properties; clients know the snake_case JSON names.
            path.append(WORD_BOUNDARY.matcher(name).replaceAll("_").toLowerCase(java.util.Locale.ROOT));
            if (bracket >= 0) {
                path.append(segment.substring(bracket));
            }
        }
        return path.toString();
    }

    private static String messageOf(FieldError error) {
        return Objects.requireNonNullElse(error.getDefaultMessage(), "is invalid");
    }

    private static String pathOf(JacksonException e) {
        StringBuilder path = new StringBuilder();
        for (JacksonException.Reference reference : e.getPath()) {
            if (reference.getPropertyName() != null) {
                if (!path.isEmpty()) {
                    path.append('.');
                }
                path.append(reference.getPropertyName());
            } else if (reference.getIndex() >= 0) {
                path.append('[').append(reference.getIndex()).append(']');
            }
        }
        return path.isEmpty() ? "$" : path.toString();
    }

    private static String expectation(@Nullable Class<?> type) {
        if (type == null) {
            return "has the wrong type";
        }
        if (type == Integer.class || type == int.class || type == Long.class || type == long.class) {
            return "must be a whole number";
        }
        if (type == String.class) {
            return "must be a string";
        }
        if (java.util.Collection.class.isAssignableFrom(type) || type.isArray()) {
            return "must be an array";
        }
        if (type.isRecord()) {
            return "must be an object";
        }
        return "must be a " + type.getSimpleName();
    }

    private static String locationOf(StreamReadException e) {
        var location = e.getLocation();
        return location == null ? "" : " (line %d, column %d)".formatted(location.getLineNr(), location.getColumnNr());
    }

    private static String firstLine(String message) {
        int newline = message.indexOf('\n');
        return newline < 0 ? message : message.substring(0, newline);
    }
}
