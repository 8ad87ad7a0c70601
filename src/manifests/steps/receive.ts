// 接收: the receiver weighs every container and accepts or refuses each. Accepted ones become the
// receiver's (入库 in its ledger); a refused one, or a weight off by more than WEIGHT_TOLERANCE_PCT,
// makes the manifest discrepant, as does any mismatch of name, quantity, characteristics, form or
// packaging the receiver reports (Art. 18); all refused rejects the manifest. A return manifest
// received back by its generator completes at once: nothing of it is left to treat under it.
import { and, eq, sql } from 'drizzle-orm';
import { manifestLabels, organisations } from '../../db/schema.js';
import { invalid, ruleViolation } from '../../core/errors.js';
import { lockLabels, recordCustodySteps, type CustodyStep } from '../../labels/custody.js';
import type { ManifestActionInput } from '../schemas.js';
import { DRIVER_ROLES } from './carriage.js';
import { required } from '../../core/required.js';
import type { ManifestStep } from './manifest-step.js';
import { offTolerance } from '../weight-discrepancy.js';
import { receiptTimeliness } from '../receipt-timeliness.js';
import { checkMismatchNotes, hasMismatch } from '../receipt-mismatches.js';
import { externalReceiptVia } from '../external-receipt.js';
import { consumeApproval } from '../cross-province.js';

type ReceiptItem = NonNullable<ManifestActionInput['items']>[number];

const kgOf = (q: ReceiptItem['measuredQuantity']) => (q.unit === 't' ? q.value * 1000 : q.value);

export const receive: ManifestStep = {
  action: 'receive',
  roles: DRIVER_ROLES,
  async plan({ cmd, settings, caller, loaded: { m, items }, input, occurredAt, generator }) {
    const { tx } = cmd;
    const via = await externalReceiptVia(tx, caller, m);
    const receipt = required(input.items, 'items');
    const byLabel = new Map(receipt.map((r) => [r.labelId, r]));
    const expected = new Set(items.map((i) => i.labelId));
    const missing = items.filter((i) => !byLabel.has(i.labelId)).map((i) => i.labelId);
    const extra = receipt.map((r) => r.labelId).filter((lid) => !expected.has(lid));
    if (missing.length || extra.length || byLabel.size !== receipt.length) {
      throw ruleViolation('receipt_items', 'The receipt must list every container of the manifest exactly once', { missing, extra });
    }
    receipt.forEach((r, i) => {
      if (!r.accepted && !r.refusalReason?.trim()) throw invalid('A refused container needs a refusalReason', [{ path: `body.items.${i}.refusalReason`, message: 'required when refused' }]);
    });
    checkMismatchNotes(receipt);
    // now(): the transaction's time, which the receive step's recorded_at also takes (receipt-timeliness.ts).
    const [{ receiver, now }] = await tx.select({ receiver: organisations, now: sql<Date>`now()` }).from(organisations)
      .where(eq(organisations.id, m.receiverId));
    const backToGenerator = m.kind === 'return' && m.receiverId === m.generatorId;
    // Whom the receipt's ledger record names: a returned container comes from the receiver that refused it.
    const [from] = backToGenerator ? await tx.select().from(organisations).where(eq(organisations.id, m.returnFromId!)) : [generator];
    const declaredKg = new Map(items.map((i) => [i.labelId, i.declaredKg]));
    const discrepant = receipt.some((r) => !r.accepted || hasMismatch(r)
      || offTolerance(declaredKg.get(r.labelId)!, kgOf(r.measuredQuantity), settings.weightTolerancePct));

    // Every container's outcome in one statement.
    await tx.execute(sql`
      UPDATE manifest_labels ml SET accepted = r.accepted, measured_kg = r.kg, refusal_reason = r.reason
      FROM unnest(${sql.param(receipt.map((r) => r.labelId))}::uuid[], ${sql.param(receipt.map((r) => r.accepted))}::bool[],
                  ${sql.param(receipt.map((r) => kgOf(r.measuredQuantity)))}::float8[],
                  ${sql.param(receipt.map((r) => (r.accepted ? null : r.refusalReason!)))}::text[])
        AS r(label_id, accepted, kg, reason)
      WHERE ml.manifest_id = ${m.id} AND ml.label_id = r.label_id`);
    // The few containers with a reported mismatch (a text[] per row does not unnest).
    for (const r of receipt.filter(hasMismatch)) {
      await tx.update(manifestLabels).set({ mismatches: r.mismatches!, mismatchNote: r.mismatchNote!.trim() })
        .where(and(eq(manifestLabels.manifestId, m.id), eq(manifestLabels.labelId, r.labelId)));
    }

    const steps = (await lockLabels(tx, items.map((i) => i.labelId))).map((label): CustodyStep => {
      const r = byLabel.get(label.id)!;
      const measured = {
        measuredKg: kgOf(r.measuredQuantity), declaredKg: declaredKg.get(label.id)!, manifestNumber: m.number,
        ...(hasMismatch(r) ? { mismatches: r.mismatches, mismatchNote: r.mismatchNote } : {}),
      };
      const common = { label, orgId: caller.orgId, occurredAt, manifestId: m.id, location: input.location ?? null };
      return r.accepted
        ? {
          ...common, action: 'accept',
          changes: { holderId: receiver.id, holderRegionCode: receiver.regionCode, heldSince: occurredAt, openManifestId: null, facilityId: null },
          details: measured,
          // 入库 at the receiver states what it weighed (HJ 1259 B.2 入库量), not the declared weight.
          ledger: [{ orgId: receiver.id, kind: 'HWRK', counterpartyName: from.name, manifestNumber: m.number, quantityKg: measured.measuredKg }],
        }
        : { ...common, action: 'refuse', changes: { openManifestId: null }, details: { ...measured, refusalReason: r.refusalReason } };
    });
    await recordCustodySteps(cmd, steps);
    const accepted = receipt.filter((r) => r.accepted).length;
    await consumeApproval(cmd, m, receipt.filter((r) => r.accepted).reduce((s, r) => s + kgOf(r.measuredQuantity), 0));
    const timeliness = receiptTimeliness(new Date(now), m.receiptDueOn);
    const paper = m.origin === 'paper';
    const returned = backToGenerator && accepted === receipt.length;
    return {
      to: returned ? 'completed' : accepted > 0 ? 'received' : 'rejected',
      // A paper transfer's receipt closes its back-entry (Art. 20: within 10 working days of the
      // transfer), which times it instead of Art. 18's 5 working days.
      set: {
        receivedAt: occurredAt, discrepant, receiptRecordedAt: timeliness.recordedAt, receiptLate: paper ? null : timeliness.late,
        ...(paper ? { paperEnteredAt: timeliness.recordedAt } : {}),
        ...(returned ? { completedAt: occurredAt } : {}),
      },
      details: { accepted, refused: receipt.length - accepted, discrepant, receiptLate: paper ? null : timeliness.late, ...via },
    };
  },
};
