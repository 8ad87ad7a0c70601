import { sql } from 'drizzle-orm';
import {
  type AnyPgColumn, bigint, boolean, check, customType, date, doublePrecision, index, integer, jsonb, numeric, pgTable, primaryKey, text, timestamp, uniqueIndex, uuid,
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
  /** electronic | paper: a manifest back-entered from a paper form (补录, 转移管理办法 Art. 20). */
  origin: text().notNull().default('electronic'),
  paperNumber: text(),
  /** When the paper transfer's receipt was entered, which closes its back-entry. */
  paperEnteredAt: ts(),
  paperScanMediaType: text(),
  paperScanBytes: integer(),
  paperScanSha256: text(),
  /** transfer | return: a return trip of refused containers of originalManifestId (docs/regulations.md#return-trips). */
  kind: text().notNull().default('transfer'),
  originalManifestId: uuid().references((): AnyPgColumn => manifests.id),
  /** The receiver that refused the containers and holds them until the return pickup. */
  returnFromId: uuid().references(() => organisations.id),
  /** The receiver was an external party at submit: it confirms through a signed link or the generator records the paper copy. */
  receiverExternal: boolean().notNull().default(false),
  /** The 跨省转移 approval the submit checked; the receipt consumes its quantity. */
  crossProvinceApprovalId: uuid().references((): AnyPgColumn => crossProvinceApprovals.id),
  version: integer().notNull().default(1),
  createdAt: ts().notNull().defaultNow(),
  updatedAt: ts().notNull().defaultNow(),
  // Facts of the containers kept on the row by triggers (migrations/0028_manifest_facts.sql): the
  // weight accepted at receipt (measured where weighed) and the distinct waste codes and categories.
  // Not part of the API's manifest view.
  acceptedKg: numeric({ precision: 16, scale: 3, mode: 'number' }).notNull().default(0),
  wasteCodes: text().array().notNull().default(sql`'{}'::text[]`),
  categories: text().array().notNull().default(sql`'{}'::text[]`),
}, (t) => [
  index('manifests_region_created_idx').on(t.regionCode, t.createdAt, t.id),
  index('manifests_receiver_region_idx').on(t.receiverRegionCode, t.createdAt),
  index('manifests_generator_idx').on(t.generatorId, t.createdAt),
  index('manifests_receiver_idx').on(t.receiverId, t.createdAt),
  index('manifests_state_idx').on(t.state, t.receiptDueOn),
  // Deliveries whose receipt deadline waits for a calendar year (src/calendar/pending-deadlines.ts).
  index('manifests_receipt_due_pending_idx').on(t.id).where(sql`receipt_due_on IS NULL AND delivered_at IS NOT NULL`),
  index('manifests_created_idx').on(t.createdAt, t.id),
  index('manifests_discrepant_idx').on(t.createdAt).where(sql`discrepant`),
  // Supervision search by state; the open weight discrepancies the alert lists; a receiver's intake by year.
  index('manifests_state_created_idx').on(t.state, t.createdAt, t.id),
  index('manifests_open_discrepancy_idx').on(t.receivedAt).where(sql`discrepant AND discrepancy_reviewed_at IS NULL`),
  index('manifests_receiver_received_idx').on(t.receiverId, t.receivedAt),
  uniqueIndex('manifests_paper_number_uq').on(t.paperNumber).where(sql`paper_number IS NOT NULL`),
  index('manifests_original_idx').on(t.originalManifestId).where(sql`original_manifest_id IS NOT NULL`),
  index('manifests_waste_codes_idx').using('gin', t.wasteCodes),
  index('manifests_categories_idx').using('gin', t.categories),
]);

const bytea = customType<{ data: Buffer }>({ dataType: () => 'bytea' });

// The scan of a paper manifest's form, as uploaded: kept with the manifest, never replaced.
export const manifestPaperScans = pgTable('manifest_paper_scans', {
  manifestId: uuid().primaryKey().references(() => manifests.id),
  mediaType: text().notNull(),
  content: bytea().notNull(),
  sha256: text().notNull(),
  orgId: uuid().notNull(),
  clientId: text().notNull(),
  createdAt: ts().notNull().defaultNow(),
});

