package dev.orderly.console;

import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpSession;
import java.net.URI;
import org.springframework.http.HttpStatus;
import org.springframework.http.ProblemDetail;
import org.springframework.http.ResponseEntity;
import org.springframework.security.core.context.SecurityContextHolder;
import org.springframework.security.oauth2.client.ClientAuthorizationRequiredException;
import org.springframework.security.oauth2.client.registration.ClientRegistrationRepository;
import org.springframework.security.oauth2.core.OAuth2AuthorizationException;
import org.springframework.security.oauth2.core.OAuth2ErrorCodes;
import org.springframework.web.bind.annotation.ExceptionHandler;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.RestController;
import org.springframework.web.bind.annotation.RestControllerAdvice;

/**
 * How a sign-in ends. Signing out of the console ({@code POST /logout}) ends its session and sends the browser on to
 * the authorization server's own sign-out ({@code /logout} beside its authorization endpoint), whose session would
 * otherwise sign the next visitor of this browser straight back in. A sign-in that can no longer get a token (the
 * refresh token expired, the authorization server forgot it) ends the console's session too, and the page's call gets
 * a 401, on which the page signs in again, instead of a 500 or a redirect a script cannot follow.
 */
@RestController // GET /signed-out
@RestControllerAdvice // the expired sign-in, on every controller
class SignedOut {

    private final URI authorizationServerLogout;

    SignedOut(ClientRegistrationRepository registrations, ConsoleProperties properties) {
        URI authorization = URI.create(registrations
                .findByRegistrationId(SecurityConfiguration.REGISTRATION)
                .getProviderDetails()
                .getAuthorizationUri());
        this.authorizationServerLogout =
                properties.logoutUri() != null ? properties.logoutUri() : authorization.resolve("/logout");
    }

    @GetMapping("/signed-out")
    ResponseEntity<Void> signedOut() {
        return ResponseEntity.status(HttpStatus.FOUND)
                .location(authorizationServerLogout)
                .build();
    }

    /**
     * The user's token could not be had: the sign-in is over when the authorization server says so
     * ({@code invalid_grant}: the refresh token expired or was forgotten) or when there is no token to refresh; any
     * other failure (the authorization server did not answer) leaves the sign-in alone and is a 503.
     */
    @ExceptionHandler(OAuth2AuthorizationException.class)
    ResponseEntity<ProblemDetail> signInExpired(OAuth2AuthorizationException e, HttpServletRequest request) {
        if (!(e instanceof ClientAuthorizationRequiredException)
                && !OAuth2ErrorCodes.INVALID_GRANT.equals(e.getError().getErrorCode())) {
            return ResponseEntity.status(HttpStatus.SERVICE_UNAVAILABLE)
                    .body(ProblemDetail.forStatusAndDetail(
                            HttpStatus.SERVICE_UNAVAILABLE,
                            "The authorization server did not give the signed-in user's token ("
                                    + e.getError().getErrorCode() + "); try again shortly."));
        }
        HttpSession session = request.getSession(false);
        if (session != null) {
            session.invalidate();
        }
        SecurityContextHolder.clearContext();
        ProblemDetail problem = ProblemDetail.forStatusAndDetail(
                HttpStatus.UNAUTHORIZED,
                "The sign-in has expired (" + e.getError().getErrorCode() + "): sign in again.");
        return ResponseEntity.status(HttpStatus.UNAUTHORIZED).body(problem);
    }
}
