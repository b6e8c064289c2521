package dev.orderly.tools;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The variable names Orderly read before each setting had one name (docs/configuration.md), each with the name that
 * replaced it: so that a state file or a compose {@code .env} written before is carried over, and a retired name in
 * the environment is pointed out instead of being silently ignored.
 *
 * <p>Invariant: a file is only ever renamed key by key, keeping every value (the databases and the broker hold its
 * passwords), and only when the current name is not there yet; one that has both stops with a message naming it.
 */
final class RetiredNames {

    /** Keys of the state file and of compose's {@code .env}: renamed in place, values kept. */
    static final Map<String, String> FILE_KEYS = fileKeys();

    /** Settings that were read from the environment only: the current name (or what to set instead). */
    static final Map<String, String> SETTINGS = settings();

    private RetiredNames() {}

    private static Map<String, String> fileKeys() {
        Map<String, String> keys = new LinkedHashMap<>();
        keys.put("ORDERLY_PG_PORT", "ORDERLY_POSTGRES_PORT");
        keys.put("ORDERLY_PG_SUPERUSER_PASSWORD", "ORDERLY_POSTGRES_PASSWORD");
        keys.put("ORDERLY_API_DB_PASSWORD", "ORDERLY_POSTGRES_API_PASSWORD");
        keys.put("ORDERLY_ORDER_WORKER_DB_PASSWORD", "ORDERLY_POSTGRES_ORDER_WORKER_PASSWORD");
        keys.put("ORDERLY_PAYMENTS_DB_PASSWORD", "ORDERLY_POSTGRES_PAYMENTS_PASSWORD");
        keys.put("ORDERLY_SHIPPING_DB_PASSWORD", "ORDERLY_POSTGRES_SHIPPING_PASSWORD");
        keys.put("ORDERLY_RELAY_DB_PASSWORD", "ORDERLY_POSTGRES_RELAY_PASSWORD");
        keys.put("ORDERLY_AMQP_PORT", "ORDERLY_RABBITMQ_PORT");
        keys.put("ORDERLY_RABBIT_MGMT_PORT", "ORDERLY_RABBITMQ_MANAGEMENT_PORT");
        keys.put("ORDERLY_RABBIT_PROMETHEUS_PORT", "ORDERLY_RABBITMQ_PROMETHEUS_PORT");
        keys.put("ORDERLY_RABBIT_DIST_PORT", "ORDERLY_RABBITMQ_DIST_PORT");
        keys.put("ORDERLY_EPMD_PORT", "ORDERLY_RABBITMQ_EPMD_PORT");
        keys.put("ORDERLY_RABBIT_ADMIN_PASSWORD", "ORDERLY_RABBITMQ_ADMIN_PASSWORD");
        keys.put("ORDERLY_RELAY_RABBITMQ_PASSWORD", "ORDERLY_RABBITMQ_RELAY_PASSWORD");
        keys.put("ORDERLY_ORDER_WORKER_RABBITMQ_PASSWORD", "ORDERLY_RABBITMQ_ORDER_WORKER_PASSWORD");
        keys.put("ORDERLY_PAYMENT_WORKER_RABBITMQ_PASSWORD", "ORDERLY_RABBITMQ_PAYMENT_WORKER_PASSWORD");
        keys.put("ORDERLY_SHIPPING_WORKER_RABBITMQ_PASSWORD", "ORDERLY_RABBITMQ_SHIPPING_WORKER_PASSWORD");
        keys.put("ORDERLY_API_PORT", "ORDERLY_ORDER_API_PORT");
        keys.put("ORDERLY_ORDER_WORKER_MANAGEMENT_PORT", "ORDERLY_ORDER_WORKER_PORT");
        keys.put("ORDERLY_PAYMENT_WORKER_MANAGEMENT_PORT", "ORDERLY_PAYMENT_WORKER_PORT");
        keys.put("ORDERLY_SHIPPING_WORKER_MANAGEMENT_PORT", "ORDERLY_SHIPPING_WORKER_PORT");
        keys.put("ORDERLY_RELAY_PORT", "ORDERLY_OUTBOX_RELAY_PORT");
        keys.put("ORDERLY_API_PROFILES", "SPRING_PROFILES_ACTIVE");
        return Map.copyOf(keys);
    }

