// The checks of docs/regulations.md#submit-checks before a manifest may be submitted: each failure is a 422 that names
// the rule and the offending waste code or party.
import { and, eq, gte, inArray, lte, sql } from 'drizzle-orm';
import type { DbOrTx } from '../db/database.js';
import { exemptions, licences, organisations, vehicles } from '../db/schema.js';
import { ruleViolation } from '../core/errors.js';
import { licenceActiveOn, licenceCovers, licenceHasMode, RECEIVING_LICENCE_KINDS } from '../parties/licence-rules.js';
import { shanghaiDate, shanghaiDayStart } from '../calendar/working-days.js';
import { methodKind } from '../catalog/treatment-methods.js';
import type { LoadedManifest } from './manifest-view.js';
import { receivedThisYearKg } from './received-weight.js';
import { SHIPPABLE_STATES } from '../labels/label-states.js';
import { checkDeclaredLicence } from '../parties/external-parties.js';

type Licence = typeof licences.$inferSelect;

/** Why no licence serves this code, from the most to the least specific reason. */
function licenceRefusal(covering: Licence[], date: string, code: string, method: string | null) {
  if (covering.length === 0) return ruleViolation('licence_coverage', `The receiver holds no licence or collection approval covering ${code}`, { wasteCode: code });
  const inForce = covering.filter((l) => l.status === 'active');
  if (inForce.length === 0) {
    return ruleViolation('licence_suspended', `The receiver's licence covering ${code} is ${covering[0].status}`, { wasteCode: code, licenceNumber: covering[0].number });
  }
  const valid = inForce.filter((l) => licenceActiveOn(l, date));
  if (valid.length === 0) {
    return ruleViolation('licence_expired', `The receiver's licence covering ${code} is not valid on ${date}`, { wasteCode: code, licenceNumber: inForce[0].number, plannedOn: date });
  }
  return ruleViolation('licence_mode', `The receiver's licence covering ${code} has no mode for method ${method ?? '(none)'}`, { wasteCode: code, licenceNumber: valid[0].number });
}

