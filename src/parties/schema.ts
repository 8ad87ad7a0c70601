import { sql } from 'drizzle-orm';
import {
  bigint, boolean, date, index, integer, jsonb, pgTable, text, timestamp, uniqueIndex, uuid,
} from 'drizzle-orm/pg-core';

const now = () => timestamp({ withTimezone: true, mode: 'date' }).notNull().defaultNow();

export const organisations = pgTable('organisations', {
  id: uuid().primaryKey().defaultRandom(),
  uscc: text().notNull().unique(),
  name: text().notNull(),
  roles: text().array().notNull(),
  regionCode: text().notNull(),
  generatorClass: text(),
  medicalTier: text(),
  contactName: text().notNull(),
  contactPhone: text().notNull(),
  address: text().notNull(),
  // A receiver or carrier beyond the jurisdiction (docs/regulations.md#external-parties): no clients
  // of ours; its licence as declared to the registrar (a CHECK in migration 0017 requires it).
  external: boolean().notNull().default(false),
  declaredLicenceNumber: text(),
  declaredLicenceAuthority: text(),
  declaredLicenceValidFrom: date({ mode: 'string' }),
  declaredLicenceValidTo: date({ mode: 'string' }),
  contactEmail: text(),
  createdAt: now(),
  version: integer().notNull().default(1),
}, (t) => [index('organisations_region_idx').on(t.regionCode)]);

export const clients = pgTable('clients', {
  id: text().primaryKey(),
  orgId: uuid().notNull().references(() => organisations.id),
  name: text().notNull(),
  roles: text().array().notNull(),
  /** system | handset: a handset in the field names the person handling each step (handledBy). */
  kind: text().notNull().default('system'),
  secretHash: text().notNull(),
  disabledAt: timestamp({ withTimezone: true, mode: 'date' }),
  /** When the secret was last rotated: access tokens issued before it no longer work. */
  secretRotatedAt: timestamp({ withTimezone: true, mode: 'date' }),
  createdAt: now(),
}, (t) => [index('clients_org_idx').on(t.orgId)]);

// Keys that sign access tokens, QR tokens and audit checkpoints, when none are configured.
export const signingKeys = pgTable('signing_keys', {
  kid: text().primaryKey(),
  privateJwk: jsonb().notNull(),
  publicJwk: jsonb().notNull(),
  createdAt: now(),
});

// 生产经营场所 (HJ 1259-2022 §4.2.1): the management class is a site's. Every organisation has one
// default site (its registered address), created with it; facilities and licences belong to a site.
export const sites = pgTable('sites', {
  id: uuid().primaryKey().defaultRandom(),
  orgId: uuid().notNull().references(() => organisations.id),
  name: text().notNull(),
  address: text().notNull(),
  regionCode: text().notNull(),
  isDefault: boolean().notNull().default(false),
  createdAt: now(),
}, (t) => [
  uniqueIndex('sites_org_name_uq').on(t.orgId, t.name),
  uniqueIndex('sites_org_default_uq').on(t.orgId).where(sql`is_default`),
]);

export const licences = pgTable('licences', {
  id: uuid().primaryKey().defaultRandom(),
  orgId: uuid().notNull().references(() => organisations.id),
  // comprehensive | collection | collection_pilot | medical_collection_point | transport (licence-rules.ts)
  kind: text().notNull(),
  /** The site the licence's facilities are at (a transport licence has none). */
  siteId: uuid().references(() => sites.id),
  number: text().notNull(),
  modes: text().array().notNull().default(sql`'{}'::text[]`),
  wasteCodes: text().array().notNull().default(sql`'{}'::text[]`),
  annualCapacityKg: bigint({ mode: 'number' }),
  validFrom: date({ mode: 'string' }).notNull(),
  validTo: date({ mode: 'string' }).notNull(),
  status: text().notNull().default('active'),
  regionCode: text().notNull(),
  createdAt: now(),
  version: integer().notNull().default(1),
}, (t) => [
  uniqueIndex('licences_kind_number_uq').on(t.kind, t.number),
  index('licences_org_idx').on(t.orgId),
  index('licences_region_idx').on(t.regionCode),
]);

export const vehicles = pgTable('vehicles', {
  id: uuid().primaryKey().defaultRandom(),
  orgId: uuid().notNull().references(() => organisations.id),
  licenceId: uuid().notNull().references(() => licences.id),
  plate: text().notNull().unique(),
  createdAt: now(),
}, (t) => [index('vehicles_org_idx').on(t.orgId)]);

