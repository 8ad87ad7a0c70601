// Records custody steps: each moves a locked label through the lifecycle and writes, in the
// caller's transaction, the label change, its step, its ledger record and its audit entry.
// Labels' own actions and manifest actions both go through here.
//
// This is the hot path (a custody step per container per move), so its SQL is written out here as
// named prepared statements (see db/statements.ts), and a whole request's steps are written by one
// statement: label updates, step rows, batch codes and ledger records together.
import type { DbOrTx } from '../db/database.js';
import { labels } from '../db/schema.js';
import { run, selectList, statement } from '../db/statements.js';
import type { Command } from '../commands/unit-of-work.js';
import { AppError, invalid } from '../core/errors.js';
import { labelLifecycle, type LabelAction, type LabelState } from './label-lifecycle.js';
import type { LabelRow } from './label-view.js';
import { takeBatchCodesSql, type LedgerKind } from './ledger-codes.js';
import { shanghaiDate } from '../calendar/working-days.js';

/** A ledger record to write with a step; its batch code is assigned when the step is recorded. */
export interface LedgerEntry {
  orgId: string;
  kind: LedgerKind;
  facilityCode?: string | null;
  method?: string | null;
  counterpartyName?: string | null;
  manifestNumber?: string | null;
}

type LabelChanges = Partial<Pick<LabelRow, 'holderId' | 'holderRegionCode' | 'facilityId' | 'parentId' | 'openManifestId' | 'hasLeftGenerator' | 'heldSince'>>;

/** Issuing creates the label: its first step, from no state to the lifecycle's initial one. */
export const ISSUE = 'issue';

export interface CustodyStep {
  /** The label, locked (for `issue`: just inserted at version 0 with no step). */
  label: LabelRow;
  action: LabelAction | typeof ISSUE;
  /** Required where an action has more than one outcome; otherwise taken from the lifecycle. */
  to?: LabelState;
  /** The organisation taking the step. */
  orgId: string;
  occurredAt: Date;
  changes?: LabelChanges;
  facilityId?: string | null;
  method?: string | null;
  manifestId?: string | null;
  location?: { lat: number; lng: number } | null;
  details?: Record<string, unknown>;
  ledger?: LedgerEntry[];
}

const LOCK_LABEL = statement('custody_lock_label', `
  SELECT ${selectList(labels)} FROM labels WHERE id = $1 FOR UPDATE`);

/** A facility named in a step request, with what the step checks about it. */
export interface NamedFacility { id: string; orgId: string; kind: string; code: string; methods: string[] }

const LOCK_LABEL_WITH_FACILITY = statement('custody_lock_label_with_facility', `
  SELECT ${selectList(labels, 'l')},
         CASE WHEN f.id IS NULL THEN NULL
              ELSE json_build_object('id', f.id, 'orgId', f.org_id, 'kind', f.kind, 'code', f.code, 'methods', f.methods) END AS facility
  FROM labels l LEFT JOIN facilities f ON f.id = $2
  WHERE l.id = $1
  FOR UPDATE OF l`);

// ORDER BY with FOR UPDATE locks the rows in id order.
const LOCK_LABELS = statement('custody_lock_labels', `
  SELECT ${selectList(labels)} FROM labels WHERE id = ANY($1::uuid[]) ORDER BY id FOR UPDATE`);

/** Locks labels for update, in id order so concurrent steps on overlapping sets cannot deadlock. */
export async function lockLabels(tx: DbOrTx, ids: string[]): Promise<LabelRow[]> {
  if (ids.length === 0) return [];
  return run<LabelRow>(tx, LOCK_LABELS, [ids]);
}

export async function lockLabel(tx: DbOrTx, id: string): Promise<LabelRow | undefined> {
  const [row] = await run<LabelRow>(tx, LOCK_LABEL, [id]);
  return row;
}

/**
 * Locks a label and, in the same round trip, reads the facility a step request names (null when
 * absent or unknown); whether the facility fits the step is the caller's to check.
 */
export async function lockLabelWithFacility(tx: DbOrTx, id: string, facilityId: string | undefined) {
  const [row] = await run<LabelRow & { facility: NamedFacility | null }>(tx, LOCK_LABEL_WITH_FACILITY, [id, facilityId ?? null]);
  if (!row) return { label: undefined, facility: null };
  const { facility, ...label } = row;
  return { label: label as LabelRow, facility };
}

