// The CSV exports (the HJ 1259 ledger, the regulators' label and manifest searches): written by
// csv-stringify, read back by csv-parse to the same cells, with the same headers as before, and no
// cell a spreadsheet would run as a formula.
import { parse } from 'csv-parse/sync';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildTestApp, type TestApp } from '../support/test-app.js';
import { loginAdmin, type Client } from '../support/factories.js';
import {
  addFacility, addOperatingLicence, createCarrier, createSite, DRIVER, issueLabel, manifestAction, act, type CarrierSite, type Site, EMERGENCY_MEASURES
} from '../support/world.js';
import { LEDGER_CSV_HEADER, ledgerCsv, readLedger, readLedgerPage, type LedgerRow } from '../../src/labels/ledger.js';
import { LABEL_CSV_HEADER, MANIFEST_CSV_HEADER } from '../../src/supervision/search.js';
import { csvStream } from '../../src/http/csv.js';

// The headers as they were before csv-stringify: spreadsheets and scripts downstream rely on them.
const LEDGER_HEADER_LINE = '批次编码,记录类型,发生时间,废物名称,废物类别,废物代码,废物形态,数量,计量单位,容器/包装数字识别码,设施编码,利用/处置方式,接收/来源单位,转移联单编号,经办人,容器/包装类型,容器/包装数量,去向,更正';
const LABEL_HEADER_LINE = 'digitalCode,wasteCode,category,wasteName,state,quantityKg,generatorId,holderId,regionCode,generatedAt';
const MANIFEST_HEADER_LINE = 'number,state,generatorId,receiverId,regionCode,receiverRegionCode,discrepant,plannedAt,deliveredAt,receiptDueOn,receivedAt,createdAt';

const HOSTILE = ['=HYPERLINK("http://x","点我")', '+1+2', '-2+3', '@SUM(A1:A9)', '\t=1', '\r=1', '＝1+1'];
const AWKWARD = ['引号"在中间"', 'a,b', '两行\n文字', 'CR\r\nLF', '太原市迎泽区某某化工有限公司', ' 前后空格 ', ''];

const parseCsv = (text: string): string[][] => parse(text, { bom: true, relax_column_count: false });

/** The ledger CSV of these rows, as one page, read to the end. */
async function ledgerText(rows: LedgerRow[]): Promise<string> {
  let text = '';
  for await (const c of ledgerCsv(async () => ({ page: rows, nextCursor: null }))) text += String(c);
  return text;
}

/** A cell as a spreadsheet shows it when it does not run it: the apostrophe marks it as text. */
const neutralised = (v: string) => `'${v}`;

function ledgerRow(over: Partial<LedgerRow>): LedgerRow {
  return {
    id: 1, orgId: '0d6f3a52-4c1e-4f7a-9b2d-5e8c1a7b3f90', labelId: '6b2f1c3e-1a2b-4c5d-8e9f-0123456789ab', stepId: 1,
    kind: 'HWCK', batchCode: 'HWCK20261128001', occurredAt: new Date('2026-11-28T02:00:00Z'),
    wasteCode: '900-214-08', wasteName: '废矿物油', category: 'HW08', physicalForm: 'liquid', quantityKg: 180,
    digitalCode: '91140105MA0KXXXXX29002140820261128001', facilityCode: null, method: null,
    counterpartyName: null, manifestNumber: null, operatorClientId: 'cl_handset', packagingType: 'drum', containerCount: 1, destination: null, handledByName: null, handledByIdNumber: null, correction: null, correctsBatchCode: null, revisionId: null, createdAt: new Date('2026-11-28T02:00:01Z'),
    ...over,
  };
}

describe('the ledger CSV (unit)', () => {
  it('keeps its BOM and header, and every cell reads back as written', async () => {
    const names = [...AWKWARD];
    const csv = await ledgerText(names.map((n, i) => ledgerRow({ id: i + 1, counterpartyName: n, facilityCode: n || null })));
    expect(csv.startsWith(`\ufeff${LEDGER_HEADER_LINE}\r\n`)).toBe(true);
    expect(LEDGER_CSV_HEADER.join(',')).toBe(LEDGER_HEADER_LINE);
    const [header, ...rows] = parseCsv(csv);
    expect(header).toEqual(LEDGER_CSV_HEADER);
    expect(rows).toHaveLength(names.length);
    expect(rows.map((r) => r[12])).toEqual(names);
    expect(rows.map((r) => r[10])).toEqual(names);
    expect(rows[0].slice(0, 10)).toEqual([
      'HWCK20261128001', '出库', '2026-11-28T10:00:00.000+08:00', '废矿物油', 'HW08', '900-214-08', '液态', '180', 'kg', '91140105MA0KXXXXX29002140820261128001',
    ]);
    // Rows end in CRLF, as before.
    expect(csv.endsWith('cl_handset,drum,1,,\r\n')).toBe(true);
  });

  it('neutralises text that a spreadsheet would run as a formula, and leaves numbers alone', async () => {
    const csv = await ledgerText([
      ...HOSTILE.map((n, i) => ledgerRow({ id: i + 1, counterpartyName: n })),
      ledgerRow({ id: 99, quantityKg: -5, counterpartyName: '-5' }), // a correction of -5 kg; a name typed as "-5"
      ledgerRow({ id: 100, quantityKg: 0.125, counterpartyName: "'already quoted" }),
    ]);
    const rows = parseCsv(csv).slice(1);
    expect(rows.slice(0, HOSTILE.length).map((r) => r[12])).toEqual(HOSTILE.map(neutralised));
    expect(rows[HOSTILE.length][7]).toBe('-5');
    expect(rows[HOSTILE.length][12]).toBe("'-5");
    expect(rows[HOSTILE.length + 1][7]).toBe('0.125');
    expect(rows[HOSTILE.length + 1][12]).toBe("'already quoted");
    // No cell but a number starts with a formula character.
    for (const cell of rows.flat()) if (!/^-?\d+(\.\d+)?$/.test(cell)) expect(cell).not.toMatch(/^[=+\-@\t\r＝＋－＠]/);
  });
});

