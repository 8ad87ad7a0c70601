-- The alerts the alert sweep (src/supervision/alert-sweep.ts) has seen open, so that it writes an
-- `alert.opened` event when an alert appears and an `alert.closed` event when it goes away, once
-- each (docs/events.md#alert-events). One row per alert (type + entity): an alert that closes and
-- later opens again reuses its row (opened_at moves on, closed_at is cleared).
CREATE TABLE alert_states (
  alert_type text NOT NULL,
  entity_type text NOT NULL,
  entity_id text NOT NULL,
  -- The alert's region (whose regulator is told) and owner, as the alert last showed them.
  region_code text NOT NULL,
  org_id text,
  opened_at timestamptz NOT NULL,
  -- NULL while the alert is open.
  closed_at timestamptz,
  -- The alert as GET /api/v1/supervision/alerts last showed it: the data of its `alert.closed` event.
  alert jsonb NOT NULL,
  PRIMARY KEY (alert_type, entity_type, entity_id)
);
--> statement-breakpoint
-- Every sweep reads the open alerts only; closed ones pile up over the years.
CREATE INDEX alert_states_open_idx ON alert_states (alert_type, entity_type, entity_id) WHERE closed_at IS NULL;
