// The waste balance of one site over a period, drafted from the HJ 1259 ledger (docs/regulations.md#declarations):
// per waste code, the stock at the start, what was generated, received, transferred out, utilised
// and disposed of in-house, and the stock at the end, with the batch codes behind each flow.
// Quantities in tonnes (HJ 1259-2022 §5.5), summed in grams so the figures reconcile exactly:
// opening + generated + received − transferred out − utilised − disposed = closing.
//
// Which record is which flow (ledger-codes.ts, docs/regulations.md#ledger-records): 产生 HWCS is
// generated; 入库 HWRK is received when it names where it came from (a receipt), and otherwise an
// entry into the unit's own storage (no change of the unit's holding); 出库 HWCK is transferred out;
// 自行利用 HWZXLY and 自行处置 HWZXCZ are in-house; 委外 HWWWLY/HWWWCZ restate a transfer's method,
// not a second outflow. Correcting records (reversals negated, replacements) count like any record.
import { sql } from 'drizzle-orm';
import type { DbOrTx } from '../../db/database.js';
import { shanghaiDayStart } from '../../calendar/working-days.js';
import { siteOfRecordSql } from './site-of-record.js';

export const FLOWS = ['generated', 'received', 'transferredOut', 'utilisedInHouse', 'disposedInHouse'] as const;
export type Flow = (typeof FLOWS)[number];
const OUTFLOWS: readonly Flow[] = ['transferredOut', 'utilisedInHouse', 'disposedInHouse'];

/** The flow of a ledger record `lr`, in SQL (null: moves nothing in or out of the unit). */
const FLOW_SQL = sql`CASE lr.kind WHEN 'HWCS' THEN 'generated'
  WHEN 'HWRK' THEN CASE WHEN lr.counterparty_name IS NOT NULL THEN 'received' END
  WHEN 'HWCK' THEN 'transferredOut' WHEN 'HWZXLY' THEN 'utilisedInHouse' WHEN 'HWZXCZ' THEN 'disposedInHouse' END`;

export interface Transfer {
  receiverId: string | null;
  receiverName: string;
  /** 许可证编码 of the receiver (its operating licence, or the licence an external party declared). */
  licenceNumber: string | null;
  /** 利用/处置方式代码 the manifest names. */
  method: string | null;
  /** 省内 or 跨省 (A.7 转移类型), from the provinces of the site and the receiver. */
  transferType: 'in_province' | 'cross_province' | null;
  quantityT: number;
  manifestNumbers: string[];
}

export interface InHouse { kind: 'utilisation' | 'disposal'; method: string | null; facilityCode: string | null; quantityT: number }

export interface WasteBalance {
  wasteCode: string;
  wasteName: string;
  category: string;
  physicalForm: string;
  unit: 't';
  openingStockT: number;
  generatedT: number;
  receivedT: number;
  transferredOutT: number;
  utilisedInHouseT: number;
  disposedInHouseT: number;
  closingStockT: number;
  /** The batch codes of the records behind each flow. */
  batchCodes: Record<Flow, string[]>;
  /** Storage facilities the waste entered (入库 facility codes). */
  storageFacilityCodes: string[];
  inHouse: InHouse[];
  transfers: Transfer[];
}

const t = (grams: bigint | number) => Number(grams) / 1e6;
const nextDay = (date: string) => new Date(shanghaiDayStart(date).getTime() + 86_400_000);

type PeriodRow = {
  kind: string; flow: Flow | null; batch_code: string; waste_code: string; waste_name: string; category: string; physical_form: string;
  g: string; method: string | null; facility_code: string | null; counterparty_name: string | null; manifest_number: string | null;
  receiver_id: string | null; intended_method: string | null; cross_province: boolean | null; licence_number: string | null;
};

