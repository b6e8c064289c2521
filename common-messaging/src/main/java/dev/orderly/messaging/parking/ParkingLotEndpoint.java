package dev.orderly.messaging.parking;

import java.security.Principal;
import java.util.LinkedHashMap;
import java.util.Map;
import org.jspecify.annotations.Nullable;
import org.springframework.boot.actuate.endpoint.SecurityContext;
import org.springframework.boot.actuate.endpoint.annotation.DeleteOperation;
import org.springframework.boot.actuate.endpoint.annotation.Endpoint;
import org.springframework.boot.actuate.endpoint.annotation.ReadOperation;
import org.springframework.boot.actuate.endpoint.annotation.Selector;
import org.springframework.boot.actuate.endpoint.annotation.WriteOperation;
import org.springframework.boot.actuate.endpoint.web.WebEndpointResponse;

/**
 * The parking lot on the management side, {@code /actuator/parkinglot}:
 *
 * <ul>
 *   <li>{@code GET /actuator/parkinglot?page=0&size=20&eventType=&reason=}: a page of parked messages, oldest first;
 *   <li>{@code GET /actuator/parkinglot/{id}}: one in full (properties, headers, body, reason, exception);
 *   <li>{@code POST /actuator/parkinglot} with JSON {@code {"id": 7}}, {@code {"eventType": "order.created"}},
 *       {@code {"reason": "PERMANENT_FAILURE"}} or {@code {"all": true}}: replay,
 *       rate-limited, at most {@code orderly.messaging.parking-lot.replay-limit} per request; 200 when it did all
 *       it could, 429 when the rate limiter gave no permit in time, 503 when a message could not be republished
 *       (each with how many were replayed before it stopped);
 *   <li>{@code DELETE /actuator/parkinglot?confirm=<D.parking-lot>&id=|eventType=|reason=|all=true}: purge;
 *   <li>{@code GET /actuator/parkinglot/audit}: the last 100 replays and purges;
 *   <li>{@code GET /actuator/parkinglot/groups}: the parked messages counted by reason and event type, with the oldest
 *       and newest of each, the largest group first.
 * </ul>
 *
 * <p>Who may call which operation is the management side's access rule (common-security: {@code parkinglot:read},
 * {@code parkinglot:replay}, {@code parkinglot:purge}); this endpoint answers only an authenticated caller (401
 * otherwise, should a service ever run it without that rule) and records each replay and purge with the caller's name,
 * the access token's subject.
 *
 * <p>Invariant: nothing is replayed or purged without an explicit selection, a purge needs the queue name as
 * confirmation, and the audit's actor is always the authenticated caller: a request that names an {@code actor} of
 * its own is refused (400) and changes nothing, so no caller can write someone else's name into the audit.
 */
@Endpoint(id = "parkinglot")
public class ParkingLotEndpoint {

    private static final int MAX_PAGE_SIZE = 500;

    private final ParkedMessages parked;
    private final ParkingAudit audit;
    private final ParkingLotOperations operations;

    public ParkingLotEndpoint(ParkedMessages parked, ParkingAudit audit, ParkingLotOperations operations) {
        this.parked = parked;
        this.audit = audit;
        this.operations = operations;
    }

    @ReadOperation
    public WebEndpointResponse<Object> list(
            @Nullable Integer page,
            @Nullable Integer size,
            @Nullable String eventType,
            @Nullable String reason,
            SecurityContext security) {
        if (security.getPrincipal() == null) {
            return unauthenticated();
        }
        int p = page == null ? 0 : Math.max(page, 0);
        int s = size == null ? 20 : Math.clamp(size, 1, MAX_PAGE_SIZE);
        return new WebEndpointResponse<>(parked.list(p, s, eventType, reason));
    }

    @ReadOperation
    public WebEndpointResponse<Object> show(@Selector String id, SecurityContext security) {
        if (security.getPrincipal() == null) {
            return unauthenticated();
        }
        if ("audit".equals(id)) {
            return new WebEndpointResponse<>(Map.of("audit", audit.trail(100)));
        }
        if ("groups".equals(id)) {
            return new WebEndpointResponse<>(Map.of("groups", parked.groups()));
        }
        long key;
        try {
            key = Long.parseLong(id);
        } catch (NumberFormatException e) {
            return problem(400, "'" + id + "' is not a parked message id (a whole number), 'audit' nor 'groups'");
        }
        return parked.find(key)
                .<WebEndpointResponse<Object>>map(WebEndpointResponse::new)
                .orElseGet(() -> problem(
                        404,
                        "No parked message has id " + key + " in " + operations.parkingLotName()
                                + "; list them with GET /actuator/parkinglot"));
    }

    @WriteOperation
    public WebEndpointResponse<Object> replay(
            @Nullable Long id,
            @Nullable String eventType,
            @Nullable String reason,
            @Nullable Boolean all,
            @Nullable String actor,
            SecurityContext security) {
        Principal caller = security.getPrincipal();
        if (caller == null) {
            return unauthenticated();
        }
        if (actor != null) {
            return actorRefused(caller);
        }
        Selection selection;
        try {
            selection = new Selection(id, eventType, reason, Boolean.TRUE.equals(all));
        } catch (IllegalArgumentException e) {
            return problem(400, e.getMessage());
        }
        ParkingLotOperations.Replayed result = operations.replay(selection, caller.getName());
        if (result.outcome() == ParkingLotOperations.Outcome.COMPLETE
                && selection.id() != null
                && result.replayed() == 0) {
            return problem(404, "No parked message has id " + selection.id() + " in " + operations.parkingLotName());
        }
        Map<String, Object> body = new LinkedHashMap<>();
        int status = switch (result.outcome()) {
            case COMPLETE -> 200;
            case THROTTLED -> 429;
            case FAILED -> 503;
        };
        if (status != 200) {
            body.put("status", status);
            body.put("detail", result.detail());
        }
        body.put("replayed", result.replayed());
        body.put("remaining", result.remaining());
        body.put("outcome", result.outcome().name());
        return new WebEndpointResponse<>(body, status);
    }

    @DeleteOperation
    public WebEndpointResponse<Object> purge(
            @Nullable String confirm,
            @Nullable Long id,
            @Nullable String eventType,
            @Nullable String reason,
            @Nullable Boolean all,
            @Nullable String actor,
            SecurityContext security) {
        Principal caller = security.getPrincipal();
        if (caller == null) {
            return unauthenticated();
        }
        if (actor != null) {
            return actorRefused(caller);
        }
        try {
            Selection selection = new Selection(id, eventType, reason, Boolean.TRUE.equals(all));
            int purged = operations.purge(selection, confirm == null ? "" : confirm, caller.getName());
            return new WebEndpointResponse<>(Map.of("purged", purged));
        } catch (IllegalArgumentException e) {
            return problem(400, e.getMessage());
        }
    }

    /**
     * Why {@code actor} is still a parameter: earlier versions took the actor from the request, and a caller who still
     * sends one must learn that it is not what the audit records, rather than find out from the audit.
     */
    private static WebEndpointResponse<Object> actorRefused(Principal caller) {
        return problem(
                400,
                "'actor' is not taken: replays and purges are recorded with the access token's subject ('"
                        + caller.getName() + "'). Send the request without 'actor'; nothing was changed.");
    }

    private static WebEndpointResponse<Object> unauthenticated() {
        return problem(401, "The parking lot answers only an authenticated caller: send an access token.");
    }

    private static WebEndpointResponse<Object> problem(int status, String detail) {
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("status", status);
        body.put("detail", detail);
        return new WebEndpointResponse<>(body, status);
    }
}
