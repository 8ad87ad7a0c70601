// Records custody steps: each moves a label through the lifecycle and writes the label change, its
// step, its ledger record and its audit entry. Labels' own actions and manifest actions both go
// through here, on one of two paths (docs/architecture.md#one-statement-steps):
// - recordCustodySteps: in the caller's transaction, on labels it locked (steps that must read or
//   write more than the labels, e.g. a receipt with its manifest);
// - applyCustodySteps: the whole request as one statement in autocommit (custody_apply), on labels
//   read without a lock; the statement refuses a label that moved since, and the caller re-reads.
// The SQL lives in database functions (migrations/0005) run through named prepared statements.
import type { DbOrTx } from '../db/database.js';
import { labels } from '../db/schema.js';
import { run, selectList, statement } from '../db/statements.js';
import type { Actor, Command } from '../commands/unit-of-work.js';
import type { IdempotentAnswer } from '../commands/one-statement.js';
import type { Idempotency, StoredRow } from '../commands/unit-of-work.js';
import { auditColumns, type AuditInput } from '../audit/trail.js';
import { statementRefusal } from '../commands/one-statement.js';
import { AppError, invalid } from '../core/errors.js';
import { labelLifecycle, type LabelAction, type LabelState } from './label-lifecycle.js';
import type { LabelRow } from './label-view.js';
import type { LedgerKind } from './ledger-codes.js';
import { shanghaiDate } from '../calendar/working-days.js';
import { requireHandledBy } from '../commands/handled-by.js';

/** A ledger record to write with a step; its batch code is assigned when the step is recorded. */
export interface LedgerEntry {
  orgId: string;
  kind: LedgerKind;
  facilityCode?: string | null;
  method?: string | null;
  counterpartyName?: string | null;
  manifestNumber?: string | null;
  /** The quantity the record states when it is not the label's declared one: a receiver's measured weight. */
  quantityKg?: number | null;
  /** 去向 of a generation record (ledger-codes.ts DESTINATIONS). */
  destination?: string | null;
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

const labelWithFacility = (lock: string) => `
  SELECT ${selectList(labels, 'l')},
         CASE WHEN f.id IS NULL THEN NULL
              ELSE json_build_object('id', f.id, 'orgId', f.org_id, 'kind', f.kind, 'code', f.code, 'methods', f.methods) END AS facility
  FROM labels l LEFT JOIN facilities f ON f.id = $2
  WHERE l.id = $1 ${lock}`;
const LOCK_LABEL_WITH_FACILITY = statement('custody_lock_label_with_facility', labelWithFacility('FOR UPDATE OF l'));

// The one-statement path's read: the label, the facility, and the client's Idempotency-Key row
// (a retry is answered from it without a second round trip).
const READ_FOR_STEP = statement('custody_read_for_step', `
  SELECT lf.*, idem.stored FROM (SELECT 1) one
  LEFT JOIN (${labelWithFacility('')}) lf ON true
  LEFT JOIN LATERAL (
    SELECT json_build_object('request_hash', k.request_hash, 'status_code', k.status_code, 'body', k.body, 'headers', k.headers) AS stored
    FROM idempotency_keys k
    WHERE k.client_id = $3 AND k.key = $4 AND k.created_at > now() - make_interval(hours => $5)
  ) idem ON true`);

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

// The step writer (custody_write_steps, migrations/0005): label updates, step rows, batch codes and
// ledger records of a request together. Returns the ids of the labels that were at their version.
const STEP_PARAMS = Array.from({ length: 35 }, (_, i) => `$${i + 1}`).join(', ');
const WRITE_STEPS = statement('custody_write_steps', `SELECT id FROM custody_write_steps(${STEP_PARAMS}) AS id`);

// The one-statement path: the same writer, the audit entries and the Idempotency-Key's answer.
const APPLY_STEPS = statement('custody_apply', `
  SELECT custody_apply(${STEP_PARAMS}, ${Array.from({ length: 13 }, (_, i) => `$${i + 36}`).join(', ')})`);

/** The label_steps row of a step, as written and as shown in its audit entry. */
function stepRow(s: CustodyStep, from: LabelState | null, to: LabelState, seq: number, actor: Actor) {
  // The handler's name goes with the step (and its audit entry); their document number only to the ledger.
  const handledBy = actor.handledBy ? { handledBy: actor.handledBy.name } : {};
  return {
    labelId: s.label.id,
    seq,
    action: s.action,
    fromState: from,
    toState: to,
    orgId: s.orgId,
    clientId: actor.caller.clientId,
    manifestId: s.manifestId ?? null,
    facilityId: s.facilityId ?? null,
    method: s.method ?? null,
    lat: s.location?.lat ?? null,
    lng: s.location?.lng ?? null,
    occurredAt: s.occurredAt,
    requestId: actor.requestId,
    details: { ...s.details, ...handledBy },
  };
}

/**
 * Reads (without a lock) a label, the facility a step request names, and the stored answer to the
 * client's Idempotency-Key, in one round trip.
 */
export async function readLabelForStep(db: DbOrTx, id: string, facilityId: string | undefined, clientId: string, idem?: Idempotency) {
  const [row] = await run<LabelRow & { id: string | null; facility: NamedFacility | null; stored: StoredRow | null }>(
    db, READ_FOR_STEP, [id, facilityId ?? null, clientId, idem?.key ?? null, idem?.ttlHours ?? 0]);
  const { facility, stored, ...label } = row;
  return { label: label.id ? label as LabelRow : undefined, facility, stored };
}

/** Column arrays for unnest(): one array per picked field, one element per row. */
function columns<T>(rows: T[], ...pick: Array<(r: T) => unknown>): unknown[][] {
  return pick.map((f) => rows.map(f));
}

/** The steps as written: the rows after them, their step rows, statement parameters and audit entries. */
function planSteps(actor: Actor, steps: CustodyStep[]) {
  requireHandledBy(actor);
  const { clientId } = actor.caller;
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
    // The write is version-checked against the row the step was planned on, so the row after the
    // step is that row with the step's changes: no need to read it back.
    const updated: LabelRow = { ...s.label, ...s.changes, state: to, version, stepCount: seq, lastStepAt: s.occurredAt };
    return { s, updated, step: stepRow(s, from, to, seq, actor) };
  });
  const entries = planned.flatMap(({ s }) => (s.ledger ?? []).map((entry) => ({ entry, s })));
  const params = [
    ...columns(planned,
      (p) => p.s.label.id, (p) => p.s.label.version, (p) => p.s.action, (p) => p.step.fromState, (p) => p.step.toState,
      (p) => p.s.occurredAt.toISOString(),
      (p) => p.updated.holderId, (p) => p.updated.holderRegionCode, (p) => p.updated.facilityId, (p) => p.updated.parentId,
      (p) => p.updated.openManifestId, (p) => p.updated.hasLeftGenerator, (p) => p.updated.heldSince.toISOString(),
      (p) => p.s.orgId, (p) => p.step.manifestId, (p) => p.step.facilityId, (p) => p.step.method, (p) => p.step.lat,
      (p) => p.step.lng, (p) => JSON.stringify(p.step.details), (p) => p.step.seq),
    clientId,
    actor.requestId,
    ...columns(entries,
      (e) => e.s.label.id, (e) => e.entry.orgId, (e) => e.entry.kind, (e) => shanghaiDate(e.s.occurredAt),
      (e) => e.entry.facilityCode ?? null, (e) => e.entry.method ?? null, (e) => e.entry.counterpartyName ?? null,
      (e) => e.entry.manifestNumber ?? null, (e) => e.entry.quantityKg ?? null, (e) => e.entry.destination ?? null),
    actor.handledBy?.name ?? null,
    actor.handledBy?.idNumber ?? null,
  ];
  const audit = planned.map(({ s, updated, step }): AuditInput => ({
    chain: s.label.regionCode,
    entityType: 'label',
    entityId: s.label.id,
    action: s.action,
    before: step.fromState === null ? null : { state: s.label.state, version: s.label.version, holderId: s.label.holderId },
    after: {
      state: updated.state, version: updated.version, holderId: updated.holderId, step,
      ...(step.fromState === null ? { digitalCode: updated.digitalCode, wasteCode: updated.wasteCode, quantityKg: updated.quantityKg } : {}),
    },
  }));
  return { updated: planned.map((p) => p.updated), params, audit };
}

