-- The event stream (docs/events.md): one event per applied audit entry, written by a trigger on
-- audit_entries (migration 0024, once every table the images read exists), so an event exists if
-- and only if the change it describes committed (both are in the change's transaction), whichever
-- code path made the change, the one-statement custody step included. Alert events are written by
-- the alert sweep itself.
CREATE TABLE events (
  -- Insert order. Orders the events of one aggregate (its writers hold the aggregate's row lock).
  position bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  id uuid NOT NULL DEFAULT gen_random_uuid(),
  -- The writing transaction: the feed lists events by (txid, position) and only those of
  -- transactions older than every transaction still running, so an event committed late by a long
  -- transaction is never skipped by a reader that already went past later ones.
  txid xid8 NOT NULL DEFAULT pg_current_xact_id(),
  type text NOT NULL,
  aggregate_type text NOT NULL,
  aggregate_id text NOT NULL,
  -- The region whose regulator sees the event (the aggregate owner's home region), and for a
  -- manifest the receiver's region too.
  region_code text NOT NULL,
  other_region_code text,
  occurred_at timestamptz NOT NULL,
  audit_seq bigint,
  -- The aggregate's row(s) at this version, rendered to the public representation when read.
  snapshot jsonb
);
--> statement-breakpoint
CREATE UNIQUE INDEX events_id_uq ON events (id);
--> statement-breakpoint
CREATE INDEX events_commit_order_idx ON events (txid, position);
--> statement-breakpoint
CREATE INDEX events_aggregate_idx ON events (aggregate_type, aggregate_id, position);
