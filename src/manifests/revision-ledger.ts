// The ledger side of an approved manifest revision (docs/regulations.md#manifest-corrections): the
// HJ 1259 ledger is never edited, so each record the correction touches gets two new records, a
// reversal (its values, quantity negated) and a replacement (the corrected values), both naming the
// batch code they correct. Each takes its own batch code from the organisation's serial of its kind
// on the day of the correction, as any record does. A corrected receipt outcome adds or withdraws
// the receiver's 入库: a container now refused gets a reversal of it and no replacement; one now
// accepted gets an **addition**, the 入库 the receipt would have written, marked as the correction's.
import { and, asc, inArray, sql } from 'drizzle-orm';
import { ledgerRecords } from '../db/schema.js';
import type { Tx } from '../db/database.js';
import { shanghaiDate } from '../calendar/working-days.js';
import type { LedgerRow } from '../labels/ledger.js';
import type { ContainerChange } from './revision-changes.js';
import type { LabelRow } from '../labels/label-view.js';

export interface LedgerCorrection { reversed: string | null; reversal: string | null; replacement: string | null; orgId: string; labelId: string }

interface CorrectionInput {
  revisionId: string;
  manifestNumber: string | null;
  receiverId: string;
  /** The label's quantity before the correction: records that stated it follow a corrected declaredKg. */
  labelKgBefore: Map<string, number>;
  /** The category of a corrected waste code, by label. */
  categories: Map<string, string>;
  clientId: string;
  at: Date;
}

/**
 * The records of these containers that stand: neither a reversal nor reversed by one, in a fixed
 * order (organisation, kind, id) so that the serial rows are taken in the same order by everyone.
 */
async function standingRecords(tx: Tx, labelIds: string[]): Promise<LedgerRow[]> {
  return tx.select().from(ledgerRecords)
    .where(and(inArray(ledgerRecords.labelId, labelIds), sql`${ledgerRecords.correction} IS DISTINCT FROM 'reversal'`,
      sql`NOT EXISTS (SELECT 1 FROM ledger_records x WHERE x.org_id = ${ledgerRecords.orgId} AND x.correction = 'reversal'
                      AND x.corrects_batch_code = ${ledgerRecords.batchCode})`))
    .orderBy(asc(ledgerRecords.orgId), asc(ledgerRecords.kind), asc(ledgerRecords.id));
}

/** The record's values after the correction (null when the correction does not touch it). */
function corrected(r: LedgerRow, change: ContainerChange, input: CorrectionInput): LedgerRow | null {
  let quantityKg = r.quantityKg;
  // The receiver's 入库 of this manifest states what it weighed; the other records the label's quantity.
  const receipt = isReceipt(r, input);
  if (receipt && change.measuredKg !== undefined) quantityKg = change.measuredKg;
  if (!receipt && change.declaredKg !== undefined && r.quantityKg === input.labelKgBefore.get(r.labelId)) quantityKg = change.declaredKg;
  const next: LedgerRow = {
    ...r,
    quantityKg,
    wasteCode: change.wasteCode ?? r.wasteCode,
    category: change.wasteCode !== undefined ? input.categories.get(r.labelId) ?? r.category : r.category,
    wasteName: change.wasteName ?? r.wasteName,
    physicalForm: change.physicalForm ?? r.physicalForm,
    packagingType: change.packagingType ?? r.packagingType,
  };
  const same = (['quantityKg', 'wasteCode', 'category', 'wasteName', 'physicalForm', 'packagingType'] as const).every((k) => next[k] === r[k]);
  return same ? null : next;
}

/** The receiver's 入库 of this manifest. */
const isReceipt = (r: LedgerRow, input: CorrectionInput) =>
  r.kind === 'HWRK' && r.orgId === input.receiverId && r.manifestNumber !== null && r.manifestNumber === input.manifestNumber;

/** The next batch code of the organisation's serial for this kind and day (migrations/0005's format). */
async function nextBatchCode(tx: Tx, orgId: string, kind: string, day: string): Promise<string> {
  const { rows } = await tx.execute<{ code: string }>(sql`
    INSERT INTO ledger_serials (org_id, kind, day, last) VALUES (${orgId}, ${kind}, ${day}::date, 1)
    ON CONFLICT (org_id, kind, day) DO UPDATE SET last = ledger_serials.last + 1
    RETURNING kind || to_char(day, 'YYYYMMDD') || lpad(last::text, greatest(3, length(last::text)), '0') AS code`);
  return rows[0].code;
}

