package dev.orderly.console;

import dev.orderly.overview.PipelineOverview;
import java.net.URI;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.jspecify.annotations.Nullable;
import org.springframework.http.HttpMethod;
import org.springframework.http.HttpStatus;
import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.DeleteMapping;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.RestController;
import org.springframework.web.server.ResponseStatusException;

/**
 * A worker's parking lot through the console: {@code /api/parking-lots/{worker}/...} is that worker's
 * {@code /actuator/parkinglot/...}, called with the signed-in user's token, its answer passed on as it came. So a
 * viewer's replay is refused by the worker (403, no {@code parkinglot:replay} in the token), a purge without the
 * parking lot's name as confirmation by the worker (400), and every replay and purge is in the worker's audit under
 * the user's name.
 *
 * <p>Invariant: the console adds no operation and widens none; it only chooses which worker.
 */
@RestController
@RequestMapping("/api/parking-lots/{worker}")
class ParkingLotController {

    private final Services services;
    private final ConsoleProperties properties;

    ParkingLotController(Services services, ConsoleProperties properties) {
        this.services = services;
        this.properties = properties;
    }

    @GetMapping("/groups")
    ResponseEntity<String> groups(@PathVariable String worker) {
        return call(worker, HttpMethod.GET, "/groups", List.of());
    }

    @GetMapping("/audit")
    ResponseEntity<String> audit(@PathVariable String worker) {
        return call(worker, HttpMethod.GET, "/audit", List.of());
    }

    @GetMapping("/messages")
    ResponseEntity<String> list(
            @PathVariable String worker,
            @RequestParam(required = false) @Nullable Integer page,
            @RequestParam(required = false) @Nullable Integer size,
            @RequestParam(required = false) @Nullable String eventType,
            @RequestParam(required = false) @Nullable String reason) {
        return call(
                worker,
                HttpMethod.GET,
                "",
                query("page", page, "size", size, "eventType", eventType, "reason", reason));
    }

    @GetMapping("/messages/{id}")
    ResponseEntity<String> show(@PathVariable String worker, @PathVariable long id) {
        return call(worker, HttpMethod.GET, "/" + id, List.of());
    }

    @PostMapping("/replay")
    ResponseEntity<String> replay(
            @PathVariable String worker,
            @RequestParam(required = false) @Nullable Long id,
            @RequestParam(required = false) @Nullable String eventType,
            @RequestParam(required = false) @Nullable String reason,
            @RequestParam(required = false) @Nullable Boolean all) {
        // An actuator write operation takes its arguments as a JSON body.
        Map<String, Object> selection = new LinkedHashMap<>();
        putIfPresent(selection, "id", id);
        putIfPresent(selection, "eventType", eventType);
        putIfPresent(selection, "reason", reason);
        putIfPresent(selection, "all", all);
        return services.call(
                        HttpMethod.POST,
                        PipelineOverview.at(base(worker), "/actuator/parkinglot"),
                        worker + "-worker",
                        selection)
                .relayed();
    }

    private static void putIfPresent(Map<String, Object> map, String key, @Nullable Object value) {
        if (value != null) {
            map.put(key, value);
        }
    }

    @DeleteMapping
    ResponseEntity<String> purge(
            @PathVariable String worker,
            @RequestParam(required = false) @Nullable String confirm,
            @RequestParam(required = false) @Nullable Long id,
            @RequestParam(required = false) @Nullable String eventType,
            @RequestParam(required = false) @Nullable String reason,
            @RequestParam(required = false) @Nullable Boolean all) {
        return call(
                worker,
                HttpMethod.DELETE,
                "",
                query("confirm", confirm, "id", id, "eventType", eventType, "reason", reason, "all", all));
    }

    private ResponseEntity<String> call(String worker, HttpMethod method, String path, List<String> query) {
        String suffix = query.isEmpty() ? "" : "?" + String.join("&", query);
        return services.call(
                        method,
                        PipelineOverview.at(base(worker), "/actuator/parkinglot" + path + suffix),
                        worker + "-worker")
                .relayed();
    }

    /** The worker's management side; 404 for a name that is not a worker. */
    private URI base(String worker) {
        URI base = properties.workers().get(worker);
        if (base == null) {
            throw new ResponseStatusException(
                    HttpStatus.NOT_FOUND,
                    "'" + worker + "' is not a worker; one of "
                            + properties.workers().keySet().stream().sorted().toList());
        }
        return base;
    }

    /** {@code name=value} pairs of the given names and values, the null ones left out, values URL-encoded. */
    private static List<String> query(@Nullable Object... namesAndValues) {
        List<String> pairs = new ArrayList<>();
        for (int i = 0; i < namesAndValues.length; i += 2) {
            Object value = namesAndValues[i + 1];
            if (value != null) {
                pairs.add(namesAndValues[i] + "=" + URLEncoder.encode(value.toString(), StandardCharsets.UTF_8));
            }
        }
        return pairs;
    }
}
