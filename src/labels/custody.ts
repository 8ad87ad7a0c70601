// Records custody steps: each moves a locked label through the lifecycle and writes, in the
// caller's transaction, the label change, its step, its ledger record and its audit entry.
// Labels' own actions and manifest actions both go through here.
import { and, eq, inArray } from 'drizzle-orm';
import type { DbOrTx } from '../db/database.js';
import { labels, labelSteps, ledgerRecords } from '../db/schema.js';
import type { Command } from '../http/command.js';
import { AppError, invalid } from '../http/errors.js';
import { labelLifecycle, type LabelAction, type LabelState } from './label-lifecycle.js';
import type { LabelRow } from './label-view.js';
import { nextBatchCode, type LedgerKind } from './ledger-codes.js';
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

export interface CustodyStep {
  label: LabelRow;
  action: LabelAction;
  /** Required where an action has more than one outcome; otherwise taken from the lifecycle. */
  to?: LabelState;
  /** The organisation taking the step. */
  orgId: string;
  occurredAt: Date;
  changes?: Partial<Pick<LabelRow, 'holderId' | 'holderRegionCode' | 'facilityId' | 'parentId' | 'openManifestId' | 'hasLeftGenerator' | 'heldSince'>>;
  facilityId?: string | null;
  method?: string | null;
  manifestId?: string | null;
  location?: { lat: number; lng: number } | null;
  details?: Record<string, unknown>;
  ledger?: LedgerEntry[];
}

/** Locks labels for update, in id order so concurrent steps on overlapping sets cannot deadlock. */
export async function lockLabels(tx: DbOrTx, ids: string[]): Promise<LabelRow[]> {
  if (ids.length === 0) return [];
  return tx.select().from(labels).where(inArray(labels.id, [...ids].sort())).orderBy(labels.id).for('update');
}

export async function lockLabel(tx: DbOrTx, id: string): Promise<LabelRow | undefined> {
  const [row] = await tx.select().from(labels).where(eq(labels.id, id)).for('update');
  return row;
}

export async function recordCustodySteps(cmd: Command, steps: CustodyStep[]): Promise<LabelRow[]> {
  const { tx, actor } = cmd;
  const updated: LabelRow[] = [];
  const stepRows: (typeof labelSteps.$inferInsert)[] = [];
  const pendingLedger: Array<{ entry: LedgerEntry; label: LabelRow; stepIndex: number; occurredAt: Date }> = [];

  for (const s of steps) {
    const from = s.label.state as LabelState;
    const to = labelLifecycle.transition(from, s.action, s.to);
    if (s.occurredAt < s.label.lastStepAt) {
      throw invalid(`occurredAt is before the last step of container ${s.label.digitalCode} (${s.label.lastStepAt.toISOString()})`,
        [{ path: 'body.occurredAt', message: 'before the previous step' }]);
    }
    const version = s.label.version + 1;
    const [row] = await tx.update(labels)
      .set({ ...s.changes, state: to, version, lastStepAt: s.occurredAt })
      .where(and(eq(labels.id, s.label.id), eq(labels.version, s.label.version)))
      .returning();
    // The row was locked by the caller; a version mismatch means it was not, which is a bug.
    if (!row) throw new AppError('VERSION_CONFLICT', `Label ${s.label.digitalCode} changed concurrently; retry`);
    updated.push(row);
    stepRows.push({
      labelId: row.id,
      seq: version,
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
      details: s.details ?? {},
    });
    for (const entry of s.ledger ?? []) pendingLedger.push({ entry, label: row, stepIndex: stepRows.length - 1, occurredAt: s.occurredAt });
  }

  const inserted = stepRows.length ? await tx.insert(labelSteps).values(stepRows).returning({ id: labelSteps.id }) : [];
  if (pendingLedger.length) {
    // One batch code per organisation, kind and day for the whole request, taken as late as possible:
    // the counter row stays locked until commit, and every step of that organisation needs it.
    const keyOf = (p: (typeof pendingLedger)[number]) => `${p.entry.orgId}|${p.entry.kind}|${shanghaiDate(p.occurredAt)}`;
    const codes = new Map<string, string>();
    for (const key of [...new Set(pendingLedger.map(keyOf))].sort()) {
      const [orgId, kind, day] = key.split('|');
      codes.set(key, await nextBatchCode(tx, orgId, kind as LedgerKind, day));
    }
    await tx.insert(ledgerRecords).values(pendingLedger.map((p) => {
      const { entry, label, stepIndex, occurredAt } = p;
      return {
        orgId: entry.orgId,
        labelId: label.id,
        stepId: inserted[stepIndex].id,
        kind: entry.kind,
        batchCode: codes.get(keyOf(p))!,
        occurredAt,
        wasteCode: label.wasteCode,
        wasteName: label.wasteName,
        category: label.category,
        physicalForm: label.physicalForm,
        quantityKg: label.quantityKg,
        digitalCode: label.digitalCode,
        facilityCode: entry.facilityCode ?? null,
        method: entry.method ?? null,
        counterpartyName: entry.counterpartyName ?? null,
        manifestNumber: entry.manifestNumber ?? null,
        operatorClientId: actor.caller.clientId,
      };
    }));
  }
  await cmd.audit(...steps.map((s, i) => ({
    chain: s.label.regionCode,
    entityType: 'label',
    entityId: s.label.id,
    action: s.action,
    before: { state: s.label.state, version: s.label.version, holderId: s.label.holderId },
    after: { state: updated[i].state, version: updated[i].version, holderId: updated[i].holderId, step: stepRows[i] },
  })));
  return updated;
}
