package dev.orderly.worker.order;

import java.time.Clock;
import org.springframework.boot.SpringApplication;
import org.springframework.boot.autoconfigure.SpringBootApplication;
import org.springframework.boot.context.properties.ConfigurationPropertiesScan;
import org.springframework.context.annotation.Bean;

/** Starts order-worker. */
@SpringBootApplication
@ConfigurationPropertiesScan
public class OrderWorkerApplication {

    public static void main(String[] args) {
        SpringApplication.run(OrderWorkerApplication.class, args);
    }

    /** The clock events and records are stamped with; the shared runtime uses it too, if there is one. */
    @Bean
    Clock clock() {
        return Clock.systemUTC();
    }
}
