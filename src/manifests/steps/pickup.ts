// 起运: the first carrier scans every container of the manifest (and no other) and takes the load;
// the containers leave the generator's storage (出库) and go in transit.
import { eq } from 'drizzle-orm';
import { organisations } from '../../db/schema.js';
import { ruleViolation } from '../../core/errors.js';
import type { KeyRing } from '../../auth/keys.js';
import { lockLabels, recordCustodySteps, type CustodyStep } from '../../labels/custody.js';
import { treatmentLedgerKind } from '../../labels/ledger-codes.js';
import { tokenFromQr, verifyLabelToken } from '../../labels/qr-token.js';
import type { ManifestActionInput } from '../schemas.js';
import { DRIVER_ROLES, takeOver } from './carriage.js';
import { required } from '../../core/required.js';
import type { ManifestStep } from './manifest-step.js';
import { returnPickupSteps } from '../return-pickup.js';

async function scannedLabelIds(keys: KeyRing, input: ManifestActionInput): Promise<string[]> {
  if (input.qr?.length) {
    const ids: string[] = [];
    for (const qr of input.qr) ids.push((await verifyLabelToken(keys, tokenFromQr(qr))).lid);
    return ids;
  }
  return required(input.labelIds, 'labelIds or qr');
}

export const pickup: ManifestStep = {
  action: 'pickup',
  roles: DRIVER_ROLES,
  async plan({ cmd, settings, caller, loaded: { m, items, carriers }, input, occurredAt, day }) {
    const { tx } = cmd;
    const scanned = await scannedLabelIds(settings.keys, input);
    const expected = new Set(items.map((i) => i.labelId));
    const seen = new Set(scanned);
    const missing = items.filter((i) => !seen.has(i.labelId)).map((i) => ({ labelId: i.labelId, digitalCode: i.digitalCode }));
    const extra = [...seen].filter((lid) => !expected.has(lid));
    if (missing.length || extra.length) {
      throw ruleViolation('scan_mismatch', `The scanned containers differ from the manifest: ${missing.length} missing, ${extra.length} not on it`, { missing, extra });
    }
    const { plate, driver } = await takeOver(tx, m.id, carriers[0], input, occurredAt, day);
    // Out of the generator's storage (出库) and, when the route is known, contracted treatment (委外).
    const [receiver] = await tx.select().from(organisations).where(eq(organisations.id, m.receiverId));
    const wwKind = m.intendedMethod ? treatmentLedgerKind(m.intendedMethod, false) : undefined;
    const locked = await lockLabels(tx, items.map((i) => i.labelId));
    if (m.kind === 'return') {
      await recordCustodySteps(cmd, returnPickupSteps(m, locked, caller.orgId, occurredAt, input.location ?? null, plate));
      return { set: { pickedUpAt: occurredAt, currentCarrier: 0 }, details: { vehiclePlate: plate, driver, returnOf: m.originalManifestId } };
    }
    await recordCustodySteps(cmd, locked.map((label): CustodyStep => ({
      label, action: 'dispatch', orgId: caller.orgId, occurredAt, manifestId: m.id, location: input.location ?? null,
      changes: { hasLeftGenerator: true }, details: { manifestNumber: m.number, vehiclePlate: plate },
      ledger: [
        { orgId: m.generatorId, kind: 'HWCK', counterpartyName: receiver.name, manifestNumber: m.number },
        ...(wwKind ? [{ orgId: m.generatorId, kind: wwKind, method: m.intendedMethod, counterpartyName: receiver.name, manifestNumber: m.number }] : []),
      ],
    })));
    return { set: { pickedUpAt: occurredAt, currentCarrier: 0 }, details: { vehiclePlate: plate, driver } };
  },
};
