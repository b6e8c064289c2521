package dev.orderly.worker.shipping;

import org.springframework.boot.SpringApplication;
import org.springframework.boot.autoconfigure.SpringBootApplication;
import org.springframework.boot.context.properties.ConfigurationPropertiesScan;

/** Starts shipping-worker. */
@SpringBootApplication
@ConfigurationPropertiesScan
public class ShippingWorkerApplication {

    public static void main(String[] args) {
        SpringApplication.run(ShippingWorkerApplication.class, args);
    }
}