export async function checkSubmission(tx: DbOrTx, { m, carriers, items }: LoadedManifest): Promise<void> {
  const date = shanghaiDate(m.plannedAt);
  const [receiver] = await tx.select().from(organisations).where(eq(organisations.id, m.receiverId));
  const isCollector = receiver.roles.includes('collector');
  // Any kind under which a receiver takes waste in; its modes (and, for a collection licence, its
  // codes) say what it allows (docs/regulations.md#licence-kinds).
  const held = await tx.select().from(licences).where(and(eq(licences.orgId, m.receiverId), inArray(licences.kind, [...RECEIVING_LICENCE_KINDS])));
  const exempt = await tx.select().from(exemptions).where(and(
    eq(exemptions.generatorId, m.generatorId), eq(exemptions.receiverId, m.receiverId),
    lte(exemptions.validFrom, date), gte(exemptions.validTo, date),
  ));

  // A return manifest carries refused containers still waiting at the receiver that refused them.
  const shippable: string[] = m.kind === 'return' ? ['rejected'] : SHIPPABLE_STATES;
  const unshippable = items.filter((i) => !shippable.includes(i.state));
  if (unshippable.length) {
    throw ruleViolation('labels_unavailable', `Every container must be ${shippable.join(' or ')} to be shipped`, { labelIds: unshippable.map((i) => i.labelId) });
  }
  // The generator taking its own waste back needs no receiving licence (docs/regulations.md#return-trips).
  const backToGenerator = m.kind === 'return' && m.receiverId === m.generatorId;

  // Per waste code: an exemption for this pair, or a licence in force that covers it with the right mode.
  const kgByLicence = new Map<string, { licence: Licence; kg: number }>();
  // An external receiver's licence is the one it declared (docs/regulations.md#external-parties).
  if (receiver.external) checkDeclaredLicence(receiver, date, 'licence_expired');
  for (const code of backToGenerator || receiver.external ? [] : [...new Set(items.map((i) => i.wasteCode))].sort()) {
    // A point-to-point exemption covers utilisation only (名录 appendix entry 32).
    const utilisation = m.intendedMethod ? methodKind(m.intendedMethod) === 'utilisation' : false;
    if (utilisation && exempt.some((e) => e.wasteCode === code && (!m.exemptionId || e.id === m.exemptionId))) continue;
    const covering = held.filter((l) => licenceCovers(l, code));
    const usable = covering.find((l) => l.status === 'active' && licenceActiveOn(l, date) && licenceHasMode(l, m.intendedMethod ?? undefined, isCollector));
    if (!usable) throw licenceRefusal(covering, date, code, m.intendedMethod);
    const kg = items.filter((i) => i.wasteCode === code).reduce((s, i) => s + i.declaredKg, 0);
    const entry = kgByLicence.get(usable.id) ?? { licence: usable, kg: 0 };
    entry.kg += kg;
    kgByLicence.set(usable.id, entry);
  }

  // Annual capacity: what the receiver already took in this year plus this manifest.
  const year = Number(date.slice(0, 4));
  for (const { licence, kg } of kgByLicence.values()) {
    if (licence.annualCapacityKg === null) continue;
    const used = await receivedThisYearKg(tx, m.receiverId, year);
    if (used + kg > licence.annualCapacityKg) {
      throw ruleViolation('capacity', `Licence ${licence.number} allows ${licence.annualCapacityKg} kg a year; ${used} kg received in ${year}, this manifest adds ${kg} kg`,
        { licenceNumber: licence.number, annualCapacityKg: licence.annualCapacityKg, usedKg: used, manifestKg: kg });
    }
  }

  // Every carrier holds a transport licence valid on the planned date; named vehicles are registered to it.
  const transport = await tx.select().from(licences).where(and(inArray(licences.orgId, carriers.map((c) => c.orgId)), eq(licences.kind, 'transport')));
  const externalCarriers = await tx.select().from(organisations).where(and(inArray(organisations.id, carriers.map((c) => c.orgId)), eq(organisations.external, true)));
  for (const c of carriers) {
    const external = externalCarriers.find((o) => o.id === c.orgId);
    if (external) { checkDeclaredLicence(external, date, 'carrier_licence'); continue; }
    const valid = transport.filter((l) => l.orgId === c.orgId && l.status === 'active' && licenceActiveOn(l, date));
    if (valid.length === 0) {
      throw ruleViolation('carrier_licence', `Carrier ${c.position + 1} has no transport licence valid on ${date}`, { carrierId: c.orgId });
    }
    if (c.vehiclePlate) await checkVehicle(tx, c.orgId, c.vehiclePlate, date);
  }

  // 转移管理办法 Art. 10: the shipper fills in the emergency measures of every transfer
  // (docs/regulations.md#emergency-measures). Checked last, so a manifest refused for its parties or
  // waste is told that first.
  if (m.emergencyMeasures.trim() === '') {
    throw ruleViolation('emergency_measures', 'State the emergency measures for this transfer (emergencyMeasures) before submitting', { manifestId: m.id });
  }
}

/** A plate registered to the carrier under a transport licence valid on the date. */
export async function checkVehicle(tx: DbOrTx, carrierId: string, plate: string, date: string): Promise<void> {
  const [row] = await tx.select({ v: vehicles, l: licences }).from(vehicles)
    .innerJoin(licences, eq(licences.id, vehicles.licenceId))
    .where(and(eq(vehicles.orgId, carrierId), eq(vehicles.plate, plate)));
  if (!row) throw ruleViolation('vehicle_unregistered', `Vehicle ${plate} is not registered to this carrier`, { vehiclePlate: plate, carrierId });
  if (row.l.status !== 'active' || !licenceActiveOn(row.l, date)) {
    throw ruleViolation('vehicle_unregistered', `Vehicle ${plate}'s transport licence is not valid on ${date}`, { vehiclePlate: plate, carrierId });
  }
}