describe('the search CSV stream (unit)', () => {
  it('streams page after page under the same header, writing null empty and booleans as words', async () => {
    const pages = [
      [['DC1', -5, null, true], ['=1+1', 0, 'a,"b"\n中', false]],
      [['@x', 2.5, '+86 351', null]],
    ];
    const stream = csvStream(['code', 'kg', 'note', 'flag'], async (cursor?: string) => {
      const i = cursor ? Number(cursor) : 0;
      return { page: pages[i], nextCursor: i + 1 < pages.length ? String(i + 1) : null };
    }, (r: Array<string | number | boolean | null>) => r);
    const chunks: string[] = [];
    for await (const c of stream) chunks.push(String(c));
    const csv = chunks.join('');
    expect(csv.startsWith('code,kg,note,flag\r\n')).toBe(true);
    expect(parseCsv(csv)).toEqual([
      ['code', 'kg', 'note', 'flag'],
      ['DC1', '-5', '', 'true'],
      ["'=1+1", '0', 'a,"b"\n中', 'false'],
      ["'@x", '2.5', "'+86 351", ''],
    ]);
  });

  it('an empty result is the header alone', async () => {
    const stream = csvStream(LABEL_CSV_HEADER, async () => ({ page: [], nextCursor: null }), (r: string[]) => r);
    let csv = '';
    for await (const c of stream) csv += String(c);
    expect(csv).toBe(`${LABEL_HEADER_LINE}\r\n`);
    expect(MANIFEST_CSV_HEADER.join(',')).toBe(MANIFEST_HEADER_LINE);
  });

  it('a page that fails to load fails the stream instead of leaving it open', async () => {
    const stream = csvStream(['a'], async (cursor) => {
      if (cursor) throw new Error('database went away');
      return { page: [['1']], nextCursor: 'next' };
    }, (r: string[]) => r);
    await expect((async () => { for await (const _ of stream); })()).rejects.toThrow('database went away');
  });
});

