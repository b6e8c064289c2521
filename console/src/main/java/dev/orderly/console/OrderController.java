package dev.orderly.console;

import dev.orderly.overview.PipelineOverview;
import org.springframework.http.HttpMethod;
import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.RestController;

/**
 * {@code GET /api/orders/{id}}: order-api's {@code GET /orders/{id}} (status and timeline) with the signed-in user's
 * token, its answer as it came: any order with {@code orders:read-all}, else 404 as for an unknown id.
 */
@RestController
class OrderController {

    private final Services services;
    private final ConsoleProperties properties;

    OrderController(Services services, ConsoleProperties properties) {
        this.services = services;
        this.properties = properties;
    }

    @GetMapping("/api/orders/{id}")
    ResponseEntity<String> order(@PathVariable java.util.UUID id) {
        return services.call(HttpMethod.GET, PipelineOverview.at(properties.orderApi(), "/orders/" + id), "order-api")
                .relayed();
    }
}
