// The event stream and its pull feed: one event per committed change, rendered as the API shows
// the resource, scoped to the caller's jurisdiction, resumable, and never skipping an event that a
// long transaction committed after later ones.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import pg from 'pg';
import { Value } from 'typebox/value';
import { buildTestApp, type TestApp } from '../support/test-app.js';
import { createRegulator, loginAdmin, type Client, type Party } from '../support/factories.js';
import {
  addOperatingLicence, createCarrier, createSite, issueLabel, transfer, type CarrierSite, type Site,
} from '../support/world.js';
import { EVENT_AGGREGATES, EVENT_TYPES } from '../../src/events/catalogue.js';
import { feedSettled } from '../support/feed-settled.js';

let t: TestApp;
let admin: Client;
let city: Party;
let district: Party;
let otherDistrict: Party;
let generator: Site;
let receiver: Site;
let carrier: CarrierSite;

interface Ev { id: string; type: string; aggregate: { type: string; id: string }; sequence: number; regionCode: string; data: Record<string, unknown> }

/** Every event after the cursor; first waits for the feed's horizon to pass what was written (unless told not to). */
async function readAll(client: Client, query = '', after?: string, limit = 500, settle = true): Promise<{ items: Ev[]; next: string | null }> {
  const items: Ev[] = [];
  let cursor = after;
  if (settle) await feedSettled(t.database.pool);
  for (;;) {
    const res = await client.get(`/api/v1/events?limit=${limit}${query}${cursor ? `&after=${cursor}` : ''}`);
    expect(res.statusCode, res.body).toBe(200);
    const page = res.json();
    items.push(...page.items);
    cursor = page.next ?? undefined;
    if (!page.more) return { items, next: page.next };
  }
}

/** A manifest from generator to receiver, carried, received in full: returns its id and label ids. */
async function journey(): Promise<{ manifestId: string; labelIds: string[] }> {
  const labelIds = [(await issueLabel(generator.client)).id, (await issueLabel(generator.client)).id];
  const { id: manifestId } = await transfer({ from: generator, to: receiver, carrier, labelIds });
  return { manifestId, labelIds };
}

beforeAll(async () => {
  t = await buildTestApp();
  admin = await loginAdmin(t.app);
  city = await createRegulator(t.app, admin, '140100');
  district = await createRegulator(t.app, admin, '140105');
  otherDistrict = await createRegulator(t.app, admin, '140106');
  generator = await createSite(t.app, admin, { roles: ['generator'], regionCode: '140105' });
  receiver = await createSite(t.app, admin, { roles: ['receiver'], regionCode: '140108' }, ['D10']);
  await addOperatingLicence(admin, receiver.org.id);
  carrier = await createCarrier(t.app, admin);
});
afterAll(() => t.close());

