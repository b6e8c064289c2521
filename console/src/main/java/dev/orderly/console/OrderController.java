package dev.orderly.console;

import dev.orderly.overview.PipelineOverview;
import java.net.URI;
import org.springframework.http.HttpMethod;
import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.RestController;
import org.springframework.web.util.UriComponentsBuilder;

/**
 * {@code GET /api/orders/{id}}: order-api's {@code GET /orders/{id}} (status and timeline) with the signed-in user's
 * token, its answer as it came: any order with {@code orders:read-all}, else 404 as for an unknown id. {@code GET
 * /api/orders?customer=}: that customer's latest orders, the same way.
 */
@RestController
class OrderController {

    private final Services services;
    private final ConsoleProperties properties;

    OrderController(Services services, ConsoleProperties properties) {
        this.services = services;
        this.properties = properties;
    }

    /** {@code GET /api/orders?customer=}: order-api's {@code GET /orders?customer_id=}, the latest 20. */
    @GetMapping("/api/orders")
    ResponseEntity<String> ofCustomer(@RequestParam String customer) {
        URI uri = UriComponentsBuilder.fromUri(PipelineOverview.at(properties.orderApi(), "/orders"))
                .queryParam("customer_id", "{customer}")
                .queryParam("limit", 20)
                .encode()
                // Expanded after encode(): the value is encoded strictly, a '+' in it too (not read as a space).
                .buildAndExpand(customer)
                .toUri();
        return services.call(HttpMethod.GET, uri, "order-api").relayed();
    }

    @GetMapping("/api/orders/{id}")
    ResponseEntity<String> order(@PathVariable java.util.UUID id) {
        return services.call(HttpMethod.GET, PipelineOverview.at(properties.orderApi(), "/orders/" + id), "order-api")
                .relayed();
    }
}
