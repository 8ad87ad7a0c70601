import { boolean, integer, pgTable, primaryKey, smallint, text, timestamp, uuid } from 'drizzle-orm/pg-core';

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