/** The balance of the site's records for the days [from, to] (Asia/Shanghai), one row per waste code. */
export async function wasteBalance(db: DbOrTx, orgId: string, siteId: string, from: string, to: string): Promise<WasteBalance[]> {
  const start = shanghaiDayStart(from);
  const end = nextDay(to);
  // Most units have one site: every record is that site's, and the per-record attribution is skipped.
  const { rows: [{ n }] } = await db.execute<{ n: number }>(sql`SELECT count(*)::int AS n FROM sites WHERE org_id = ${orgId}`);
  const atSite = n <= 1 ? sql`TRUE` : sql`${siteOfRecordSql} = ${siteId}::uuid`;
  const opening = await db.execute<{ waste_code: string; waste_name: string; category: string; physical_form: string; g: string }>(sql`
    SELECT lr.waste_code, max(lr.waste_name) AS waste_name, max(lr.category) AS category, max(lr.physical_form) AS physical_form,
      sum(CASE WHEN ${FLOW_SQL} IN ('generated', 'received') THEN 1 WHEN ${FLOW_SQL} IS NULL THEN 0 ELSE -1 END
          * round(lr.quantity_kg * 1000))::text AS g
    FROM ledger_records lr
    WHERE lr.org_id = ${orgId} AND lr.occurred_at < ${start} AND ${atSite}
    GROUP BY lr.waste_code`);
  const period = await db.execute<PeriodRow>(sql`
    SELECT lr.kind, ${FLOW_SQL} AS flow, lr.batch_code, lr.waste_code, lr.waste_name, lr.category, lr.physical_form,
      round(lr.quantity_kg * 1000)::text AS g, lr.method, lr.facility_code, lr.counterparty_name, lr.manifest_number,
      m.receiver_id, m.intended_method,
      left(m.receiver_region_code, 2) <> left((SELECT s.region_code FROM sites s WHERE s.id = ${siteId}::uuid), 2) AS cross_province,
      COALESCE(ro.declared_licence_number, (SELECT lic.number FROM licences lic
        WHERE lic.org_id = m.receiver_id AND lic.kind <> 'transport'
        ORDER BY (lic.valid_from <= lr.occurred_at::date AND lic.valid_to >= lr.occurred_at::date) DESC, lic.valid_to DESC LIMIT 1)) AS licence_number
    FROM ledger_records lr
    LEFT JOIN manifests m ON lr.kind = 'HWCK' AND m.number = lr.manifest_number
    LEFT JOIN organisations ro ON ro.id = m.receiver_id
    WHERE lr.org_id = ${orgId} AND lr.occurred_at >= ${start} AND lr.occurred_at < ${end} AND ${atSite}
    ORDER BY lr.occurred_at, lr.id`);

  type Acc = {
    b: WasteBalance; grams: Record<Flow | 'opening', bigint>; codes: Record<Flow, Set<string>>;
    inHouse: Map<string, Omit<InHouse, 'quantityT'> & { g: bigint }>;
    transfers: Map<string, Omit<Transfer, 'quantityT' | 'manifestNumbers'> & { g: bigint; numbers: Set<string> }>;
  };
  const rows = new Map<string, Acc>();
  const rowOf = (r: { waste_code: string; waste_name: string; category: string; physical_form: string }) => {
    let row = rows.get(r.waste_code);
    if (!row) {
      row = {
        b: {
          wasteCode: r.waste_code, wasteName: r.waste_name, category: r.category, physicalForm: r.physical_form, unit: 't',
          openingStockT: 0, generatedT: 0, receivedT: 0, transferredOutT: 0, utilisedInHouseT: 0, disposedInHouseT: 0, closingStockT: 0,
          batchCodes: { generated: [], received: [], transferredOut: [], utilisedInHouse: [], disposedInHouse: [] },
          storageFacilityCodes: [], inHouse: [], transfers: [],
        },
        grams: { opening: 0n, generated: 0n, received: 0n, transferredOut: 0n, utilisedInHouse: 0n, disposedInHouse: 0n },
        codes: { generated: new Set(), received: new Set(), transferredOut: new Set(), utilisedInHouse: new Set(), disposedInHouse: new Set() },
        inHouse: new Map(), transfers: new Map(),
      };
      rows.set(r.waste_code, row);
    }
    return row;
  };
  for (const r of opening.rows) rowOf(r).grams.opening = BigInt(r.g ?? '0');
  for (const r of period.rows) {
    const row = rowOf(r);
    const g = BigInt(r.g);
    if (r.kind === 'HWRK' && r.flow === null && r.facility_code && !row.b.storageFacilityCodes.includes(r.facility_code)) {
      row.b.storageFacilityCodes.push(r.facility_code);
    }
    if (!r.flow) continue;
    row.grams[r.flow] += g;
    row.codes[r.flow].add(r.batch_code);
    if (r.flow === 'utilisedInHouse' || r.flow === 'disposedInHouse') {
      const kind = r.flow === 'utilisedInHouse' ? 'utilisation' : 'disposal';
      const key = `${kind}|${r.method}|${r.facility_code}`;
      const x = row.inHouse.get(key) ?? { kind, method: r.method, facilityCode: r.facility_code, g: 0n };
      x.g += g;
      row.inHouse.set(key, x);
    }
    if (r.flow === 'transferredOut') {
      const key = `${r.receiver_id ?? r.counterparty_name}|${r.intended_method}`;
      const x = row.transfers.get(key) ?? {
        receiverId: r.receiver_id, receiverName: r.counterparty_name ?? '', licenceNumber: r.licence_number, method: r.intended_method,
        transferType: r.cross_province === null ? null : r.cross_province ? 'cross_province' as const : 'in_province' as const,
        g: 0n, numbers: new Set<string>(),
      };
      x.g += g;
      if (r.manifest_number) x.numbers.add(r.manifest_number);
      row.transfers.set(key, x);
    }
  }
  const out: WasteBalance[] = [];
  for (const { b, grams, codes, inHouse, transfers } of [...rows.values()].sort((x, y) => x.b.wasteCode.localeCompare(y.b.wasteCode))) {
    const moved = FLOWS.some((f) => grams[f] !== 0n);
    if (!moved && grams.opening === 0n) continue; // nothing held, nothing moved: no row
    b.openingStockT = t(grams.opening);
    for (const f of FLOWS) {
      b[`${f}T`] = t(grams[f]);
      b.batchCodes[f] = [...codes[f]];
    }
    b.closingStockT = t(grams.opening + grams.generated + grams.received - OUTFLOWS.reduce((s, f) => s + grams[f], 0n));
    b.inHouse = [...inHouse.values()].map(({ g, ...x }) => ({ ...x, quantityT: t(g) }));
    b.transfers = [...transfers.values()].map(({ g, numbers, ...x }) => ({ ...x, quantityT: t(g), manifestNumbers: [...numbers] }));
    out.push(b);
  }
  return out;
}
