package dev.orderly.contracts;

import com.networknt.schema.Schema;
import com.networknt.schema.SchemaLocation;
import com.networknt.schema.SchemaRegistry;
import com.networknt.schema.SchemaRegistryConfig;
import com.networknt.schema.SpecificationVersion;
import com.networknt.schema.path.PathType;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.NavigableMap;
import java.util.Optional;
import java.util.Set;
import java.util.SortedSet;
import java.util.TreeMap;
import java.util.TreeSet;
import tools.jackson.core.JacksonException;
import tools.jackson.databind.JsonNode;

/**
 * The known (event type, version) pairs, each with its payload record and its JSON Schema (draft 2020-12), plus
 * the envelope schema; loaded once from the classpath.
 *
 * <p>Invariant: a catalogue that loaded holds a compiled schema for every pair it lists, with format assertions
 * ({@code uuid}, {@code date-time}, {@code date}) switched on; a missing or broken schema fails {@link #load()},
 * at startup, never on a message. Instances are immutable and thread-safe.
 */
public final class SchemaCatalog {

    /** Classpath folder that holds the schemas. */
    public static final String SCHEMA_ROOT = "dev/orderly/contracts/schemas/";

    /** Classpath resource of the envelope schema. */
    public static final String ENVELOPE_SCHEMA = SCHEMA_ROOT + "envelope.schema.json";

    /** The catalogue; add a line here, a record to {@link EventData} and a schema file for each new version. */
    private static final List<Definition> DEFINITIONS = List.of(
            new Definition(EventTypes.ORDER_CREATED, 1, OrderCreated.class),
            new Definition(EventTypes.INVENTORY_RESERVED, 1, InventoryReserved.class),
            new Definition(EventTypes.INVENTORY_REJECTED, 1, InventoryRejected.class),
            new Definition(EventTypes.PAYMENT_AUTHORIZED, 1, PaymentAuthorized.class),
            new Definition(EventTypes.PAYMENT_DECLINED, 1, PaymentDeclined.class),
            new Definition(EventTypes.SHIPMENT_SCHEDULED, 1, ShipmentScheduled.class));

    /**
     * One known (event type, version) pair.
     *
     * <p>Invariant: {@code schema} is the compiled data schema of the pair and {@code dataType} the record that
     * the pair's {@code data} binds to.
     */
    public record Entry(String eventType, int eventVersion, Class<? extends EventData> dataType, Schema schema) {}

    private record Definition(String eventType, int eventVersion, Class<? extends EventData> dataType) {}

    private final Schema envelopeSchema;
    /** Event type to its versions, ascending. */
    private final Map<String, NavigableMap<Integer, Entry>> byType;

    private final List<Entry> entries;

    private SchemaCatalog(Schema envelopeSchema, List<Entry> entries) {
        this.envelopeSchema = envelopeSchema;
        this.entries = List.copyOf(entries);
        Map<String, NavigableMap<Integer, Entry>> index = new LinkedHashMap<>();
        for (Entry entry : entries) {
            index.computeIfAbsent(entry.eventType(), type -> new TreeMap<>()).put(entry.eventVersion(), entry);
        }
        this.byType = Collections.unmodifiableMap(index);
    }

    /**
     * Loads and compiles every schema of the catalogue.
     *
     * @throws IllegalStateException if a schema is missing from the classpath or is not a valid schema
     */
    public static SchemaCatalog load() {
        SchemaRegistry registry = SchemaRegistry.withDefaultDialect(
                SpecificationVersion.DRAFT_2020_12,
                builder -> builder.schemaRegistryConfig(SchemaRegistryConfig.builder()
                        // 2020-12 makes "format" an annotation only; ids and times must be asserted.
                        .formatAssertionsEnabled(true)
                        .pathType(PathType.JSON_PATH)
                        .build()));
        Schema envelope = compile(registry, ENVELOPE_SCHEMA, "the envelope");
        List<Entry> entries = DEFINITIONS.stream()
                .map(definition -> new Entry(
                        definition.eventType(),
                        definition.eventVersion(),
                        definition.dataType(),
                        compile(
                                registry,
                                schemaPath(definition.eventType(), definition.eventVersion()),
                                definition.eventType() + " v" + definition.eventVersion())))
                .toList();
        return new SchemaCatalog(envelope, entries);
    }

    /** The classpath resource of the data schema of a pair, e.g. {@code .../schemas/order.created/v1.schema.json}. */
    public static String schemaPath(String eventType, int eventVersion) {
        return SCHEMA_ROOT + eventType + "/v" + eventVersion + ".schema.json";
    }

    /** The compiled envelope schema, which every message body must satisfy whatever its type. */
    public Schema envelopeSchema() {
        return envelopeSchema;
    }

    /** Every known pair, in catalogue order. */
    public List<Entry> entries() {
        return entries;
    }

    /** The known event types, in catalogue order. */
    public Set<String> eventTypes() {
        return byType.keySet();
    }

    /** The known versions of an event type, ascending; empty if the type is unknown. */
    public SortedSet<Integer> knownVersions(String eventType) {
        NavigableMap<Integer, Entry> versions = byType.get(eventType);
        return versions == null
                ? Collections.emptySortedSet()
                : Collections.unmodifiableSortedSet(new TreeSet<>(versions.keySet()));
    }

    /** The pair's entry, holding its data schema and record type; empty if the pair is unknown. */
    public Optional<Entry> find(String eventType, int eventVersion) {
        NavigableMap<Integer, Entry> versions = byType.get(eventType);
        return versions == null ? Optional.empty() : Optional.ofNullable(versions.get(eventVersion));
    }

    /** The pair's compiled data schema; empty if the pair is unknown. */
    public Optional<Schema> dataSchema(String eventType, int eventVersion) {
        return find(eventType, eventVersion).map(Entry::schema);
    }

    private static Schema compile(SchemaRegistry registry, String path, String what) {
        JsonNode node;
        try (InputStream in = SchemaCatalog.class.getClassLoader().getResourceAsStream(path)) {
            if (in == null) {
                throw new IllegalStateException("No JSON Schema for " + what + ": classpath resource " + path
                        + " is missing. Every catalogued event version needs one in common-contracts.");
            }
            node = Json.mapper().readTree(in);
        } catch (IOException e) {
            throw new UncheckedIOException("Could not read the JSON Schema " + path + " for " + what, e);
        } catch (JacksonException e) {
            throw new IllegalStateException(
                    "The JSON Schema " + path + " for " + what + " is not JSON: " + e.getOriginalMessage(), e);
        }
        try {
            Schema schema = registry.getSchema(SchemaLocation.of("classpath:" + path), node);
            schema.initializeValidators();
            return schema;
        } catch (RuntimeException e) {
            throw new IllegalStateException(
                    "The JSON Schema " + path + " for " + what + " is not a valid schema: " + e.getMessage(), e);
        }
    }
}
