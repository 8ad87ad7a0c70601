// Who may take a carriage step, and the vehicle and driver a carrier records when it takes the load.
import { and, eq } from 'drizzle-orm';
import { manifestCarriers } from '../../db/schema.js';
import { WRITE_ROLES } from '../../auth/roles.js';
import type { Tx } from '../../db/database.js';
import { normalisePlate } from '../../parties/vehicles.js';
import { checkVehicle } from '../submit-checks.js';
import { required } from '../../core/required.js';
import type { ManifestActionInput } from '../schemas.js';
import type { CarrierRow } from '../manifest-view.js';

/** Carriage and receipt steps are taken by drivers too. */
export const DRIVER_ROLES = [...WRITE_ROLES, 'driver' as const];

/**
 * Checks the vehicle of the carrier and records it, its driver and the time. An external carrier's
 * vehicles are not in our registry: its declared transport licence was checked at submit.
 */
export async function takeOver(tx: Tx, manifestId: string, carrier: CarrierRow, input: ManifestActionInput, occurredAt: Date, day: string) {
  const plate = normalisePlate(required(input.vehiclePlate, 'vehiclePlate'));
  const driver = required(input.driver, 'driver');
  if (!carrier.external) await checkVehicle(tx, carrier.orgId, plate, day);
  await tx.update(manifestCarriers).set({ vehiclePlate: plate, driverName: driver.name, driverQualificationNo: driver.qualificationNo, tookOverAt: occurredAt })
    .where(and(eq(manifestCarriers.manifestId, manifestId), eq(manifestCarriers.position, carrier.position)));
  return { plate, driver };
}