// One statement for all steps of a request. Its inputs are column arrays (one element per step,
// one per ledger entry), unnested into the relations `step` and `entry`.
// - `moved` updates each label only if it is still at the version the caller locked; it sets every
//   column a step may change, with the values the caller computed from the locked row.
// - `recorded` writes a step for each moved label, in step order (ids follow that order).
// - `coded` takes one batch code per organisation, kind and day for the whole request.
// - the ledger records join the three.
// The statement returns the moved labels' ids: a label missing from them was not at its version.
const WRITE_STEPS = statement('custody_write_steps', `
  WITH step AS (
    SELECT * FROM unnest(
      $1::uuid[], $2::int[], $3::text[], $4::text[], $5::text[], $6::timestamptz[],
      $7::uuid[], $8::text[], $9::uuid[], $10::uuid[], $11::uuid[], $12::bool[], $13::timestamptz[],
      $14::uuid[], $15::uuid[], $16::uuid[], $17::text[], $18::float8[], $19::float8[], $20::jsonb[], $31::int[]
    ) WITH ORDINALITY AS s(
      label_id, version, action, from_state, to_state, occurred_at,
      holder_id, holder_region_code, label_facility_id, parent_id, open_manifest_id, has_left_generator, held_since,
      org_id, manifest_id, facility_id, method, lat, lng, details, seq, n)
  ),
  moved AS (
    UPDATE labels l SET
      state = s.to_state, version = s.version + 1, last_step_at = s.occurred_at,
      holder_id = s.holder_id, holder_region_code = s.holder_region_code, facility_id = s.label_facility_id,
      parent_id = s.parent_id, open_manifest_id = s.open_manifest_id, has_left_generator = s.has_left_generator,
      held_since = s.held_since, step_count = s.seq
    FROM step s
    WHERE l.id = s.label_id AND l.version = s.version
    RETURNING l.id, l.waste_code, l.waste_name, l.category, l.physical_form, l.quantity_kg, l.digital_code
  ),
  recorded AS (
    INSERT INTO label_steps (label_id, seq, action, from_state, to_state, org_id, client_id, manifest_id,
                             facility_id, method, lat, lng, occurred_at, request_id, details)
    SELECT s.label_id, s.seq, s.action, s.from_state, s.to_state, s.org_id, $21::text, s.manifest_id,
           s.facility_id, s.method, s.lat, s.lng, s.occurred_at, $22::text, s.details
    FROM step s JOIN moved m ON m.id = s.label_id
    ORDER BY s.n
    RETURNING id, label_id
  ),
  entry AS (
    SELECT * FROM unnest($23::uuid[], $24::uuid[], $25::text[], $26::date[], $27::text[], $28::text[], $29::text[], $30::text[])
      WITH ORDINALITY AS e(label_id, org_id, kind, day, facility_code, method, counterparty_name, manifest_number, n)
  ),
  coded AS (${takeBatchCodesSql('entry')}),
  ledger AS (
    INSERT INTO ledger_records (org_id, label_id, step_id, kind, batch_code, occurred_at, waste_code, waste_name, category,
                                physical_form, quantity_kg, digital_code, facility_code, method, counterparty_name,
                                manifest_number, operator_client_id)
    SELECT e.org_id, e.label_id, r.id, e.kind, c.batch_code, s.occurred_at, m.waste_code, m.waste_name, m.category,
           m.physical_form, m.quantity_kg, m.digital_code, e.facility_code, e.method, e.counterparty_name,
           e.manifest_number, $21::text
    FROM entry e
    JOIN step s ON s.label_id = e.label_id
    JOIN moved m ON m.id = e.label_id
    JOIN recorded r ON r.label_id = e.label_id
    JOIN coded c ON c.org_id = e.org_id AND c.kind = e.kind AND c.day = e.day
    ORDER BY e.n
  )
  SELECT id FROM moved`);

