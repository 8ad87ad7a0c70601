import { sql } from 'drizzle-orm';
import {
  bigint, boolean, check, date, doublePrecision, index, integer, jsonb, numeric, pgTable, primaryKey, text, timestamp, uniqueIndex, uuid,
} from 'drizzle-orm/pg-core';
import { facilities, organisations } from '../parties/schema.js';

const ts = () => timestamp({ withTimezone: true, mode: 'date' });

export const labels = pgTable('labels', {
  id: uuid().primaryKey().defaultRandom(),
  digitalCode: text().notNull().unique(),
  // The signed token printed in the QR code; kept so the printed label and the API always agree.
  qrToken: text().notNull(),
  generatorId: uuid().notNull().references(() => organisations.id),
  holderId: uuid().notNull().references(() => organisations.id),
  // Region of the generating unit: every hot table carries it (jurisdiction, future sharding).
  regionCode: text().notNull(),
  wasteCode: text().notNull(),
  category: text().notNull(),
  wasteName: text().notNull(),
  physicalForm: text().notNull(),
  hazards: text().array().notNull(),
  mainComponents: text().notNull(),
  harmfulComponents: text().notNull(),
  precautions: text().notNull(),
  quantityKg: numeric({ precision: 14, scale: 3, mode: 'number' }).notNull(),
  packagingType: text().notNull(),
  volumeL: numeric({ precision: 10, scale: 1, mode: 'number' }),
  generatedAt: ts().notNull(),
  generatedOn: date({ mode: 'string' }).notNull(),
  sequence: integer().notNull(),
  facilityId: uuid().references(() => facilities.id),
  remarks: text().notNull().default(''),
  state: text().notNull(),
  version: integer().notNull().default(1),
  /**
   * Custody steps recorded so far (the last label_steps.seq). Not the version: attaching to or
   * releasing from a draft manifest changes the label (and its ETag) without a custody step.
   */
  stepCount: integer().notNull().default(1),
  parentId: uuid(),
  openManifestId: uuid(),
  hasLeftGenerator: boolean().notNull().default(false),
  // Region of the current holder, so the regulator where the waste now sits can see it.
  holderRegionCode: text().notNull(),
  heldSince: ts().notNull(),
  lastStepAt: ts().notNull(),
  createdAt: ts().notNull().defaultNow(),
  /** The 名录 edition the waste code was classified under (docs/regulations.md#catalogue-editions). */
  catalogueEdition: text().notNull(),
  /** The 危险废物鉴别 report a 900-000-XX code rests on; required for those codes on new labels. */
  identificationReportNo: text(),
}, (t) => [
  check('labels_identification_report_ck', sql`${t.wasteCode} NOT LIKE '900-000-%' OR ${t.identificationReportNo} IS NOT NULL`),
  index('labels_region_generated_idx').on(t.regionCode, t.generatedAt, t.id),
  index('labels_generated_idx').on(t.generatedAt, t.id),
  // Covers the 12-month sum of emergency_plan_missing (migration 0029): an index-only range per organisation.
  index('labels_generator_idx').on(t.generatorId, t.generatedAt, t.generatedOn, t.state, t.quantityKg, t.id),
  index('labels_holder_state_idx').on(t.holderId, t.state),
  index('labels_holder_region_idx').on(t.holderRegionCode, t.generatedAt),
  index('labels_waste_code_idx').on(t.wasteCode, t.generatedAt),
  index('labels_category_idx').on(t.category, t.generatedAt),
  // The storage alerts: held in these states since before a date, in a district (checked in the index).
  index('labels_state_idx').on(t.state, t.heldSince, t.holderRegionCode),
  // Supervision search by state, newest first (bench:reads: 1 s → 1 ms on ten years).
  index('labels_state_generated_idx').on(t.state, t.generatedAt, t.id),
  // The medical-hold alert: HW01 held at a site since before a date. Partial (migration 0031): a step
  // on any other waste writes no entry here.
  index('labels_medical_held_idx').on(t.state, t.heldSince, t.holderRegionCode).where(sql`category = 'HW01'`),
  // A container's contents. Partial (migration 0031): most labels are inside nothing, and a label
  // written with no parent adds no entry (every query here asks for the labels of one parent).
  index('labels_parent_idx').on(t.parentId).where(sql`parent_id IS NOT NULL`),
]);