const staleLabel = (steps: CustodyStep[], moved: Set<string>) => {
  const stale = steps.find((s) => !moved.has(s.label.id)) ?? steps[steps.length - 1];
  return new AppError('VERSION_CONFLICT', `Label ${stale.label.digitalCode} changed concurrently; retry`);
};

/** Writes steps on labels the caller locked, in its transaction; the audit entries go with its others. */
export async function recordCustodySteps(cmd: Command, steps: CustodyStep[]): Promise<LabelRow[]> {
  if (steps.length === 0) return [];
  const { updated, params, audit } = planSteps(cmd.actor, steps);
  const moved = await run<{ id: string }>(cmd.tx, WRITE_STEPS, params);
  // The rows were locked by the caller; a version mismatch means they were not, which is a bug.
  if (moved.length !== steps.length) throw staleLabel(steps, new Set(moved.map((m) => m.id)));
  await cmd.audit(...audit);
  return updated;
}

/**
 * Steps planned on labels read without a lock: the rows after them, and the one statement that
 * writes them with their audit entries and the answer to an Idempotency-Key. The statement throws
 * RowMoved when a label is no longer at the version it was read at (nothing was written: the
 * caller reads again and re-checks), and KeyTaken when the key was claimed before.
 */
export function prepareCustodySteps(actor: Actor, steps: CustodyStep[]) {
  const { updated, params, audit } = planSteps(actor, steps);
  return {
    updated,
    async apply(db: DbOrTx, idem: IdempotentAnswer | null): Promise<void> {
      try {
        await run(db, APPLY_STEPS, [
          ...params, ...auditColumns(audit), actor.caller.orgId,
          idem?.key ?? null, idem?.requestHash ?? null, idem?.ttlHours ?? null,
          idem?.status ?? null, idem ? JSON.stringify(idem.body) : null, idem ? JSON.stringify(idem.headers) : null,
        ]);
      } catch (e) {
        throw statementRefusal(e) ?? e;
      }
    },
  };
}
