import { sql } from 'drizzle-orm';
import { boolean, check, date, index, integer, jsonb, pgTable, primaryKey, smallint, text, timestamp, uuid } from 'drizzle-orm/pg-core';
import { organisations } from '../parties/schema.js';

const ts = () => timestamp({ withTimezone: true, mode: 'date' });

// GPS fixes of the carriers' legs (migration 0025: partitioned by month on `at`, which drizzle
// does not declare; the partitions are made by track_fixes_ensure_partitions).
export const trackFixes = pgTable('track_fixes', {
  manifestId: uuid().notNull(),
  at: ts().notNull(),
  receivedAt: ts().notNull().defaultNow(),
  /** Degrees × 10⁶. */
  latE6: integer().notNull(),
  lngE6: integer().notNull(),
  /** The carrier leg: manifest_carriers.position. */
  position: smallint().notNull(),
  speedKmh: smallint(),
  headingDeg: smallint(),
  accuracyM: smallint(),
  implausible: boolean().notNull().default(false),
  fixId: text().notNull(),
}, (t) => [primaryKey({ name: 'track_fixes_pk', columns: [t.manifestId, t.position, t.at, t.fixId] })]);

// Routes a regulator approved for a generator–receiver pair (migration 0025): [[lng, lat], …].
export const approvedRoutes = pgTable('approved_routes', {
  id: uuid().primaryKey().defaultRandom(),
  generatorId: uuid().notNull().references(() => organisations.id),
  receiverId: uuid().notNull().references(() => organisations.id),
  regionCode: text().notNull(),
  name: text().notNull(),
  path: jsonb().$type<Array<[number, number]>>().notNull(),
  validFrom: date({ mode: 'string' }).notNull(),
  validTo: date({ mode: 'string' }),
  createdByOrgId: uuid().notNull(),
  createdAt: ts().notNull().defaultNow(),
}, (t) => [
  check('approved_routes_validity_ck', sql`${t.validTo} IS NULL OR ${t.validTo} >= ${t.validFrom}`),
  index('approved_routes_pair_idx').on(t.generatorId, t.receiverId, t.validFrom),
  index('approved_routes_region_idx').on(t.regionCode),
]);
