package dev.orderly.security;

import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.springframework.boot.actuate.endpoint.annotation.DeleteOperation;
import org.springframework.boot.actuate.endpoint.annotation.Endpoint;
import org.springframework.boot.actuate.endpoint.annotation.ReadOperation;
import org.springframework.boot.actuate.endpoint.annotation.WriteOperation;
import org.springframework.boot.autoconfigure.SpringBootApplication;
import org.springframework.context.annotation.Bean;

/**
 * A service with a management side only, as a worker has: health, info, Prometheus, and a stand-in for the parking
 * lot (common-messaging's, tested there against the real one) that records which operations were reached.
 */
@SpringBootApplication
class ManagementApplication {

    @Bean
    ParkingLot parkingLot() {
        return new ParkingLot();
    }

    /** Endpoint {@code parkinglot}: answers each operation with its name, and remembers it was called. */
    @Endpoint(id = "parkinglot")
    static class ParkingLot {

        final List<String> calls = new CopyOnWriteArrayList<>();

        @ReadOperation
        String list() {
            calls.add("list");
            return "list";
        }

        @WriteOperation
        String replay() {
            calls.add("replay");
            return "replay";
        }

        @DeleteOperation
        String purge() {
            calls.add("purge");
            return "purge";
        }
    }
}
