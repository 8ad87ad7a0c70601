// A batch of GPS fixes from a carrier's terminal (docs/regulations.md#route-record): checked whole,
// then stored in one multi-row INSERT. Idempotent per fix (id and time: a re-post or an overlapping
// offline buffer stores nothing twice), accepted out of order and late. A batch with any fix out of
// range, outside China, or outside the carrier's leg is refused whole, each fix named with its
// reason: nothing is stored, so the terminal drops those fixes and sends the rest again. A fix too
// fast from its predecessor is stored flagged implausible (a GPS jump, or a predecessor that was
// itself the jump: a judgement, not a fact, so the fix is kept as evidence and left out of the route).
// Fixes are not audited one by one (too many); the table itself is the record.
import type { Pool } from 'pg';
import type { Db } from '../db/database.js';
import { AppError, ruleViolation, type FieldError } from '../core/errors.js';
import { requireClientRole, type Caller } from '../auth/roles.js';
import { loadVisibleManifest } from '../manifests/manifest-view.js';
import { DRIVER_ROLES } from '../manifests/steps/carriage.js';
import { distanceKm, insideChina } from './geo.js';
import { legsOf, legWindow, type Leg } from './legs.js';
import type { FixInput } from './schemas.js';
import type { TrackSettings } from './track-settings.js';

const E6 = 1e6;
/** GPS jitter allowed on top of the speed limit between two fixes. */
const JITTER_KM = 0.2;

interface NewFix { fix: FixInput; at: Date; position: number; implausible: boolean }
interface TimedPoint { at: Date; lat: number; lng: number; stored: boolean; fix?: NewFix }

export interface TrackAnswer { accepted: number; duplicate: number; implausible: number; refused: number }

/** The leg of the carrier a fix falls in (a carrier may hold two legs of a journey). */
function legFor(at: Date, legs: Leg[], settings: TrackSettings, now: Date): Leg | undefined {
  const margin = settings.timeMarginMinutes * 60_000;
  const inside = legs.find((l) => at >= l.from && at <= (l.to ?? now));
  return inside ?? legs.find((l) => { const w = legWindow(l, margin, now); return at >= w.from && at <= w.to; });
}

function checkFixes(fixes: FixInput[], legs: Leg[], settings: TrackSettings, now: Date): { valid: NewFix[]; errors: FieldError[] } {
  const errors: FieldError[] = [];
  const valid: NewFix[] = [];
  const seen = new Map<string, FixInput>();
  fixes.forEach((fix, i) => {
    const path = `body.fixes.${i}`;
    const at = new Date(fix.at);
    if (!insideChina(fix)) {
      errors.push({ path, message: `(${fix.lat}, ${fix.lng}) lies outside China: not a plausible position` });
      return;
    }
    const leg = legFor(at, legs, settings, now);
    if (!leg) {
      errors.push({ path: `${path}.at`, message: `${fix.at} is outside your leg's time (± ${settings.timeMarginMinutes} minutes)` });
      return;
    }
    const earlier = seen.get(fix.id);
    if (earlier) {
      if (Date.parse(earlier.at) !== at.getTime()) errors.push({ path: `${path}.id`, message: `fix id ${fix.id} appears twice in the batch with different times` });
      return; // the same fix twice in one batch: stored once, counted a duplicate
    }
    seen.set(fix.id, fix);
    valid.push({ fix, at, position: leg.position, implausible: false });
  });
  return { valid, errors };
}

/** The stored plausible fixes of a leg around the batch: those in its time span and the one just before. */
async function storedAround(pool: Pool, manifestId: string, position: number, from: Date, to: Date, floor: Date): Promise<TimedPoint[]> {
  const { rows } = await pool.query<{ at: Date; lat_e6: number; lng_e6: number }>(
    `SELECT at, lat_e6, lng_e6 FROM track_fixes
      WHERE manifest_id = $1 AND position = $2 AND at >= $3 AND at <= $4 AND NOT implausible
     UNION ALL
     (SELECT at, lat_e6, lng_e6 FROM track_fixes
       WHERE manifest_id = $1 AND position = $2 AND at < $3 AND at >= $5 AND NOT implausible ORDER BY at DESC LIMIT 1)`,
    [manifestId, position, from, to, floor],
  );
  return rows.map((r) => ({ at: r.at, lat: r.lat_e6 / E6, lng: r.lng_e6 / E6, stored: true }));
}

