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

/** Utilisation (R…) is 利用; disposal (D…) and other routes (C…) are recorded as 处置. */
export function treatmentLedgerKind(method: string, own: boolean): LedgerKind {
  const utilisation = methodKind(method) === 'utilisation';
  if (own) return utilisation ? 'HWZXLY' : 'HWZXCZ';
  return utilisation ? 'HWWWLY' : 'HWWWCZ';
}

