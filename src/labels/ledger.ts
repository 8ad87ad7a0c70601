// The HJ 1259 management ledger of one organisation, as JSON records or as the standard's CSV. Times
// are Asia/Shanghai local time with their offset, so a record's time shows the date of its batch code.
import { and, asc, eq, gte, lt } from 'drizzle-orm';
import { csvStream, type NextPage } from '../http/csv.js';
import { afterCursor, encodeCursor } from '../db/keyset.js';
import type { Db } from '../db/database.js';
import { ledgerRecords } from '../db/schema.js';
import { DESTINATIONS, LEDGER_KINDS, type Destination, type LedgerKind } from './ledger-codes.js';
import { shanghaiDateTime, shanghaiDayStart } from '../calendar/working-days.js';

export type LedgerRow = typeof ledgerRecords.$inferSelect;

const FORMS: Record<string, string> = { solid: '固态', semi_solid: '半固态', liquid: '液态', gas: '气态' };

/** Column headings as HJ 1259-2022's ledger tables name them, and how each is filled. */
const COLUMNS: Array<[string, (r: LedgerRow) => string | number]> = [
  ['批次编码', (r) => r.batchCode],
  ['记录类型', (r) => LEDGER_KINDS[r.kind as LedgerKind] ?? r.kind],
  ['发生时间', (r) => shanghaiDateTime(r.occurredAt)],
  ['废物名称', (r) => r.wasteName],
  ['废物类别', (r) => r.category],
  ['废物代码', (r) => r.wasteCode],
  ['废物形态', (r) => FORMS[r.physicalForm] ?? r.physicalForm],
  ['数量', (r) => r.quantityKg],
  ['计量单位', () => 'kg'],
  ['容器/包装数字识别码', (r) => r.digitalCode],
  ['设施编码', (r) => r.facilityCode ?? ''],
  ['利用/处置方式', (r) => r.method ?? ''],
  ['接收/来源单位', (r) => r.counterpartyName ?? ''],
  ['转移联单编号', (r) => r.manifestNumber ?? ''],
  // The named person where the client named one; else the client that recorded it, the only actor known.
  ['经办人', (r) => r.handledByName ?? r.operatorClientId],
  ['容器/包装类型', (r) => r.packagingType ?? ''],
  ['容器/包装数量', (r) => r.containerCount],
  ['去向', (r) => destinationName(r)],
  // Not an HJ 1259 column: marks the records an approved manifest revision wrote (冲销 reverses the
  // batch code named, 更正 restates it corrected, 补记 adds a 入库 of a container the correction
  // accepts; docs/regulations.md#manifest-corrections).
  ['更正', (r) => (r.correction === null ? '' : `${CORRECTION_NAMES[r.correction] ?? r.correction} ${r.correctsBatchCode ?? ''}`.trim())],
];

const CORRECTION_NAMES: Record<string, string> = { reversal: '冲销', replacement: '更正', addition: '补记' };

function destinationName(r: LedgerRow): string {
  return r.destination ? DESTINATIONS[r.destination as Destination] ?? r.destination : '';
}

export const LEDGER_CSV_HEADER = COLUMNS.map(([h]) => h);


/** The ledger as a CSV stream, page by page, with a BOM so spreadsheet programs open the Chinese headings as UTF-8. */
export function ledgerCsv(nextPage: NextPage<LedgerRow>) {
  return csvStream(LEDGER_CSV_HEADER, nextPage, (r) => COLUMNS.map(([, f]) => f(r)), true);
}

function period(orgId: string, from?: string, to?: string) {
  const where = [eq(ledgerRecords.orgId, orgId)];
  if (from) where.push(gte(ledgerRecords.occurredAt, shanghaiDayStart(from)));
  if (to) where.push(lt(ledgerRecords.occurredAt, new Date(shanghaiDayStart(to).getTime() + 86_400_000)));
  return where;
}

/** Records of the period [from, to] (calendar dates in Asia/Shanghai), in time order. */
export async function readLedger(db: Db, orgId: string, from?: string, to?: string) {
  return db.select().from(ledgerRecords).where(and(...period(orgId, from, to))).orderBy(asc(ledgerRecords.occurredAt), asc(ledgerRecords.id));
}

/** One page of the same records, after `cursor` (ledger_org_time_idx walks them in this order). */
export async function readLedgerPage(db: Db, orgId: string, from: string | undefined, to: string | undefined, limit: number, cursor?: string) {
  const where = period(orgId, from, to);
  if (cursor) where.push(afterCursor([ledgerRecords.occurredAt, ledgerRecords.id], cursor));
  const page = await db.select().from(ledgerRecords).where(and(...where))
    .orderBy(asc(ledgerRecords.occurredAt), asc(ledgerRecords.id)).limit(limit);
  const last = page[page.length - 1];
  return { page, nextCursor: page.length === limit ? encodeCursor([last.occurredAt, last.id]) : null };
}

export function ledgerView(r: LedgerRow) {
  return {
    batchCode: r.batchCode,
    kind: r.kind,
    kindName: LEDGER_KINDS[r.kind as LedgerKind] ?? r.kind,
    occurredAt: shanghaiDateTime(r.occurredAt),
    labelId: r.labelId,
    digitalCode: r.digitalCode,
    wasteCode: r.wasteCode,
    wasteName: r.wasteName,
    category: r.category,
    physicalForm: r.physicalForm,
    quantityKg: r.quantityKg,
    facilityCode: r.facilityCode,
    method: r.method,
    counterpartyName: r.counterpartyName,
    manifestNumber: r.manifestNumber,
    operatorClientId: r.operatorClientId,
    handledBy: r.handledByName === null ? null : { name: r.handledByName, idNumber: r.handledByIdNumber },
    packagingType: r.packagingType,
    containerCount: r.containerCount,
    destination: r.destination,
    destinationName: destinationName(r) || null,
    correction: r.correction === null ? null : { kind: r.correction, correctsBatchCode: r.correctsBatchCode, revisionId: r.revisionId },
  };
}