describe('events of a manifest journey', () => {
  it('are written once per change, in order per aggregate, catalogued, and render the resource as the API does', async () => {
    const { next: start } = await readAll(city.client);
    const { manifestId, labelIds } = await journey();
    const { items } = await readAll(city.client, '', start ?? undefined);

    const ofManifest = items.filter((e) => e.aggregate.id === manifestId).map((e) => e.type);
    expect(ofManifest).toEqual(['manifest.create', 'manifest.submit', 'manifest.pickup', 'manifest.deliver', 'manifest.receive']);
    const ofLabel = items.filter((e) => e.aggregate.id === labelIds[0]).map((e) => e.type);
    expect(ofLabel).toEqual(['label.issue', 'label.attach_to_manifest', 'label.dispatch', 'label.accept']);
    expect(new Set(items.map((e) => e.id)).size).toBe(items.length);

    for (const e of items) {
      expect(EVENT_TYPES, e.type).toContain(e.type);
      const schema = EVENT_AGGREGATES[e.aggregate.type].data;
      expect(Value.Check(schema, e.data), `${e.type}: ${JSON.stringify([...Value.Errors(schema, e.data)].slice(0, 3))}`).toBe(true);
    }
    // Sequences increase along each aggregate.
    for (const id of [manifestId, ...labelIds]) {
      const seqs = items.filter((e) => e.aggregate.id === id).map((e) => e.sequence);
      expect(seqs).toEqual([...seqs].sort((a, b) => a - b));
    }
    // The last event of each aggregate carries the resource exactly as the API shows it now.
    const lastOf = (id: string) => items.filter((e) => e.aggregate.id === id).at(-1)!;
    const { allowedActions: _m, ...manifest } = (await generator.client.get(`/api/v1/manifests/${manifestId}`)).json();
    expect(lastOf(manifestId).data).toEqual(manifest);
    const { allowedActions: _l, ...label } = (await receiver.client.get(`/api/v1/labels/${labelIds[0]}`)).json();
    expect(lastOf(labelIds[0]).data).toEqual(label);
    // An event's data is the version it was written at.
    expect(items.find((e) => e.type === 'manifest.submit' && e.aggregate.id === manifestId)!.data).toMatchObject({ state: 'submitted' });
  });

  it('are scoped to the reader\'s jurisdiction: the generator\'s and the receiver\'s regions see the manifest, another district nothing', async () => {
    const before = await Promise.all([district, otherDistrict].map(async (r) => (await readAll(r.client)).next ?? undefined));
    const { manifestId } = await journey();
    const districtSees = (await readAll(district.client, '', before[0])).items;
    expect(districtSees.filter((e) => e.aggregate.id === manifestId).length).toBe(5);
    expect(districtSees.every((e) => e.regionCode.startsWith('140105') || (e as unknown as { otherRegionCode: string }).otherRegionCode?.startsWith('140105'))).toBe(true);
    expect((await readAll(otherDistrict.client, '', before[1])).items).toEqual([]);
    const receiverRegion = await createRegulator(t.app, admin, '140108');
    const seen = (await readAll(receiverRegion.client, '&types=manifest.receive')).items;
    expect(seen.map((e) => e.aggregate.id)).toContain(manifestId);
    expect(seen.every((e) => e.type === 'manifest.receive')).toBe(true);
  });

  it('resume from any cursor: small pages add up to the whole, and a cursor after the end waits for new events', async () => {
    const { next: start } = await readAll(city.client);
    await journey();
    const whole = (await readAll(city.client, '', start ?? undefined)).items;
    const paged = (await readAll(city.client, '', start ?? undefined, 3)).items;
    expect(paged.map((e) => e.id)).toEqual(whole.map((e) => e.id));
    const { items: none, next } = await readAll(city.client);
    expect(none.length).toBeGreaterThan(0);
    expect((await readAll(city.client, '', next ?? undefined)).items).toEqual([]);
    const l = await issueLabel(generator.client);
    expect((await readAll(city.client, '', next ?? undefined)).items.map((e) => e.aggregate.id)).toEqual([l.id]);
  });

  it('never skips an event that a long transaction committed after later ones', async () => {
    const { next: start } = await readAll(city.client);
    const long = await t.database.pool.connect();
    try {
      await long.query('BEGIN');
      // A change written in a transaction that stays open (on a chain the label below does not wait
      // for): its event has the older transaction id.
      await long.query(`SELECT audit_append(ARRAY['140181'], ARRAY['calendar_year'], ARRAY['2099'], ARRAY['load'], ARRAY['applied'],
        ARRAY[NULL::text], ARRAY['{"year":2099}'], NULL, NULL, 'long-tx')`);
      const later = await issueLabel(generator.client); // committed first
      expect((await readAll(city.client, '', start ?? undefined, 500, false)).items).toEqual([]); // held back, not skipped
      await long.query('COMMIT');
      const items = (await readAll(city.client, '', start ?? undefined)).items;
      expect(items.map((e) => e.aggregate.id)).toEqual(['2099', later.id]);
    } finally {
      long.release();
    }
  });

  it('is not held back by a long writer in another database of the same server', async () => {
    const { next: start } = await readAll(city.client);
    const elsewhere = new pg.Client({ connectionString: process.env.DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres' });
    await elsewhere.connect();
    try {
      await elsewhere.query('BEGIN');
      await elsewhere.query('SELECT pg_current_xact_id()'); // a transaction id, older than the label's below
      const l = await issueLabel(generator.client);
      expect((await readAll(city.client, '', start ?? undefined)).items.map((e) => e.aggregate.id)).toEqual([l.id]);
    } finally {
      await elsewhere.query('ROLLBACK');
      await elsewhere.end();
    }
  });

  it('refuses callers and queries it cannot serve with a problem', async () => {
    expect((await generator.client.get('/api/v1/events')).statusCode).toBe(403);
    const unknown = await city.client.get('/api/v1/events?types=label.issue,label.teleport');
    expect(unknown.statusCode).toBe(400);
    expect(unknown.body).toContain('label.teleport');
    expect((await city.client.get('/api/v1/events?after=not-a-cursor')).statusCode).toBe(400);
    expect((await district.client.get('/api/v1/events?regionCode=140106')).statusCode).toBe(404);
  });
});
