// Migration 0011 (docs/regulations.md#licence-kinds, #sites) on rows written under the old model:
// every migration before it is applied to an empty database, old rows are inserted, then 0011 runs.
import fs from 'node:fs';
import path from 'node:path';
import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { inject } from 'vitest';
import { MIGRATIONS_DIR } from '../../src/db/migrate.js';
import { databaseUrl } from '../support/database-url.js';

const TARGET = '0011_licence_kinds_and_sites';
let admin: pg.Client;
let db: pg.Client;
let name: string;

const journal = JSON.parse(fs.readFileSync(path.join(MIGRATIONS_DIR, 'meta/_journal.json'), 'utf8')) as { entries: Array<{ idx: number; tag: string }> };
const target = journal.entries.find((e) => e.tag === TARGET)!;

async function apply(tag: string) {
  const text = fs.readFileSync(path.join(MIGRATIONS_DIR, `${tag}.sql`), 'utf8');
  for (const statement of text.split('--> statement-breakpoint')) if (statement.trim()) await db.query(statement);
}

beforeAll(async () => {
  name = `hw_mig_${randomBytes(5).toString('hex')}`;
  admin = new pg.Client({ connectionString: inject('serverUrl') });
  await admin.connect();
  await admin.query(`CREATE DATABASE ${name}`);
  db = new pg.Client({ connectionString: databaseUrl(inject('serverUrl'), name) });
  await db.connect();
  for (const e of [...journal.entries].sort((a, b) => a.idx - b.idx)) if (e.idx < target.idx) await apply(e.tag);
});
afterAll(async () => {
  await db?.end();
  await admin?.query(`DROP DATABASE IF EXISTS ${name}`);
  await admin?.end();
});

async function org(uscc: string, roles: string[], address = '太原市') {
  const { rows } = await db.query(`INSERT INTO organisations (uscc, name, roles, region_code, contact_name, contact_phone, address)
    VALUES ($1, $2, $3, '140105', '张三', '1', $4) RETURNING id`, [uscc, `org ${uscc}`, roles, address]);
  return rows[0].id as string;
}

async function licence(orgId: string, kind: string, modes: string[], codes: string[]) {
  const { rows } = await db.query(`INSERT INTO licences (org_id, kind, number, modes, waste_codes, valid_from, valid_to, region_code)
    VALUES ($1, $2, $3, $4, $5, '2025-01-01', '2030-12-31', '140105') RETURNING id`, [orgId, kind, `N-${randomBytes(4).toString('hex')}`, modes, codes]);
  return rows[0].id as string;
}

describe('migration 0011', () => {
  it('maps every old operating row to a kind, gives every organisation a default site and moves facilities and licences there', async () => {
    const receiver = await org('A1', ['receiver'], '小店区一号');
    const township = await org('A2', ['generator', 'collector']);
    const point = await org('A3', ['collector']);
    const both = await org('A4', ['collector', 'receiver']);
    const carrier = await org('A5', ['carrier']);
    const ids = {
      disposer: await licence(receiver, 'operating', ['storage', 'disposal'], ['HW08']),
      medical: await licence(township, 'operating', ['collection', 'storage'], ['HW01']),
      medicalCodes: await licence(township, 'operating', ['collection'], ['841-001-01', 'HW01']),
      pilot: await licence(point, 'operating', ['collection', 'storage'], ['HW08', 'HW49']),
      collectorDisposer: await licence(both, 'operating', ['collection', 'storage', 'disposal'], ['HW01']),
      transport: await licence(carrier, 'transport', [], []),
    };
    await db.query(`INSERT INTO facilities (org_id, code, name, kind) VALUES ($1, 'WH-1', '库', 'storage')`, [receiver]);

    await apply(TARGET);

    const { rows } = await db.query('SELECT id, kind, site_id FROM licences');
    const kind = Object.fromEntries(rows.map((r) => [r.id, r.kind]));
    expect({
      disposer: kind[ids.disposer], medical: kind[ids.medical], medicalCodes: kind[ids.medicalCodes], pilot: kind[ids.pilot],
      collectorDisposer: kind[ids.collectorDisposer], transport: kind[ids.transport],
    }).toEqual({
      disposer: 'comprehensive', medical: 'medical_collection_point', medicalCodes: 'medical_collection_point', pilot: 'collection_pilot',
      collectorDisposer: 'comprehensive', transport: 'transport',
    });
    const sites = await db.query('SELECT id, org_id, name, address, is_default FROM sites');
    expect(sites.rows).toHaveLength(5);
    expect(sites.rows.every((s) => s.is_default)).toBe(true);
    const siteOf = Object.fromEntries(sites.rows.map((s) => [s.org_id, s]));
    expect(siteOf[receiver]).toMatchObject({ name: 'org A1', address: '小店区一号' });
    for (const r of rows) {
      if (r.id === ids.transport) expect(r.site_id).toBeNull();
      else expect(r.site_id).not.toBeNull();
    }
    const f = await db.query('SELECT site_id FROM facilities');
    expect(f.rows[0].site_id).toBe(siteOf[receiver].id);
  });
});