describe('over HTTP', () => {
  let t: TestApp;
  let admin: Client;
  let generator: Site;
  let receiver: Site;
  let carrier: CarrierSite;
  const RECEIVER_NAME = '=HYPERLINK("http://x","点我")';
  const GENERATOR_NAME = '太原"某某",化工\n二厂';
  const FACILITY_CODE = '@SUM(1+1)';

  beforeAll(async () => {
    t = await buildTestApp();
    admin = await loginAdmin(t.app);
    generator = await createSite(t.app, admin, { roles: ['generator'], regionCode: '140105', name: GENERATOR_NAME });
    receiver = await createSite(t.app, admin, { roles: ['receiver'], regionCode: '140106', name: RECEIVER_NAME }, ['D10']);
    await addOperatingLicence(admin, receiver.org.id);
    carrier = await createCarrier(t.app, admin);
  });
  afterAll(() => t.close());

  it('the ledgers neutralise a hostile name and facility code and round-trip quotes, commas, newlines and Chinese', async () => {
    const store = await addFacility(generator.client, generator.org.id, { code: FACILITY_CODE, kind: 'storage', storageType: 'warehouse', capacityKg: 1000 });
    const l = await issueLabel(generator.client);
    expect((await act(generator.client, l.id, { action: 'store', facilityId: store })).statusCode).toBe(200);
    const res = await generator.client.post('/api/v1/manifests', {
      receiverId: receiver.org.id, carriers: [{ orgId: carrier.org.id }], labelIds: [l.id], plannedAt: new Date().toISOString(), intendedMethod: 'D10', emergencyMeasures: EMERGENCY_MEASURES,
    });
    expect(res.statusCode, res.body).toBe(201);
    const id = res.json().id;
    await manifestAction(generator.client, id, { action: 'submit' });
    await manifestAction(carrier.client, id, { action: 'pickup', labelIds: [l.id], vehiclePlate: carrier.plate, driver: DRIVER });
    await manifestAction(carrier.client, id, { action: 'deliver' });
    await manifestAction(receiver.client, id, { action: 'receive', items: [{ labelId: l.id, accepted: true, measuredQuantity: { value: 180, unit: 'kg' } }] });

    const out = await generator.client.get(`/api/v1/orgs/${generator.org.id}/ledger?format=csv`);
    expect(out.statusCode, out.body).toBe(200);
    expect(out.headers['content-type']).toMatch(/^text\/csv; charset=utf-8/);
    expect(out.body.startsWith(`\ufeff${LEDGER_HEADER_LINE}\r\n`)).toBe(true);
    const [header, ...rows] = parseCsv(out.body);
    expect(header).toEqual(LEDGER_CSV_HEADER);
    const json = (await generator.client.get(`/api/v1/orgs/${generator.org.id}/ledger`)).json().items;
    // Same records, same order as the JSON ledger.
    expect(rows.map((r) => r[0])).toEqual(json.map((r: { batchCode: string }) => r.batchCode));
    const stored = rows.find((r) => r[0].startsWith('HWRK'))!;
    expect(stored[10]).toBe(neutralised(FACILITY_CODE));
    const shipped = rows.find((r) => r[0].startsWith('HWCK'))!;
    expect(shipped[12]).toBe(neutralised(RECEIVER_NAME));
    expect(shipped[7]).toBe('180');

    const inbound = parseCsv((await receiver.client.get(`/api/v1/orgs/${receiver.org.id}/ledger?format=csv`)).body);
    expect(inbound[0]).toEqual(LEDGER_CSV_HEADER);
    expect(inbound.find((r) => r[0].startsWith('HWRK'))![12]).toBe(GENERATOR_NAME);
  });

  it('shows times in Asia/Shanghai with their offset: an event at 23:00Z falls on the next date, its batch code\'s', async () => {
    const yesterday = new Date(Date.now() - 86_400_000);
    const at = new Date(Date.UTC(yesterday.getUTCFullYear(), yesterday.getUTCMonth(), yesterday.getUTCDate() - 1, 23, 0, 0));
    const l = await issueLabel(generator.client, { generatedAt: at.toISOString() });
    const record = (await generator.client.get(`/api/v1/orgs/${generator.org.id}/ledger`)).json().items
      .find((r: { labelId: string; kind: string }) => r.labelId === l.id && r.kind === 'HWCS');
    const localDate = new Date(at.getTime() + 8 * 3_600_000).toISOString().slice(0, 10);
    expect(record.occurredAt).toBe(`${localDate}T07:00:00.000+08:00`);
    expect(record.batchCode.slice(4, 12)).toBe(localDate.replace(/-/g, ''));
    expect(new Date(record.occurredAt).getTime()).toBe(at.getTime());
  });

  it('the ledger export reads page after page: the pages, joined, are the whole ledger in order', async () => {
    // A few issued labels give records enough for pages of two.
    for (let i = 0; i < 3; i++) await issueLabel(generator.client);
    const all = await readLedger(t.database.db, generator.org.id);
    expect(all.length).toBeGreaterThan(4);
    const paged: number[] = [];
    let cursor: string | undefined;
    do {
      const { page, nextCursor } = await readLedgerPage(t.database.db, generator.org.id, undefined, undefined, 2, cursor);
      expect(page.length).toBeLessThanOrEqual(2);
      paged.push(...page.map((r) => r.id));
      cursor = nextCursor ?? undefined;
    } while (cursor);
    expect(paged).toEqual(all.map((r) => r.id));
  });

  it('the manifest and label search CSVs keep their headers; booleans read true/false', async () => {
    const res = await admin.get(`/api/v1/supervision/manifests?format=csv&generatorId=${generator.org.id}`);
    expect(res.statusCode, res.body).toBe(200);
    expect(res.body.startsWith(`${MANIFEST_HEADER_LINE}\r\n`)).toBe(true);
    const [header, row, ...rest] = parseCsv(res.body);
    expect(header).toEqual(MANIFEST_CSV_HEADER);
    expect(rest).toEqual([]);
    const cell = (name: string) => row[MANIFEST_CSV_HEADER.indexOf(name)];
    expect(cell('state')).toBe('received');
    expect(cell('discrepant')).toBe('false');
    expect(cell('number')).toMatch(/^\d{14}$/);
    const labels = parseCsv((await admin.get(`/api/v1/supervision/labels?format=csv&generatorId=${generator.org.id}`)).body);
    expect(labels[0]).toEqual(LABEL_CSV_HEADER);
    expect(labels[1][LABEL_CSV_HEADER.indexOf('quantityKg')]).toBe('180');
  });
});
