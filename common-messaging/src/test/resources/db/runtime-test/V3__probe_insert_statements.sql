-- Which INSERT statements wrote probe_effects: a statement-level trigger records the event ids each one inserted, in
-- the order it inserted them, so that a test tells one multi-row insert per batch from one insert per delivery.
CREATE TABLE probe_insert_statements (
    id        bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    event_ids uuid[] NOT NULL
);

CREATE FUNCTION probe_insert_statement() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO probe_insert_statements (event_ids) SELECT array_agg(event_id ORDER BY id) FROM inserted;
    RETURN NULL;
END
$$;

CREATE TRIGGER probe_effects_statements AFTER INSERT ON probe_effects
    REFERENCING NEW TABLE AS inserted FOR EACH STATEMENT EXECUTE FUNCTION probe_insert_statement();