/** Flags each new fix that is too fast from the plausible fix before it, stored or new. */
function flagImplausible(points: TimedPoint[], maxSpeedKmh: number): void {
  points.sort((a, b) => a.at.getTime() - b.at.getTime() || Number(b.stored) - Number(a.stored));
  let prev: TimedPoint | undefined;
  for (const p of points) {
    if (p.fix && prev) {
      const hours = (p.at.getTime() - prev.at.getTime()) / 3_600_000;
      if (distanceKm(prev, p) > maxSpeedKmh * hours + JITTER_KM) {
        p.fix.implausible = true;
        continue;
      }
    }
    prev = p;
  }
}

export async function recordFixes(
  db: Db, pool: Pool, caller: Caller, settings: TrackSettings, manifestId: string, fixes: FixInput[], now = new Date(),
): Promise<TrackAnswer> {
  const loaded = await loadVisibleManifest(db, caller, manifestId);
  requireClientRole(caller, ...DRIVER_ROLES);
  const legs = legsOf(loaded).filter((l) => l.carrierOrgId === caller.orgId);
  if (legs.length === 0) {
    const carrier = loaded.carriers.some((c) => c.orgId === caller.orgId);
    throw ruleViolation('track_leg', carrier
      ? 'Your organisation has not taken over the load yet: a track is posted for a leg once it began'
      : 'Only a carrier of the manifest posts its track, for the leg it holds');
  }
  const { valid, errors } = checkFixes(fixes, legs, settings, now);
  if (errors.length) {
    throw new AppError('VALIDATION_FAILED', `${errors.length} of ${fixes.length} fixes refused; nothing was stored`, { errors, refused: errors.length });
  }

  const margin = settings.timeMarginMinutes * 60_000;
  for (const leg of legs) {
    const mine = valid.filter((f) => f.position === leg.position);
    if (mine.length === 0) continue;
    const times = mine.map((f) => f.at.getTime());
    const stored = await storedAround(pool, manifestId, leg.position, new Date(Math.min(...times)), new Date(Math.max(...times)), legWindow(leg, margin, now).from);
    flagImplausible([...stored, ...mine.map((f) => ({ at: f.at, lat: f.fix.lat, lng: f.fix.lng, stored: false, fix: f }))], settings.maxSpeedKmh);
  }

  const round = (v: number | undefined) => (v === undefined ? null : Math.round(v));
  const { rows } = await pool.query<{ implausible: boolean }>(
    `INSERT INTO track_fixes (manifest_id, position, at, fix_id, lat_e6, lng_e6, speed_kmh, heading_deg, accuracy_m, implausible)
     SELECT $1, u.position, u.at, u.fix_id, u.lat_e6, u.lng_e6, u.speed_kmh, u.heading_deg, u.accuracy_m, u.implausible
       FROM unnest($2::smallint[], $3::timestamptz[], $4::text[], $5::integer[], $6::integer[], $7::smallint[], $8::smallint[], $9::smallint[], $10::boolean[])
         AS u(position, at, fix_id, lat_e6, lng_e6, speed_kmh, heading_deg, accuracy_m, implausible)
     ON CONFLICT DO NOTHING
     RETURNING implausible`,
    [
      manifestId,
      valid.map((f) => f.position),
      valid.map((f) => f.at),
      valid.map((f) => f.fix.id),
      valid.map((f) => Math.round(f.fix.lat * E6)),
      valid.map((f) => Math.round(f.fix.lng * E6)),
      valid.map((f) => round(f.fix.speedKmh)),
      valid.map((f) => (f.fix.headingDeg === undefined ? null : Math.round(f.fix.headingDeg) % 360)),
      valid.map((f) => round(f.fix.accuracyM)),
      valid.map((f) => f.implausible),
    ],
  );
  return {
    accepted: rows.length,
    duplicate: fixes.length - rows.length,
    implausible: rows.filter((r) => r.implausible).length,
    refused: 0,
  };
}