/** The label_steps row of a step, as written and as shown in its audit entry. */
function stepRow(s: CustodyStep, from: LabelState | null, to: LabelState, seq: number, clientId: string, requestId: string) {
  return {
    labelId: s.label.id,
    seq,
    action: s.action,
    fromState: from,
    toState: to,
    orgId: s.orgId,
    clientId,
    manifestId: s.manifestId ?? null,
    facilityId: s.facilityId ?? null,
    method: s.method ?? null,
    lat: s.location?.lat ?? null,
    lng: s.location?.lng ?? null,
    occurredAt: s.occurredAt,
    requestId,
    details: s.details ?? {},
  };
}

/** Column arrays for unnest(): one array per picked field, one element per row. */
function columns<T>(rows: T[], ...pick: Array<(r: T) => unknown>): unknown[][] {
  return pick.map((f) => rows.map(f));
}

export async function recordCustodySteps(cmd: Command, steps: CustodyStep[]): Promise<LabelRow[]> {
  const { tx, actor } = cmd;
  const { clientId } = actor.caller;
  if (steps.length === 0) return [];

  const planned = steps.map((s) => {
    const issuing = s.action === ISSUE;
    const from = issuing ? null : s.label.state as LabelState;
    const to = issuing ? labelLifecycle.initial : labelLifecycle.transition(from!, s.action as LabelAction, s.to);
    if (s.occurredAt < s.label.lastStepAt) {
      throw invalid(`occurredAt is before the last step of container ${s.label.digitalCode} (${s.label.lastStepAt.toISOString()})`,
        [{ path: 'body.occurredAt', message: 'before the previous step' }]);
    }
    const version = s.label.version + 1;
    const seq = s.label.stepCount + 1;
    // The label is locked by the caller and the update is version-checked, so the row after the
    // step is the locked row with the step's changes: no need to read it back.
    const updated: LabelRow = { ...s.label, ...s.changes, state: to, version, stepCount: seq, lastStepAt: s.occurredAt };
    return { s, updated, step: stepRow(s, from, to, seq, clientId, actor.requestId) };
  });
  const entries = planned.flatMap(({ s }) => (s.ledger ?? []).map((entry) => ({ entry, s })));

  const moved = await run<{ id: string }>(tx, WRITE_STEPS, [
    ...columns(planned,
      (p) => p.s.label.id, (p) => p.s.label.version, (p) => p.s.action, (p) => p.step.fromState, (p) => p.step.toState,
      (p) => p.s.occurredAt.toISOString(),
      (p) => p.updated.holderId, (p) => p.updated.holderRegionCode, (p) => p.updated.facilityId, (p) => p.updated.parentId,
      (p) => p.updated.openManifestId, (p) => p.updated.hasLeftGenerator, (p) => p.updated.heldSince.toISOString(),
      (p) => p.s.orgId, (p) => p.step.manifestId, (p) => p.step.facilityId, (p) => p.step.method, (p) => p.step.lat,
      (p) => p.step.lng, (p) => JSON.stringify(p.step.details)),
    clientId,
    actor.requestId,
    ...columns(entries,
      (e) => e.s.label.id, (e) => e.entry.orgId, (e) => e.entry.kind, (e) => shanghaiDate(e.s.occurredAt),
      (e) => e.entry.facilityCode ?? null, (e) => e.entry.method ?? null, (e) => e.entry.counterpartyName ?? null,
      (e) => e.entry.manifestNumber ?? null),
    planned.map((p) => p.step.seq),
  ]);
  if (moved.length !== steps.length) {
    // The rows were locked by the caller; a version mismatch means they were not, which is a bug.
    const ids = new Set(moved.map((m) => m.id));
    const stale = steps.find((s) => !ids.has(s.label.id)) ?? steps[steps.length - 1];
    throw new AppError('VERSION_CONFLICT', `Label ${stale.label.digitalCode} changed concurrently; retry`);
  }

  await cmd.audit(...planned.map(({ s, updated, step }) => ({
    chain: s.label.regionCode,
    entityType: 'label',
    entityId: s.label.id,
    action: s.action,
    before: step.fromState === null ? null : { state: s.label.state, version: s.label.version, holderId: s.label.holderId },
    after: {
      state: updated.state, version: updated.version, holderId: updated.holderId, step,
      ...(step.fromState === null ? { digitalCode: updated.digitalCode, wasteCode: updated.wasteCode, quantityKg: updated.quantityKg } : {}),
    },
  })));
  return planned.map((p) => p.updated);
}
