// The event stream of the generated city. In the service the trigger audit_entries_event
// (migrations/0024_event_trigger.sql) writes one event per applied audit entry, in the change's
// transaction. Fired row by row on the COPY of ten years of audit entries it would look up a label
// or build a manifest's image for every entry, on tables whose indexes are dropped for the load;
// so the trigger is switched off for the load and the events are written afterwards in one
// INSERT … SELECT with the trigger's own mapping (same types, regions, audit_seq, occurred_at, and
// nothing for refusals, clients or webhook subscriptions).
//
// One difference, stated in docs/benchmark.md: the trigger stores the aggregate as the change left
// it, while here every event of a label or manifest carries its final state (the generator does
// not keep each version's row), so old events' snapshots are newer than their change. All events
// share the loading transaction's txid, so the feed's order (txid, position) is audit order.
import type pg from 'pg';

const TRIGGER = 'audit_entries_event';

export async function pauseEventTrigger(db: pg.ClientBase): Promise<void> {
  await db.query(`ALTER TABLE audit_entries DISABLE TRIGGER ${TRIGGER}`);
}

/** Writes the events of every applied audit entry (run once the indexes are back), then re-enables the trigger. */
export async function writeEvents(db: pg.ClientBase): Promise<number> {
  await db.query('ANALYZE audit_entries, labels, manifests, manifest_labels, manifest_carriers, manifest_official_numbers');
  const { rowCount } = await db.query(`
    WITH manifest_images AS MATERIALIZED (
      SELECT m.id::text AS id, manifest_snapshot(m.id) AS snap FROM manifests m
    )
    INSERT INTO events (type, aggregate_type, aggregate_id, region_code, other_region_code, occurred_at, audit_seq, snapshot)
    SELECT a.entity_type || '.' || a.action, a.entity_type, a.entity_id, a.chain,
           CASE WHEN a.entity_type = 'manifest' THEN nullif(mi.snap #>> '{m,receiver_region_code}', a.chain) END,
           a.recorded_at, a.seq,
           CASE a.entity_type WHEN 'label' THEN to_jsonb(l) WHEN 'manifest' THEN mi.snap ELSE a.after END
    FROM audit_entries a
    LEFT JOIN labels l ON a.entity_type = 'label' AND l.id::text = a.entity_id
    LEFT JOIN manifest_images mi ON a.entity_type = 'manifest' AND mi.id = a.entity_id
    WHERE a.outcome = 'applied' AND a.entity_type NOT IN ('client', 'webhook_subscription')
    ORDER BY a.seq`);
  await db.query(`ALTER TABLE audit_entries ENABLE TRIGGER ${TRIGGER}`);
  return rowCount ?? 0;
}