async function insertRecord(tx: Tx, r: LedgerRow, batchCode: string, correction: 'reversal' | 'replacement' | 'addition', input: CorrectionInput) {
  await tx.execute(sql`
    INSERT INTO ledger_records (org_id, label_id, step_id, kind, batch_code, occurred_at, waste_code, waste_name, category,
      physical_form, quantity_kg, digital_code, facility_code, method, counterparty_name, manifest_number, operator_client_id,
      packaging_type, container_count, destination, correction, corrects_batch_code, revision_id)
    VALUES (${r.orgId}, ${r.labelId}, ${r.stepId}, ${r.kind}, ${batchCode}, ${input.at}, ${r.wasteCode}, ${r.wasteName}, ${r.category},
      ${r.physicalForm}, ${r.quantityKg}, ${r.digitalCode}, ${r.facilityCode}, ${r.method}, ${r.counterpartyName}, ${r.manifestNumber},
      ${input.clientId}, ${r.packagingType}, ${r.containerCount}, ${r.destination}, ${correction},
      ${correction === 'addition' ? null : r.batchCode}, ${input.revisionId})`);
}

/** Writes the reversal and the replacement of every standing record of the corrected containers whose values change. */
export async function writeLedgerCorrections(tx: Tx, changes: ContainerChange[], input: CorrectionInput): Promise<LedgerCorrection[]> {
  const byLabel = new Map(changes.map((c) => [c.labelId, c]));
  const day = shanghaiDate(input.at);
  const written: LedgerCorrection[] = [];
  for (const r of await standingRecords(tx, [...byLabel.keys()])) {
    const change = byLabel.get(r.labelId)!;
    if (change.accepted === false && isReceipt(r, input)) {
      // Refused now: the receiver never took it in. Reversed, not restated.
      const reversal = await nextBatchCode(tx, r.orgId, r.kind, day);
      await insertRecord(tx, { ...r, quantityKg: -r.quantityKg }, reversal, 'reversal', input);
      written.push({ reversed: r.batchCode, reversal, replacement: null, orgId: r.orgId, labelId: r.labelId });
      continue;
    }
    const next = corrected(r, change, input);
    if (!next) continue;
    const reversal = await nextBatchCode(tx, r.orgId, r.kind, day);
    await insertRecord(tx, { ...r, quantityKg: -r.quantityKg }, reversal, 'reversal', input);
    const replacement = await nextBatchCode(tx, r.orgId, r.kind, day);
    await insertRecord(tx, next, replacement, 'replacement', input);
    written.push({ reversed: r.batchCode, reversal, replacement, orgId: r.orgId, labelId: r.labelId });
  }
  return written;
}

/** A container now accepted: the receiver's 入库 as the receipt would have written it, from the label as corrected. */
export interface ReceiptAddition { label: LabelRow; stepId: number; measuredKg: number; counterpartyName: string }

/** Writes an `addition` 入库 at the receiver for each container the correction accepts. */
export async function writeReceiptAdditions(tx: Tx, additions: ReceiptAddition[], input: CorrectionInput): Promise<LedgerCorrection[]> {
  const day = shanghaiDate(input.at);
  const written: LedgerCorrection[] = [];
  for (const a of [...additions].sort((x, y) => x.label.id.localeCompare(y.label.id))) {
    const { label } = a;
    const record = {
      orgId: input.receiverId, labelId: label.id, stepId: a.stepId, kind: 'HWRK', wasteCode: label.wasteCode, wasteName: label.wasteName,
      category: label.category, physicalForm: label.physicalForm, quantityKg: a.measuredKg, digitalCode: label.digitalCode,
      facilityCode: null, method: null, counterpartyName: a.counterpartyName, manifestNumber: input.manifestNumber,
      packagingType: label.packagingType, containerCount: 1, destination: null,
    } as LedgerRow;
    const replacement = await nextBatchCode(tx, input.receiverId, 'HWRK', day);
    await insertRecord(tx, record, replacement, 'addition', input);
    written.push({ reversed: null, reversal: null, replacement, orgId: input.receiverId, labelId: label.id });
  }
  return written;
}
