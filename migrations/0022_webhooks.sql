-- Signed webhooks (docs/events.md#webhooks): regulators' subscriptions to the event stream, the
-- relay's cursor and retry state per subscription, and the log of every delivery attempt. The jobs
-- that deliver are graphile-worker's (schema graphile_worker, installed by src/jobs/ at start).
CREATE TABLE webhook_subscriptions (
  id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  -- The regulator that owns it; its jurisdiction bounds region_prefix.
  org_id uuid NOT NULL REFERENCES organisations(id),
  url text NOT NULL,
  -- Empty: every type of the catalogue.
  event_types text[] NOT NULL DEFAULT '{}',
  region_prefix text NOT NULL,
  contact text,
  state text NOT NULL DEFAULT 'active' CHECK (state IN ('active', 'paused')),
  -- Why it is paused: 'manual' (PATCH) or 'failing' (deliveries failed for WEBHOOK_PAUSE_AFTER_HOURS).
  paused_reason text CHECK (paused_reason IN ('manual', 'failing')),
  -- Signing secrets, AES-256-GCM encrypted with WEBHOOK_SECRET_KEY (src/webhooks/secret-box.ts).
  secret_enc text NOT NULL,
  -- The secret replaced by the last rotation; deliveries are signed with it too until previous_secret_until.
  previous_secret_enc text,
  previous_secret_until timestamptz,
  -- The relay's place in the feed order (events.txid, events.position): every event up to it was
  -- delivered, dead-lettered or is outside the subscription's filters.
  cursor_txid xid8 NOT NULL,
  cursor_position bigint NOT NULL DEFAULT 0,
  -- The event that failed last and blocks the subscription until it succeeds or is dead-lettered.
  failing_event_id uuid,
  failing_attempts integer NOT NULL DEFAULT 0,
  next_attempt_at timestamptz,
  -- Since when every attempt failed (NULL after a success): drives the automatic pause.
  failing_since timestamptz,
  version integer NOT NULL DEFAULT 1,
  -- Milliseconds, as JavaScript keeps them: list cursors carry these times.
  created_at timestamptz NOT NULL DEFAULT date_trunc('milliseconds', clock_timestamp()),
  updated_at timestamptz NOT NULL DEFAULT now()
);
--> statement-breakpoint
CREATE INDEX webhook_subscriptions_org_idx ON webhook_subscriptions (org_id, created_at, id);
--> statement-breakpoint
CREATE INDEX webhook_subscriptions_active_idx ON webhook_subscriptions (id) WHERE state = 'active';
--> statement-breakpoint
CREATE TABLE webhook_deliveries (
  id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  subscription_id uuid NOT NULL REFERENCES webhook_subscriptions(id) ON DELETE CASCADE,
  event_id uuid NOT NULL,
  event_type text NOT NULL,
  -- 1, 2, … per event and subscription; manual redeliveries continue the count.
  attempt integer NOT NULL,
  -- succeeded (2xx), failed (will be retried, or was a manual redelivery), dead (last attempt: dead-lettered).
  status text NOT NULL CHECK (status IN ('succeeded', 'failed', 'dead')),
  manual boolean NOT NULL DEFAULT false,
  response_status integer,
  latency_ms integer NOT NULL,
  error text,
  -- Milliseconds, as JavaScript keeps them: the log's cursor carries this time.
  attempted_at timestamptz NOT NULL DEFAULT date_trunc('milliseconds', clock_timestamp())
);
--> statement-breakpoint
CREATE INDEX webhook_deliveries_log_idx ON webhook_deliveries (subscription_id, attempted_at DESC, id DESC);
--> statement-breakpoint
CREATE INDEX webhook_deliveries_event_idx ON webhook_deliveries (subscription_id, event_id);
