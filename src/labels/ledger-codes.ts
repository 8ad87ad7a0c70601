// HJ 1259 ledger batch codes: prefix + YYYYMMDD + 3-digit serial per organisation, prefix and day
// (assigned by custody_write_steps, migrations/0005).
import { methodKind } from '../catalog/treatment-methods.js';

export const LEDGER_KINDS = {
  HWCS: '产生',
  HWRK: '入库',
  HWCK: '出库',
  HWZXLY: '自行利用',
  HWZXCZ: '自行处置',
  HWWWLY: '委外利用',
  HWWWCZ: '委外处置',
} as const;
export type LedgerKind = keyof typeof LEDGER_KINDS;

/** A utilisation method (R…, C2, C3) is 利用; a disposal method (D…, C1, Y…) 处置 (docs/regulations.md#treatment-methods). */
export function treatmentLedgerKind(method: string, own: boolean): LedgerKind {
  const utilisation = methodKind(method) === 'utilisation';
  if (own) return utilisation ? 'HWZXLY' : 'HWZXCZ';
  return utilisation ? 'HWWWLY' : 'HWWWCZ';
}


/**
 * 去向 of a generation record (HJ 1259 B.1): where the container goes from the point of generation.
 * A container issued without one goes to storage, the path the label lifecycle takes next.
 */
export const DESTINATIONS = {
  storage: '贮存',
  own_utilisation: '自行利用',
  own_disposal: '自行处置',
  contracted: '委外利用/处置',
} as const;
export type Destination = keyof typeof DESTINATIONS;