    private static Map<String, String> settings() {
        Map<String, String> names = new LinkedHashMap<>(FILE_KEYS);
        names.put("ORDERLY_PG_OPTIONS", "ORDERLY_POSTGRES_OPTIONS");
        names.put("ORDERLY_DB_URL", "SPRING_DATASOURCE_URL");
        for (String service : List.of("API", "PAYMENTS", "SHIPPING")) {
            names.put("ORDERLY_" + service + "_DB_USER", "SPRING_DATASOURCE_USERNAME");
        }
        names.put(
                "ORDERLY_ORDER_WORKER_DB_USER",
                "SPRING_DATASOURCE_USERNAME (order-worker), ORDERLY_POSTGRES_ORDER_WORKER_ROLE (order-api's grants)");
        names.put(
                "ORDERLY_RELAY_DB_USER",
                "SPRING_DATASOURCE_USERNAME (outbox-relay), ORDERLY_POSTGRES_RELAY_ROLE (the producers' grants)");
        for (String service : List.of("API", "ORDER_WORKER", "PAYMENT_WORKER", "SHIPPING_WORKER", "RELAY")) {
            names.put("ORDERLY_" + service + "_DB_POOL_SIZE", "SPRING_DATASOURCE_HIKARI_MAXIMUM_POOL_SIZE");
        }
        names.put("ORDERLY_AMQP_HOST", "SPRING_RABBITMQ_HOST");
        names.put("ORDERLY_RABBIT_HOST", "SPRING_RABBITMQ_HOST");
        names.put("ORDERLY_AMQP_VHOST", "SPRING_RABBITMQ_VIRTUAL_HOST");
        names.put("ORDERLY_RABBIT_VHOST", "SPRING_RABBITMQ_VIRTUAL_HOST");
        names.put("ORDERLY_API_ADDRESS", "SERVER_ADDRESS");
        names.put("ORDERLY_RELAY_ADDRESS", "SERVER_ADDRESS");
        for (String worker : List.of("ORDER", "PAYMENT", "SHIPPING")) {
            String prefix = "ORDERLY_" + worker + "_WORKER_";
            names.put(prefix + "MANAGEMENT_ADDRESS", "SERVER_ADDRESS (./orderly parking-lot: " + prefix + "ADDRESS)");
            names.put(prefix + "PREFETCH", "ORDERLY_MESSAGING_LISTENER_PREFETCH");
            names.put(prefix + "CONCURRENCY", "ORDERLY_MESSAGING_LISTENER_CONCURRENCY");
        }
        names.put("ORDERLY_ORDER_WORKER_RETRY_DELAYS", "ORDERLY_MESSAGING_RETRY_DELAYS");
        names.put("ORDERLY_PAYMENT_GATEWAY_LATENCY", "ORDERLY_PAYMENT_SIMULATOR_LATENCY");
        names.put("ORDERLY_PAYMENT_GATEWAY_FAILURE_RATE", "ORDERLY_PAYMENT_SIMULATOR_TRANSIENT_FAILURE_RATE");
        names.put("ORDERLY_PAYMENT_GATEWAY_MAX_AMOUNT_CENTS", "ORDERLY_PAYMENT_SIMULATOR_MAX_AMOUNT_CENTS");
        names.put("ORDERLY_CARRIER_LATENCY", "ORDERLY_SHIPPING_SIMULATOR_LATENCY");
        names.put("ORDERLY_CARRIER_FAILURE_RATE", "ORDERLY_SHIPPING_SIMULATOR_TRANSIENT_FAILURE_RATE");
        names.put("ORDERLY_RELAY_OUTBOXES", "ORDERLY_RELAY_TABLES");
        names.put("ORDERLY_LOG_FORMAT", "LOGGING_STRUCTURED_FORMAT_CONSOLE");
        names.put("ORDERLY_TRACE_SAMPLING", "MANAGEMENT_TRACING_SAMPLING_PROBABILITY");
        names.put("ORDERLY_TRACE_EXEMPLARS", "MANAGEMENT_TRACING_EXEMPLARS_INCLUDE");
        names.put("ORDERLY_OTLP_METRICS_ENABLED", "MANAGEMENT_OTLP_METRICS_EXPORT_ENABLED");
        return Map.copyOf(names);
    }

    /** One line per retired name set in {@code environment}, saying what to set instead; empty if none is. */
    static List<String> inEnvironment(Map<String, String> environment) {
        return environment.keySet().stream()
                .filter(SETTINGS::containsKey)
                .sorted()
                .map(name -> name + " is no longer read: set " + SETTINGS.get(name) + " (docs/configuration.md)")
                .toList();
    }

    /**
     * Renames the retired keys of a settings file ({@code NAME=value} lines) in place, keeping values, comments and
     * order, and the file's permissions.
     *
     * @return {@code OLD -> NEW} for each key renamed; empty if the file has none (then it is left untouched)
     * @throws OrderlyException if the file has a retired key and its current name both
     */
    static List<String> renameIn(Path file) {
        if (!Files.exists(file)) {
            return List.of();
        }
        try {
            List<String> lines = Files.readAllLines(file, StandardCharsets.UTF_8);
            List<String> keys = lines.stream()
                    .map(RetiredNames::key)
                    .flatMap(Optional::stream)
                    .toList();
            List<String> renamed = new ArrayList<>();
            List<String> rewritten = new ArrayList<>();
            for (String line : lines) {
                Optional<String> key = key(line);
                String current = key.map(FILE_KEYS::get).orElse(null);
                if (current == null) {
                    rewritten.add(line);
                    continue;
                }
                if (keys.contains(current)) {
                    throw new OrderlyException(file + " has both " + key.get() + " (the name before "
                            + "docs/configuration.md) and " + current + ": keep the one the servers were set up with, "
                            + "named " + current + ", and delete the other line");
                }
                rewritten.add(current + line.substring(key.get().length()));
                renamed.add(key.get() + " -> " + current);
            }
            if (renamed.isEmpty()) {
                return List.of();
            }
            Path directory = file.toAbsolutePath().getParent();
            Path temporary = Files.createTempFile(
                    directory,
                    "." + file.getFileName(),
                    ".tmp",
                    PosixFilePermissions.asFileAttribute(Files.getPosixFilePermissions(file)));
            Files.write(temporary, rewritten, StandardCharsets.UTF_8);
            Files.move(temporary, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
            return List.copyOf(renamed);
        } catch (IOException e) {
            throw new UncheckedIOException("Could not carry " + file + " over to the current names", e);
        }
    }

    private static Optional<String> key(String line) {
        int equals = line.indexOf('=');
        return line.startsWith("#") || equals <= 0 ? Optional.empty() : Optional.of(line.substring(0, equals));
    }
}
