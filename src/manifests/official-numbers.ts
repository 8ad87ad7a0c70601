// Official 联单 numbers (docs/regulations.md#official-numbers, docs/exchange.md): an exchange client
// of the regulator supervising the manifest records the number the national or provincial system
// assigned to it.
// One number per manifest and system, none twice in a system; the same number again is a no-op, a
// different one is a correction that states its reason and leaves the old value in the audit trail.
import { and, eq, ne } from 'drizzle-orm';
import { manifestOfficialNumbers, manifests } from '../db/schema.js';
import type { Command } from '../commands/unit-of-work.js';
import { requireClientRole, requireOrgRole, supervises } from '../auth/roles.js';
import { AppError, invalid, notFound, ruleViolation } from '../core/errors.js';
import { loadVisibleManifest, type ManifestRow } from './manifest-view.js';
import { officialNumberView, type OfficialNumberRow, type OfficialSystem } from './official-number-view.js';

export interface OfficialNumberInput { system: OfficialSystem; number: string; assignedAt: string; reason?: string }

const CLOCK_SKEW_MS = 2 * 60_000;
/** 转移管理办法 Art. 15: year (4) + province (2) + city (2) + serial within the city (6). */
const NATIONAL_NUMBER = /^\d{14}$/;

/** The body's checks beyond its schema: the national number's form and city, and a plausible time. */
function checkInput(m: ManifestRow, input: OfficialNumberInput, now: Date): Date {
  if (input.system === 'national' && !NATIONAL_NUMBER.test(input.number)) {
    throw invalid('A national manifest number has 14 digits (转移管理办法 Art. 15)', [{ path: 'body.number', message: 'not 14 digits' }]);
  }
  const assignedAt = new Date(input.assignedAt);
  if (assignedAt.getTime() > now.getTime() + CLOCK_SKEW_MS) {
    throw invalid('assignedAt lies in the future', [{ path: 'body.assignedAt', message: 'in the future' }]);
  }
  // Digits 5–8 are the province and city the waste leaves: a number for another city is a mix-up.
  const city = m.regionCode.slice(0, 4);
  if (input.system === 'national' && input.number.slice(4, 8) !== city) {
    throw ruleViolation('official_number_region', `A national number for this manifest names the city ${city} in digits 5–8, not ${input.number.slice(4, 8)}`, { cityCode: city });
  }
  return assignedAt;
}

/** The number is another manifest's in this system: a 409 naming the rule, not that manifest. */
const taken = (input: OfficialNumberInput) =>
  new AppError('CONFLICT', `Another manifest already holds the ${input.system} number ${input.number}`, { rule: 'official_number_taken' });

/** drizzle wraps the driver's error; the SQLSTATE is on it or its cause. */
const isUniqueViolation = (e: unknown) =>
  [(e as { code?: unknown })?.code, (e as { cause?: { code?: unknown } })?.cause?.code].includes('23505');

async function refuseTaken(cmd: Command, m: ManifestRow, input: OfficialNumberInput) {
  const [other] = await cmd.tx.select({ id: manifestOfficialNumbers.manifestId }).from(manifestOfficialNumbers)
    .where(and(eq(manifestOfficialNumbers.system, input.system), eq(manifestOfficialNumbers.number, input.number), ne(manifestOfficialNumbers.manifestId, m.id)));
  if (other) throw taken(input);
}

/**
 * Records (or corrects) the manifest's official number in one system. The manifest row is locked
 * first, so requests for one manifest run one after another; a concurrent request for another
 * manifest with the same number meets the unique index and is refused as taken.
 */
export async function recordOfficialNumber(cmd: Command, id: string, input: OfficialNumberInput) {
  const { tx, actor: { caller } } = cmd;
  const { m } = await loadVisibleManifest(tx, caller, id, true);
  cmd.onRefusal({ chain: m.regionCode, entityType: 'manifest', entityId: m.id, action: 'assign_official_number', before: { version: m.version } });
  requireClientRole(caller, 'exchange');
  requireOrgRole(caller, 'regulator');
  // Visible is not enough: the exchange client's regulator supervises where the waste leaves or arrives.
  if (!supervises(caller, m.regionCode) && !supervises(caller, m.receiverRegionCode)) throw notFound('Manifest');
  if (m.number === null) throw ruleViolation('official_number_state', 'A draft has no number yet: the official number is recorded once the manifest is submitted');
  const now = new Date();
  const assignedAt = checkInput(m, input, now);

  const [current] = await tx.select().from(manifestOfficialNumbers)
    .where(and(eq(manifestOfficialNumbers.manifestId, m.id), eq(manifestOfficialNumbers.system, input.system)));
  if (current?.number === input.number) return answer(200, m, current);
  if (current && !input.reason) {
    throw new AppError('CONFLICT', `The manifest already holds the ${input.system} number ${current.number}; a correction states its reason`, {
      rule: 'official_number_assigned', current: officialNumberView(current),
    });
  }
  await refuseTaken(cmd, m, input);

  const by = { orgId: caller.orgId, clientId: caller.clientId };
  let row: OfficialNumberRow | undefined;
  if (current) {
    // In a savepoint: a concurrent request for another manifest that commits this number first makes
    // the update meet the unique index, which is the same refusal as above, not a bare conflict.
    [row] = await tx.transaction((sp) => sp.update(manifestOfficialNumbers)
      .set({ number: input.number, assignedAt, recordedAt: now, ...by, correctedAt: now, correctionReason: input.reason })
      .where(and(eq(manifestOfficialNumbers.manifestId, m.id), eq(manifestOfficialNumbers.system, input.system))).returning())
      .catch((e: unknown) => { throw isUniqueViolation(e) ? taken(input) : e; });
  } else {
    [row] = await tx.insert(manifestOfficialNumbers)
      .values({ manifestId: m.id, system: input.system, number: input.number, assignedAt, recordedAt: now, ...by })
      .onConflictDoNothing().returning();
  }
  // Nothing inserted: a concurrent request for another manifest committed this number first (the
  // manifest's own row for this system cannot appear meanwhile: the manifest is locked).
  if (!row) throw taken(input);

  const [updated] = await tx.update(manifests).set({ version: m.version + 1, updatedAt: now }).where(eq(manifests.id, m.id)).returning();
  const after = { version: updated.version, ...officialNumberView(row) };
  await cmd.audit(current
    ? { chain: m.regionCode, entityType: 'manifest', entityId: m.id, action: 'correct_official_number', before: { version: m.version, ...officialNumberView(current) }, after }
    : { chain: m.regionCode, entityType: 'manifest', entityId: m.id, action: 'assign_official_number', before: { version: m.version }, after });
  return answer(current ? 200 : 201, updated, row);
}

function answer(status: number, m: ManifestRow, row: OfficialNumberRow) {
  return {
    status,
    body: { manifestId: m.id, manifestNumber: m.number, version: m.version, officialNumber: officialNumberView(row) },
  };
}
