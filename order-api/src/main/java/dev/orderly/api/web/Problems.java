package dev.orderly.api.web;

import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.net.URI;
import java.util.List;
import org.springframework.http.HttpStatus;
import org.springframework.http.MediaType;
import org.springframework.http.ProblemDetail;
import tools.jackson.databind.json.JsonMapper;

/**
 * Builds the RFC 9457 problem details that every refusal of this API is answered with.
 *
 * <p>Each problem has a stable type URI, {@code urn:orderly:problem:<name>} (listed in docs/order-api.md), so
 * clients can branch on the type rather than on the wording. Bad input carries an {@code errors} array naming each
 * field at fault with its JSON path, such as {@code lines[0].quantity}.
 */
public final class Problems {

    public static final String TYPE_PREFIX = "urn:orderly:problem:";

    private Problems() {}

    /** One field at fault: its JSON path (or header name) and what is wrong with it. */
    public record FieldError(String field, String message) {}

    public static ProblemDetail of(HttpStatus status, String type, String title, String detail) {
        ProblemDetail problem = ProblemDetail.forStatusAndDetail(status, detail);
        problem.setType(URI.create(TYPE_PREFIX + type));
        problem.setTitle(title);
        return problem;
    }

    /** A problem naming the fields at fault in {@code errors}. */
    public static ProblemDetail of(
            HttpStatus status, String type, String title, String detail, List<FieldError> errors) {
        ProblemDetail problem = of(status, type, title, detail);
        problem.setProperty("errors", errors);
        return problem;
    }

    /** A 400 naming the fields at fault. */
    public static ProblemDetail invalidRequest(String detail, List<FieldError> errors) {
        return of(HttpStatus.BAD_REQUEST, "invalid-request", "Invalid request", detail, errors);
    }

    /** A 400 naming one field at fault. */
    public static ProblemDetail invalidRequest(String detail, FieldError error) {
        return invalidRequest(detail, List.of(error));
    }

    /**
     * Answers with {@code problem}, for the filters that refuse a request before Spring MVC sees it (the body limit,
     * the token check): the same body Spring MVC would write, but with an {@code instance} only if the problem has
     * one. Headers already set on {@code response} stay.
     */
    public static void write(HttpServletResponse response, ProblemDetail problem, JsonMapper json) throws IOException {
        response.setStatus(problem.getStatus());
        response.setContentType(MediaType.APPLICATION_PROBLEM_JSON_VALUE);
        json.writeValue(response.getOutputStream(), problem);
    }

    public static FieldError fieldError(String field, Exception cause) {
        return new FieldError(field, String.valueOf(cause.getMessage()));
    }
}