// Next 3-digit sequence of the digital identification code, per unit, waste code and day.
export const labelSequences = pgTable('label_sequences', {
  generatorId: uuid().notNull(),
  wasteCode: text().notNull(),
  day: date({ mode: 'string' }).notNull(),
  last: integer().notNull(),
}, (t) => [primaryKey({ columns: [t.generatorId, t.wasteCode, t.day] })]);

export const labelSteps = pgTable('label_steps', {
  id: bigint({ mode: 'number' }).primaryKey().generatedAlwaysAsIdentity(),
  labelId: uuid().notNull().references(() => labels.id),
  seq: integer().notNull(),
  action: text().notNull(),
  fromState: text(),
  toState: text().notNull(),
  orgId: uuid().notNull(),
  clientId: text().notNull(),
  manifestId: uuid(),
  facilityId: uuid(),
  method: text(),
  lat: doublePrecision(),
  lng: doublePrecision(),
  occurredAt: ts().notNull(),
  recordedAt: ts().notNull().defaultNow(),
  requestId: text(),
  details: jsonb().notNull().default({}),
}, (t) => [
  uniqueIndex('label_steps_label_seq_uq').on(t.labelId, t.seq),
  // A manifest's trace reads its steps; without this it scans every step (bench:reads, ten years).
  index('label_steps_manifest_idx').on(t.manifestId, t.id).where(sql`manifest_id IS NOT NULL`),
  // The late_report alert: only steps recorded well after they happened (docs/regulations.md#late-report).
  index('label_steps_late_report_idx').on(t.recordedAt).where(sql`recorded_at - occurred_at > interval '1 hour'`),
]);

// HJ 1259 management ledger: one record per container per custody step.
export const ledgerRecords = pgTable('ledger_records', {
  id: bigint({ mode: 'number' }).primaryKey().generatedAlwaysAsIdentity(),
  orgId: uuid().notNull(),
  labelId: uuid().notNull(),
  stepId: bigint({ mode: 'number' }).notNull(),
  kind: text().notNull(), // HWCS | HWRK | HWCK | HWZXLY | HWZXCZ | HWWWLY | HWWWCZ
  batchCode: text().notNull(),
  occurredAt: ts().notNull(),
  wasteCode: text().notNull(),
  wasteName: text().notNull(),
  category: text().notNull(),
  physicalForm: text().notNull(),
  quantityKg: numeric({ precision: 14, scale: 3, mode: 'number' }).notNull(),
  digitalCode: text().notNull(),
  facilityCode: text(),
  method: text(),
  counterpartyName: text(),
  manifestNumber: text(),
  operatorClientId: text().notNull(),
  /** 容器/包装类型 and 数量 (HJ 1259 B.1–B.5); null on records written before they were kept. */
  packagingType: text(),
  containerCount: integer().notNull().default(1),
  /** 去向 of a generation record (B.1). */
  destination: text(),
  /** 经办人: the named person who handled the step, when the client named one. */
  handledByName: text(),
  handledByIdNumber: text(),
  /**
   * A correcting record (docs/regulations.md#manifest-corrections): `reversal` negates the record of
   * `correctsBatchCode`, `replacement` states its corrected values, `addition` is a receiver's 入库 of
   * a container the correction accepts (correcting no record); written by an approved revision.
   */
  correction: text(),
  correctsBatchCode: text(),
  revisionId: uuid(),
  createdAt: ts().notNull().defaultNow(),
}, (t) => [
  check('ledger_records_correction_ck', sql`${t.correction} IS NULL OR (${t.correction} IN ('reversal', 'replacement') AND ${t.correctsBatchCode} IS NOT NULL AND ${t.revisionId} IS NOT NULL) OR (${t.correction} = 'addition' AND ${t.correctsBatchCode} IS NULL AND ${t.revisionId} IS NOT NULL)`),
  index('ledger_org_time_idx').on(t.orgId, t.occurredAt, t.id)]);

// Serial of ledger batch codes per organisation, prefix and day.
export const ledgerSerials = pgTable('ledger_serials', {
  orgId: uuid().notNull(),
  kind: text().notNull(),
  day: date({ mode: 'string' }).notNull(),
  last: integer().notNull(),
}, (t) => [primaryKey({ columns: [t.orgId, t.kind, t.day] })]);
