// Management plans and declarations of a site (migrations/0026_plans_declarations.sql).
import { check, date, index, integer, jsonb, pgTable, text, timestamp, uniqueIndex, uuid } from 'drizzle-orm/pg-core';
import { sql } from 'drizzle-orm';
import { organisations, sites } from '../../parties/schema.js';

const ts = () => timestamp({ withTimezone: true, mode: 'date' });

export const managementPlans = pgTable('management_plans', {
  id: uuid().primaryKey().defaultRandom(),
  orgId: uuid().notNull().references(() => organisations.id),
  siteId: uuid().notNull().references(() => sites.id),
  year: integer().notNull(),
  version: integer().notNull(),
  state: text().notNull(), // draft | submitted
  edits: jsonb().notNull().default({}),
  figures: jsonb(),
  changeReason: text(),
  regionCode: text().notNull(),
  submittedAt: ts(),
  submissionRecordedAt: ts(),
  createdAt: ts().notNull().defaultNow(),
  updatedAt: ts().notNull().defaultNow(),
}, (t) => [
  check('management_plans_state_check', sql`${t.state} IN ('draft', 'submitted')`),
  check('management_plans_submitted_check', sql`(${t.state} = 'submitted') = (${t.submittedAt} IS NOT NULL AND ${t.figures} IS NOT NULL)`),
  check('management_plans_reason_check', sql`${t.version} = 1 OR ${t.changeReason} IS NOT NULL`),
  uniqueIndex('management_plans_site_year_version_uq').on(t.siteId, t.year, t.version),
  index('management_plans_year_region_idx').on(t.year, t.regionCode).where(sql`state = 'submitted'`),
]);

export const declarations = pgTable('declarations', {
  id: uuid().primaryKey().defaultRandom(),
  orgId: uuid().notNull().references(() => organisations.id),
  siteId: uuid().notNull().references(() => sites.id),
  period: text().notNull(),
  periodKind: text().notNull(), // month | quarter | year
  version: integer().notNull(),
  state: text().notNull().default('submitted'),
  figures: jsonb().notNull(),
  changeReason: text(),
  dueOn: date({ mode: 'string' }).notNull(),
  regionCode: text().notNull(),
  submittedAt: ts().notNull().defaultNow(),
  recordedAt: ts().notNull().defaultNow(),
}, (t) => [
  check('declarations_kind_check', sql`${t.periodKind} IN ('month', 'quarter', 'year')`),
  check('declarations_state_check', sql`${t.state} = 'submitted'`),
  check('declarations_reason_check', sql`${t.version} = 1 OR ${t.changeReason} IS NOT NULL`),
  uniqueIndex('declarations_site_period_version_uq').on(t.siteId, t.period, t.version),
  index('declarations_region_period_idx').on(t.regionCode, t.period),
]);
