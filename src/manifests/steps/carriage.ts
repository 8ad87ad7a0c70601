// Who may take a carriage step, and the vehicle and driver a carrier records when it takes the load.
import { and, eq } from 'drizzle-orm';
import { manifestCarriers } from '../../db/schema.js';
import { WRITE_ROLES } from '../../auth/roles.js';
import type { Tx } from '../../db/database.js';
import { normalisePlate } from '../../parties/vehicles.js';
import { checkVehicle } from '../submit-checks.js';
import { required } from '../../core/required.js';
import type { ManifestActionInput } from '../schemas.js';

/** Carriage and receipt steps are taken by drivers too. */
export const DRIVER_ROLES = [...WRITE_ROLES, 'driver' as const];

/** Checks the vehicle of the carrier at `position` and records it, its driver and the time. */
export async function takeOver(tx: Tx, manifestId: string, carrierOrgId: string, position: number, input: ManifestActionInput, occurredAt: Date, day: string) {
  const plate = normalisePlate(required(input.vehiclePlate, 'vehiclePlate'));
  const driver = required(input.driver, 'driver');
  await checkVehicle(tx, carrierOrgId, plate, day);
  await tx.update(manifestCarriers).set({ vehiclePlate: plate, driverName: driver.name, driverQualificationNo: driver.qualificationNo, tookOverAt: occurredAt })
    .where(and(eq(manifestCarriers.manifestId, manifestId), eq(manifestCarriers.position, position)));
  return { plate, driver };
}
