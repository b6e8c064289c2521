package dev.orderly.console;

import dev.orderly.overview.PipelineOverview;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.time.Clock;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.springframework.security.core.Authentication;
import org.springframework.security.core.GrantedAuthority;
import org.springframework.security.core.annotation.AuthenticationPrincipal;
import org.springframework.security.oauth2.core.user.OAuth2User;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.RestController;

/**
 * {@code GET /api/overview}: one {@link PipelineOverview snapshot} of the pipeline, read with the signed-in user's
 * token (the broker's part as the monitoring user), and who that user is; {@code GET /api/me}: the user alone. The
 * page turns two snapshots into rates.
 *
 * <p>Invariant: a part that fails never fails the answer (always 200 for a signed-in user).
 */
@RestController
class OverviewController {

    private final Services services;
    private final PipelineOverview overview;

    OverviewController(Services services, ConsoleProperties properties) {
        this.services = services;
        this.overview = new PipelineOverview(
                new PipelineOverview.Endpoints(
                        properties.orderApi(),
                        properties.orderApiManagement(),
                        properties.relay(),
                        properties.workers(),
                        properties.broker().virtualHost()),
                new PipelineOverview.Slo(
                        properties.slo().threshold().toMillis() / 1000.0,
                        properties.slo().target()),
                Clock.systemUTC());
    }

    @GetMapping("/api/me")
    Map<String, Object> me(@AuthenticationPrincipal OAuth2User user) {
        return Map.of("name", user.getName(), "scopes", scopes(user));
    }

    @GetMapping("/api/overview")
    Map<String, Object> overview(
            @AuthenticationPrincipal OAuth2User user,
            Authentication authentication,
            HttpServletRequest request,
            HttpServletResponse response) {
        Map<String, Object> answer = new LinkedHashMap<>();
        answer.put("user", me(user));
        // Taken here, once: the snapshot's parts call from threads of their own, which hold neither the request nor
        // its session.
        String token = services.accessToken(authentication, request, response);
        answer.putAll(overview.snapshot(new PipelineOverview.Calls() {
            @Override
            public PipelineOverview.Reply service(String service, java.net.URI uri) {
                return services.get(uri, service, token).reply();
            }

            @Override
            public PipelineOverview.Reply broker(String path) {
                return services.broker(path).reply();
            }
        }));
        return answer;
    }

    static List<String> scopes(OAuth2User user) {
        return user.getAuthorities().stream()
                .map(GrantedAuthority::getAuthority)
                .filter(authority -> authority.startsWith("SCOPE_"))
                .map(authority -> authority.substring("SCOPE_".length()))
                .sorted()
                .toList();
    }
}
