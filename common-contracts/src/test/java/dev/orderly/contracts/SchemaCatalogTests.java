package dev.orderly.contracts;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Objects;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

class SchemaCatalogTests {

    private final SchemaCatalog catalog = SchemaCatalog.load();

    @Test
    void catalogueListsEveryEventTypeAtVersionOne() {
        assertThat(catalog.eventTypes())
                .containsExactly(
                        EventTypes.ORDER_CREATED,
                        EventTypes.INVENTORY_RESERVED,
                        EventTypes.INVENTORY_REJECTED,
                        EventTypes.PAYMENT_AUTHORIZED,
                        EventTypes.PAYMENT_DECLINED,
                        EventTypes.SHIPMENT_SCHEDULED);
        catalog.eventTypes()
                .forEach(type -> assertThat(catalog.knownVersions(type)).containsExactly(1));
        assertThat(catalog.knownVersions("order.teleported")).isEmpty();
        assertThat(catalog.find(EventTypes.ORDER_CREATED, 2)).isEmpty();
    }

    @Test
    void everyPayloadRecordIsCataloguedUnderTheTypeAndVersionItReports() {
        assertThat(catalog.entries())
                .extracting(SchemaCatalog.Entry::dataType)
                .containsExactlyInAnyOrder(permittedPayloads());
        Events.all()
                .forEach(data -> assertThat(catalog.find(data.eventType(), data.eventVersion()))
                        .hasValueSatisfying(
                                entry -> assertThat(entry.dataType()).isEqualTo(data.getClass())));
    }

    @Test
    void everySchemaFileShippedIsCatalogued() throws IOException, URISyntaxException {
        Path root = Path.of(Objects.requireNonNull(getClass().getClassLoader().getResource(SchemaCatalog.SCHEMA_ROOT))
                .toURI());
        List<String> shipped;
        try (Stream<Path> files = Files.walk(root)) {
            shipped = files.filter(file -> file.toString().endsWith(".schema.json"))
                    .map(file -> SchemaCatalog.SCHEMA_ROOT
                            + root.relativize(file).toString().replace('\\', '/'))
                    .toList();
        }
        List<String> catalogued = Stream.concat(
                        Stream.of(SchemaCatalog.ENVELOPE_SCHEMA),
                        catalog.entries().stream()
                                .map(entry -> SchemaCatalog.schemaPath(entry.eventType(), entry.eventVersion())))
                .toList();

        assertThat(shipped).containsExactlyInAnyOrderElementsOf(catalogued);
    }

    @Test
    void schemaPathFollowsTheTypeAndVersionLayout() {
        assertThat(SchemaCatalog.schemaPath("order.created", 1))
                .isEqualTo("dev/orderly/contracts/schemas/order.created/v1.schema.json");
    }

    @SuppressWarnings("unchecked")
    private static Class<? extends EventData>[] permittedPayloads() {
        return Stream.of(EventData.class.getPermittedSubclasses()).toArray(Class[]::new);
    }
}
