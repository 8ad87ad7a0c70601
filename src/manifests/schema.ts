import { sql } from 'drizzle-orm';
import {
  bigint, boolean, date, index, integer, jsonb, numeric, pgTable, primaryKey, text, timestamp, uuid,
} from 'drizzle-orm/pg-core';
import { exemptions, organisations } from '../parties/schema.js';
import { labels } from '../labels/schema.js';

const ts = () => timestamp({ withTimezone: true, mode: 'date' });

export const manifests = pgTable('manifests', {
  id: uuid().primaryKey().defaultRandom(),
  number: text().unique(),
  state: text().notNull(),
  generatorId: uuid().notNull().references(() => organisations.id),
  receiverId: uuid().notNull().references(() => organisations.id),
  regionCode: text().notNull(),
  receiverRegionCode: text().notNull(),
  plannedAt: ts().notNull(),
  exemptionId: uuid().references(() => exemptions.id),
  intendedMethod: text(),
  emergencyMeasures: text().notNull().default(''),
  discrepant: boolean().notNull().default(false),
  currentCarrier: integer().notNull().default(0),
  submittedAt: ts(),
  pickedUpAt: ts(),
  deliveredAt: ts(),
  receiptDueOn: date({ mode: 'string' }),
  receivedAt: ts(),
  // When the receipt was recorded (server time) and whether that was after receiptDueOn: a receipt
  // is on time when it is recorded in time (docs/regulations.md#receipt-deadline).
  receiptRecordedAt: ts(),
  receiptLate: boolean(),
  completedAt: ts(),
  cancelReason: text(),
  // A regulator's review closes the weight-discrepancy alert; the discrepancy itself stays on record.
  discrepancyReviewedAt: ts(),
  discrepancyReviewNote: text(),
  version: integer().notNull().default(1),
  createdAt: ts().notNull().defaultNow(),
  updatedAt: ts().notNull().defaultNow(),
}, (t) => [
  index('manifests_region_created_idx').on(t.regionCode, t.createdAt, t.id),
  index('manifests_receiver_region_idx').on(t.receiverRegionCode, t.createdAt),
  index('manifests_generator_idx').on(t.generatorId, t.createdAt),
  index('manifests_receiver_idx').on(t.receiverId, t.createdAt),
  index('manifests_state_idx').on(t.state, t.receiptDueOn),
  index('manifests_created_idx').on(t.createdAt, t.id),
  index('manifests_discrepant_idx').on(t.createdAt).where(sql`discrepant`),
  // Supervision search by state; the open weight discrepancies the alert lists; a receiver's intake by year.
  index('manifests_state_created_idx').on(t.state, t.createdAt, t.id),
  index('manifests_open_discrepancy_idx').on(t.receivedAt).where(sql`discrepant AND discrepancy_reviewed_at IS NULL`),
  index('manifests_receiver_received_idx').on(t.receiverId, t.receivedAt),
]);

export const manifestCarriers = pgTable('manifest_carriers', {
  manifestId: uuid().notNull().references(() => manifests.id),
  position: integer().notNull(),
  orgId: uuid().notNull().references(() => organisations.id),
  vehiclePlate: text(),
  driverName: text(),
  driverQualificationNo: text(),
  tookOverAt: ts(),
}, (t) => [
  primaryKey({ columns: [t.manifestId, t.position] }),
  index('manifest_carriers_org_idx').on(t.orgId),
]);

export const manifestLabels = pgTable('manifest_labels', {
  manifestId: uuid().notNull().references(() => manifests.id),
  labelId: uuid().notNull().references(() => labels.id),
  declaredKg: numeric({ precision: 14, scale: 3, mode: 'number' }).notNull(),
  accepted: boolean(),
  measuredKg: numeric({ precision: 14, scale: 3, mode: 'number' }),
  refusalReason: text(),
}, (t) => [
  primaryKey({ columns: [t.manifestId, t.labelId] }),
  index('manifest_labels_label_idx').on(t.labelId),
]);

export const manifestSteps = pgTable('manifest_steps', {
  id: bigint({ mode: 'number' }).primaryKey().generatedAlwaysAsIdentity(),
  manifestId: uuid().notNull().references(() => manifests.id),
  action: text().notNull(),
  fromState: text(),
  toState: text().notNull(),
  orgId: uuid().notNull(),
  clientId: text().notNull(),
  occurredAt: ts().notNull(),
  recordedAt: ts().notNull().defaultNow(),
  requestId: text(),
  details: jsonb().notNull().default({}),
}, (t) => [
  index('manifest_steps_manifest_idx').on(t.manifestId, t.id),
  // The late_report alert: only steps recorded well after they happened (docs/regulations.md#late-report).
  index('manifest_steps_late_report_idx').on(t.recordedAt).where(sql`recorded_at - occurred_at > interval '1 hour'`),
]);

// Manifest serials per city and year (Art. 15): no global counter on the hot path.
export const manifestSerials = pgTable('manifest_serials', {
  cityCode: text().notNull(),
  year: integer().notNull(),
  last: integer().notNull(),
}, (t) => [primaryKey({ columns: [t.cityCode, t.year] })]);