// A party's declaration that a transfer runs on paper (sent as it starts, or later from a handset
// that was offline), open on the alerts until a manifest with its paper number is entered.
export const paperTransfers = pgTable('paper_transfers', {
  id: uuid().primaryKey().defaultRandom(),
  paperNumber: text().notNull(),
  orgId: uuid().notNull().references(() => organisations.id),
  regionCode: text().notNull(),
  clientId: text().notNull(),
  startedAt: ts().notNull(),
  note: text().notNull().default(''),
  recordedAt: ts().notNull().defaultNow(),
}, (t) => [
  uniqueIndex('paper_transfers_org_number_uq').on(t.orgId, t.paperNumber),
  index('paper_transfers_region_idx').on(t.regionCode, t.startedAt),
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
  /** What the receiver found differing from the manifest (Art. 18): name, quantity, characteristics, form, packaging. */
  mismatches: text().array().notNull().default(sql`'{}'::text[]`),
  mismatchNote: text(),
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

// A proposed correction of a received or completed manifest (docs/regulations.md#manifest-corrections):
// the changes asked for and the values they replace, kept whatever the outcome.
export const manifestRevisions = pgTable('manifest_revisions', {
  id: uuid().primaryKey().defaultRandom(),
  manifestId: uuid().notNull().references(() => manifests.id),
  proposedByOrgId: uuid().notNull().references(() => organisations.id),
  proposedByClientId: text().notNull(),
  reason: text().notNull(),
  changes: jsonb().notNull(),
  before: jsonb().notNull(),
  /** open | approved | refused | withdrawn */
  state: text().notNull(),
  /** The manifest's version when proposed, and the version the approved correction made. */
  manifestVersion: integer().notNull(),
  appliedVersion: integer(),
  createdAt: ts().notNull().defaultNow(),
  closedAt: ts(),
}, (t) => [
  check('manifest_revisions_state_ck', sql`${t.state} IN ('open', 'approved', 'refused', 'withdrawn')`),
  index('manifest_revisions_manifest_idx').on(t.manifestId, t.createdAt),
  uniqueIndex('manifest_revisions_one_open_uq').on(t.manifestId).where(sql`state = 'open'`),
]);

// One party's (or the regulator's) answer to a revision request.
export const manifestRevisionDecisions = pgTable('manifest_revision_decisions', {
  revisionId: uuid().notNull().references(() => manifestRevisions.id),
  orgId: uuid().notNull(),
  clientId: text().notNull(),
  /** approve | refuse */
  decision: text().notNull(),
  asRegulator: boolean().notNull().default(false),
  comment: text().notNull().default(''),
  decidedAt: ts().notNull().defaultNow(),
}, (t) => [
  primaryKey({ columns: [t.revisionId, t.orgId] }),
  check('manifest_revision_decisions_decision_ck', sql`${t.decision} IN ('approve', 'refuse')`),
]);
// 跨省转移 approvals (转移管理办法 Arts. 21–28, docs/regulations.md#cross-province-approvals): one
// approval for a generator and a receiver in another province, for named waste codes and a total
// quantity, used by many trips within its validity (at most 12 months); receipts consume it.
export const crossProvinceApprovals = pgTable('cross_province_approvals', {
  id: uuid().primaryKey().defaultRandom(),
  number: text().notNull().unique(),
  issuingAuthority: text().notNull(),
  generatorId: uuid().notNull().references(() => organisations.id),
  receiverId: uuid().notNull().references(() => organisations.id),
  wasteCodes: text().array().notNull(),
  approvedKg: bigint({ mode: 'number' }).notNull(),
  consumedKg: doublePrecision().notNull().default(0),
  validFrom: date({ mode: 'string' }).notNull(),
  validTo: date({ mode: 'string' }).notNull(),
  regionCode: text().notNull(),
  createdAt: ts().notNull().defaultNow(),
  version: integer().notNull().default(1),
}, (t) => [index('cross_province_approvals_pair_idx').on(t.generatorId, t.receiverId)]);

// One-time receipt links for external receivers, and the outbox that "sends" them: no mail server
// runs here, so the row is the message to the receiver's contact, shown to the generator.
export const externalReceiptLinks = pgTable('external_receipt_links', {
  jti: uuid().primaryKey(),
  manifestId: uuid().notNull().references(() => manifests.id),
  manifestVersion: integer().notNull(),
  recipient: text().notNull(),
  link: text().notNull(),
  expiresAt: ts().notNull(),
  usedAt: ts(),
  createdAt: ts().notNull().defaultNow(),
}, (t) => [index('external_receipt_links_manifest_idx').on(t.manifestId)]);

// The scan of the paper copy an external receiver returned, when the generator records the receipt.
export const manifestReceiptCopies = pgTable('manifest_receipt_copies', {
  manifestId: uuid().primaryKey().references(() => manifests.id),
  mediaType: text().notNull(),
  content: bytea().notNull(),
  sha256: text().notNull(),
  orgId: uuid().notNull(),
  clientId: text().notNull(),
  createdAt: ts().notNull().defaultNow(),
});

// The official 联单 number the national or provincial system assigned to a manifest, recorded by an
// exchange client (docs/exchange.md#official-numbers): one per manifest and system, unique in its
// system. A correction replaces it in place; the old value is kept by the audit trail.
export const manifestOfficialNumbers = pgTable('manifest_official_numbers', {
  manifestId: uuid().notNull().references(() => manifests.id),
  /** national | provincial */
  system: text().notNull(),
  number: text().notNull(),
  /** When the official system assigned it, as that system says. */
  assignedAt: ts().notNull(),
  recordedAt: ts().notNull().defaultNow(),
  orgId: uuid().notNull().references(() => organisations.id),
  clientId: text().notNull(),
  correctedAt: ts(),
  correctionReason: text(),
}, (t) => [
  primaryKey({ columns: [t.manifestId, t.system] }),
  check('manifest_official_numbers_system_check', sql`${t.system} IN ('national', 'provincial')`),
  uniqueIndex('manifest_official_numbers_system_number_uq').on(t.system, t.number),
]);
