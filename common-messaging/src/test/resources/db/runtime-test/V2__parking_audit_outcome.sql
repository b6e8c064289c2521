-- A replay that stops part-way (no rate-limit permit in time, a copy the broker did not take, a parked row that cannot
-- be rebuilt) is recorded too: with how many it replayed before it stopped, and why.
ALTER TABLE parking_audit
    ADD COLUMN outcome text NOT NULL DEFAULT 'COMPLETE' CHECK (outcome IN ('COMPLETE', 'THROTTLED', 'FAILED')),
    ADD COLUMN detail  text;