export const facilities = pgTable('facilities', {
  id: uuid().primaryKey().defaultRandom(),
  orgId: uuid().notNull().references(() => organisations.id),
  siteId: uuid().notNull().references(() => sites.id),
  code: text().notNull(),
  name: text().notNull(),
  kind: text().notNull(), // storage | treatment
  storageType: text(),
  capacityKg: bigint({ mode: 'number' }),
  methods: text().array().notNull().default(sql`'{}'::text[]`),
  createdAt: now(),
}, (t) => [uniqueIndex('facilities_org_code_uq').on(t.orgId, t.code), index('facilities_site_idx').on(t.siteId)]);

export const exemptions = pgTable('exemptions', {
  id: uuid().primaryKey().defaultRandom(),
  generatorId: uuid().notNull().references(() => organisations.id),
  receiverId: uuid().notNull().references(() => organisations.id),
  wasteCode: text().notNull(),
  approvalNo: text().notNull().unique(),
  validFrom: date({ mode: 'string' }).notNull(),
  validTo: date({ mode: 'string' }).notNull(),
  regionCode: text().notNull(),
  createdAt: now(),
}, (t) => [index('exemptions_pair_idx').on(t.generatorId, t.receiverId)]);

export const insurancePolicies = pgTable('insurance_policies', {
  id: uuid().primaryKey().defaultRandom(),
  orgId: uuid().notNull().references(() => organisations.id),
  policyNo: text().notNull().unique(),
  insurer: text().notNull(),
  coverageCny: bigint({ mode: 'number' }),
  validFrom: date({ mode: 'string' }).notNull(),
  validTo: date({ mode: 'string' }).notNull(),
  createdAt: now(),
}, (t) => [index('insurance_org_idx').on(t.orgId)]);

export const inspections = pgTable('inspections', {
  id: uuid().primaryKey().defaultRandom(),
  orgId: uuid().notNull().references(() => organisations.id),
  inspectorOrgId: uuid().notNull().references(() => organisations.id),
  date: date({ mode: 'string' }).notNull(),
  passed: boolean().notNull(),
  findings: text().notNull().default(''),
  regionCode: text().notNull(),
  createdAt: now(),
}, (t) => [index('inspections_region_date_idx').on(t.regionCode, t.date)]);

// Indicator inputs the records cannot hold (industrial value added, the landfill baseline), entered by regulators.
export const indicatorInputs = pgTable('indicator_inputs', {
  id: uuid().primaryKey().defaultRandom(),
  year: integer().notNull(),
  regionCode: text().notNull(),
  key: text().notNull(),
  value: jsonb().notNull(),
  enteredBy: text().notNull(),
  createdAt: now(),
}, (t) => [uniqueIndex('indicator_inputs_uq').on(t.year, t.regionCode, t.key)]);

// Storage-extension approvals (固废法 Art. 81, docs/regulations.md#storage-extensions): a licensed
// operator may store longer than one year the containers named, or what lies in one of its
// storage facilities, until validTo. Exactly one of the two (a CHECK in migration 0013).
export const storageExtensions = pgTable('storage_extensions', {
  id: uuid().primaryKey().defaultRandom(),
  number: text().notNull().unique(),
  orgId: uuid().notNull().references(() => organisations.id),
  regionCode: text().notNull(),
  labelIds: uuid().array().notNull().default(sql`'{}'`),
  facilityId: uuid().references(() => facilities.id),
  validFrom: date({ mode: 'string' }).notNull(),
  validTo: date({ mode: 'string' }).notNull(),
  createdAt: now(),
}, (t) => [index('storage_extensions_org_idx').on(t.orgId, t.validTo)]);

// Emergency plan filings (应急预案备案; 固废法 Art. 85, docs/regulations.md#emergency-plans): siteId
// null covers every site of the organisation. valid_to >= filed_on (a CHECK in migration 0018).
export const emergencyPlanFilings = pgTable('emergency_plan_filings', {
  id: uuid().primaryKey().defaultRandom(),
  orgId: uuid().notNull().references(() => organisations.id),
  siteId: uuid().references(() => sites.id),
  number: text().notNull().unique(),
  authority: text().notNull(),
  filedOn: date({ mode: 'string' }).notNull(),
  validTo: date({ mode: 'string' }).notNull(),
  regionCode: text().notNull(),
  createdAt: now(),
}, (t) => [index('emergency_plan_filings_org_idx').on(t.orgId, t.validTo)]);
