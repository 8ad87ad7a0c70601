import { PNG } from 'pngjs';
import jsqrModule from 'jsqr';
import { createHash, createPublicKey, verify } from 'node:crypto';
import { SignJWT, importJWK, type JWK } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildTestApp, type TestApp } from '../support/test-app.js';
import { loadConfig } from '../../src/config.js';
import { createParty, loginAdmin, type Client } from '../support/factories.js';
import { act, createSite, issueLabel, LABEL_BODY, type Site } from '../support/world.js';
import { DIRECT_LABEL_ACTIONS, LABEL_STATES, labelLifecycle } from '../../src/labels/label-lifecycle.js';

// Under NodeNext the CommonJS module's function sits on .default.
const jsQR = (jsqrModule as unknown as { default: (d: Uint8ClampedArray, w: number, h: number) => { data: string } | null }).default;

let t: TestApp;
let admin: Client;
let factory: Site;

beforeAll(async () => {
  t = await buildTestApp();
  admin = await loginAdmin(t.app);
  factory = await createSite(t.app, admin, { roles: ['generator'] }, ['R2', 'D10']);
});
afterAll(() => t.close());

const auditCount = async (entityId: string, outcome = 'applied') =>
  (await t.database.pool.query('SELECT count(*)::int AS n FROM audit_entries WHERE entity_id = $1 AND outcome = $2', [entityId, outcome])).rows[0].n;

describe('issuing labels', () => {
  it('issues a label with a 37-character digital code, hazards from the catalogue and kg', async () => {
    const l = await issueLabel(factory.client, { quantity: { value: 0.5, unit: 't' } });
    expect(l.state).toBe('issued');
    expect(l.digitalCode).toHaveLength(37);
    expect(l.digitalCode.startsWith(factory.org.uscc + '90021408')).toBe(true);
    expect(l.category).toBe('HW08');
    expect(l.hazards).toEqual(['T', 'I']);
    expect(l.quantity).toEqual({ value: 500, unit: 'kg' });
    expect(l.qrContent).toMatch(/^https:\/\/hw\.test\/v\//);
  });

  it('refuses an unknown waste code, and hazards outside T C I R In', async () => {
    const bad = await factory.client.post('/api/v1/labels', { ...LABEL_BODY, wasteCode: '999-999-99' });
    expect(bad.statusCode).toBe(400);
    expect(bad.json().errors[0].path).toBe('body.wasteCode');
    const badHazard = await factory.client.post('/api/v1/labels', { ...LABEL_BODY, hazards: ['X'] });
    expect(badHazard.statusCode).toBe(400);
    const empty = await factory.client.post('/api/v1/labels', { ...LABEL_BODY, hazards: [] });
    expect(empty.statusCode).toBe(400);
  });

  it('20 labels issued concurrently for one unit, code and day get 20 distinct consecutive sequences', async () => {
    const site = await createSite(t.app, admin, { roles: ['generator'] });
    const results = await Promise.all(Array.from({ length: 20 }, () => site.client.post('/api/v1/labels', { ...LABEL_BODY, wasteCode: '900-249-08' })));
    expect(results.map((r) => r.statusCode)).toEqual(Array(20).fill(201));
    const seqs = results.map((r) => Number(r.json().digitalCode.slice(-3))).sort((a, b) => a - b);
    expect(seqs).toEqual(Array.from({ length: 20 }, (_, i) => i + 1));
  });

  it('refuses the 1000th label of a unit, code and day with RULE_VIOLATION, and a batch is all or nothing', async () => {
    const site = await createSite(t.app, admin, { roles: ['generator'] });
    const first = await issueLabel(site.client, { wasteCode: '900-041-49' });
    await t.database.pool.query(`UPDATE label_sequences SET last = 998 WHERE generator_id = $1`, [site.org.id]);
    const ok = await issueLabel(site.client, { wasteCode: '900-041-49' });
    expect(ok.digitalCode.slice(-3)).toBe('999');
    const refused = await site.client.post('/api/v1/labels', { ...LABEL_BODY, wasteCode: '900-041-49' });
    expect(refused.statusCode).toBe(422);
    expect(refused.json()).toMatchObject({ code: 'RULE_VIOLATION', rule: 'daily_sequence_exhausted' });
    const batch = await site.client.post('/api/v1/labels/batch', { items: [{ ...LABEL_BODY }, { ...LABEL_BODY, wasteCode: '900-041-49' }] });
    expect(batch.statusCode).toBe(422);
    const { rows } = await t.database.pool.query('SELECT count(*)::int AS n FROM labels WHERE generator_id = $1', [site.org.id]);
    expect(rows[0].n).toBe(2);
    void first;
  });

  it('issues a batch in one call', async () => {
    const res = await factory.client.post('/api/v1/labels/batch', { items: Array.from({ length: 5 }, () => ({ ...LABEL_BODY, wasteCode: '900-200-08' })) });
    expect(res.statusCode).toBe(201);
    expect(new Set(res.json().items.map((l: { digitalCode: string }) => l.digitalCode)).size).toBe(5);
  });

  it('only generators and collectors issue labels', async () => {
    const carrier = await createParty(t.app, admin, { roles: ['carrier'] });
    expect((await carrier.client.post('/api/v1/labels', LABEL_BODY)).statusCode).toBe(403);
  });
});

describe('QR codes', () => {
  it('refuses at start a PUBLIC_BASE_URL that would push the QR content past 140 characters', () => {
    const base28 = 'https://hw.taiyuan.gov.cn/qr'; // 28 characters: 28 + '/v/' + 109 = 140
    expect(loadConfig({ PUBLIC_BASE_URL: base28 }).publicBaseUrl).toBe(base28);
    expect(() => loadConfig({ PUBLIC_BASE_URL: `${base28}x` })).toThrow(/at most 28 characters/);
  });

  it('the PNG decodes to a short URL, whose token verifies with the JWKS; one altered character is refused', async () => {
    const l = await issueLabel(factory.client);
    const png = await factory.client.get(`/api/v1/labels/${l.id}/qr?format=png`);
    expect(png.headers['content-type']).toBe('image/png');
    const img = PNG.sync.read(png.rawPayload);
    const decoded = jsQR(new Uint8ClampedArray(img.data), img.width, img.height);
    expect(decoded?.data).toBe(l.qrContent);

    // docs/regulations.md#qr-code: key character + label UUID (22) + Ed25519 signature (86), all base64url.
    const token = decoded!.data.split('/v/')[1];
    expect(token).toMatch(/^[A-Za-z0-9_-]{109}$/);
    expect(l.qrContent.length).toBeLessThanOrEqual(140);
    expect(Buffer.from(token.slice(1, 23), 'base64url').toString('hex')).toBe(l.id.replace(/-/g, ''));
    // Anyone holding the published JWKS can check it: the key whose SHA-256 starts with the character.
    const jwks = (await t.app.inject({ url: '/.well-known/jwks.json' })).json() as { keys: Array<{ x: string }> };
    const jwk = jwks.keys.find((k) => createHash('sha256').update(Buffer.from(k.x, 'base64url')).digest('base64url')[0] === token[0]);
    const publicKey = createPublicKey({ key: { kty: 'OKP', crv: 'Ed25519', x: jwk!.x }, format: 'jwk' });
    expect(verify(null, Buffer.from(`hw-label:${token.slice(0, 23)}`), publicKey, Buffer.from(token.slice(23), 'base64url'))).toBe(true);

    const scan = await factory.client.post('/api/v1/scan', { qr: decoded!.data });
    expect(scan.statusCode).toBe(200);
    expect(scan.json().label.id).toBe(l.id);
    expect(scan.json().allowedActions.sort()).toEqual(['consolidate', 'store', 'treat', 'void']);

    // Alter one character of the signature part.
    const i = token.length - 5;
    const altered = token.slice(0, i) + (token[i] === 'A' ? 'B' : 'A') + token.slice(i + 1);
    const bad = await factory.client.post('/api/v1/scan', { qr: `https://hw.test/v/${altered}` });
    expect(bad.statusCode).toBe(422);
    expect(bad.json().code).toBe('QR_INVALID');
    const pub = await t.app.inject({ url: `/v/${altered}`, headers: { accept: 'application/json' } });
    expect(pub.statusCode).toBe(422);
    expect(pub.json().code).toBe('QR_INVALID');
    const html = await t.app.inject({ url: `/v/${altered}` });
    expect(html.statusCode).toBe(422);
    expect(html.headers['content-type']).toMatch(/text\/html/);
  });

  it('a label printed before, with the earlier long JWS token, still verifies and scans', async () => {
    const l = await issueLabel(factory.client);
    // The token the platform printed before the short format: a compact EdDSA JWS naming id and code.
    const { rows: [key] } = await t.database.pool.query('SELECT kid, private_jwk FROM signing_keys ORDER BY created_at LIMIT 1');
    const old = await new SignJWT({ lid: l.id, dc: l.digitalCode })
      .setProtectedHeader({ alg: 'EdDSA', kid: key.kid, typ: 'hw-label+jwt' })
      .sign(await importJWK(key.private_jwk as JWK, 'EdDSA'));
    expect(old.length).toBeGreaterThan(300);
    await t.database.pool.query('UPDATE labels SET qr_token = $2 WHERE id = $1', [l.id, old]);

    const pub = await t.app.inject({ url: `/v/${old}`, headers: { accept: 'application/json' } });
    expect(pub.statusCode, pub.body).toBe(200);
    expect(pub.json().label.digitalCode).toBe(l.digitalCode);
    const scan = await factory.client.post('/api/v1/scan', { qr: `https://hw.test/v/${old}` });
    expect(scan.statusCode, scan.body).toBe(200);
    expect(scan.json().label.id).toBe(l.id);
    // Its reprint keeps the token already on the container.
    expect((await factory.client.get(`/api/v1/labels/${l.id}`)).json().qrContent).toBe(`https://hw.test/v/${old}`);

    // An old token naming a digital code other than the label's is refused, as before.
    const wrong = await new SignJWT({ lid: l.id, dc: `${l.digitalCode.slice(0, -1)}9` })
      .setProtectedHeader({ alg: 'EdDSA', kid: key.kid, typ: 'hw-label+jwt' })
      .sign(await importJWK(key.private_jwk as JWK, 'EdDSA'));
    const refused = await t.app.inject({ url: `/v/${wrong}`, headers: { accept: 'application/json' } });
    expect(refused.statusCode).toBe(422);
    expect(refused.json().code).toBe('QR_INVALID');
  });

  it('the SVG QR and the public page for a genuine label show no phone or client details', async () => {
    const l = await issueLabel(factory.client);
    const svg = await factory.client.get(`/api/v1/labels/${l.id}/qr?format=svg`);
    expect(svg.headers['content-type']).toMatch(/image\/svg\+xml/);
    expect(svg.body).toContain('<svg');
    const token = l.qrContent.split('/v/')[1];
    const json = await t.app.inject({ url: `/v/${token}`, headers: { accept: 'application/json' } });
    expect(json.json()).toMatchObject({ genuine: true, label: { digitalCode: l.digitalCode, state: 'issued', generatingUnit: factory.org.name } });
    const html = await t.app.inject({ url: `/v/${token}` });
    expect(html.statusCode).toBe(200);
    expect(html.body).toContain(l.digitalCode);
    for (const body of [json.body, html.body]) {
      expect(body).not.toContain('13800000000');
      expect(body).not.toContain(factory.client.clientId);
    }
  });

  it('a label of another party is not found for a stranger', async () => {
    const l = await issueLabel(factory.client);
    const stranger = await createParty(t.app, admin, { roles: ['generator'] });
    expect((await stranger.client.get(`/api/v1/labels/${l.id}`)).statusCode).toBe(404);
    expect((await stranger.client.post('/api/v1/scan', { qr: l.qrContent })).statusCode).toBe(404);
  });
});

describe('custody steps', () => {
  it('refuses every (state, action) pair not in the table with 409, changing nothing', async () => {
    for (const state of LABEL_STATES) {
      const l = await issueLabel(factory.client);
      // Put the label in the state under test directly: some states are reachable only through manifests.
      await t.database.pool.query('UPDATE labels SET state = $1 WHERE id = $2', [state, l.id]);
      const allowed = labelLifecycle.allowedActions(state);
      for (const action of DIRECT_LABEL_ACTIONS.filter((a) => !allowed.includes(a))) {
        const applied = await auditCount(l.id);
        const res = await act(factory.client, l.id, { action, facilityId: factory.storageId, method: 'R2', reason: 'x', parentLabelId: l.id });
        expect(res.statusCode, `${state} ${action}`).toBe(409);
        expect(res.json()).toMatchObject({ code: 'ILLEGAL_TRANSITION', currentState: state, action, allowedActions: allowed });
        const now = (await factory.client.get(`/api/v1/labels/${l.id}`)).json();
        expect(now.version).toBe(l.version);
        expect(await auditCount(l.id)).toBe(applied);
      }
    }
  });

  it('a step is recorded once in the trace, the ledger and the audit trail, also when retried with the same Idempotency-Key', async () => {
    const l = await issueLabel(factory.client);
    const headers = { 'idempotency-key': `store-${l.id}` };
    const first = await act(factory.client, l.id, { action: 'store', facilityId: factory.storageId }, headers);
    const again = await act(factory.client, l.id, { action: 'store', facilityId: factory.storageId }, headers);
    expect(first.statusCode).toBe(200);
    expect(again.statusCode).toBe(200);
    expect(again.json()).toEqual(first.json());
    expect(again.headers['idempotent-replayed']).toBe('true');
    const other = await act(factory.client, l.id, { action: 'void', reason: 'different body' }, headers);
    expect(other.statusCode).toBe(422);
    expect(other.json().code).toBe('IDEMPOTENCY_MISMATCH');

    const trace = (await factory.client.get(`/api/v1/labels/${l.id}/trace`)).json();
    expect(trace.steps.map((s: { action: string }) => s.action)).toEqual(['issue', 'store']);
    const ledger = (await factory.client.get(`/api/v1/orgs/${factory.org.id}/ledger?format=json`)).json().items
      .filter((r: { labelId: string }) => r.labelId === l.id);
    expect(ledger.map((r: { kind: string }) => r.kind)).toEqual(['HWCS', 'HWRK']);
    expect(ledger[1].batchCode).toMatch(/^HWRK\d{8}\d{3}$/);
    const audit = (await factory.client.get(`/api/v1/audit?entityType=label&entityId=${l.id}`)).json().items;
    expect(audit.filter((e: { action: string; outcome: string }) => e.action === 'store' && e.outcome === 'applied')).toHaveLength(1);
  });

  it('two handsets storing the same container at once: exactly one wins', async () => {
    const l = await issueLabel(factory.client);
    const [a, b] = await Promise.all([
      act(factory.client, l.id, { action: 'store', facilityId: factory.storageId }),
      act(factory.client, l.id, { action: 'store', facilityId: factory.storageId }),
    ]);
    expect([a.statusCode, b.statusCode].sort()).toEqual([200, 409]);
  });

  it('honours If-Match and returns an ETag', async () => {
    const l = await issueLabel(factory.client);
    const stale = await act(factory.client, l.id, { action: 'store', facilityId: factory.storageId }, { 'if-match': '"7"' });
    expect(stale.statusCode).toBe(412);
    const ok = await act(factory.client, l.id, { action: 'store', facilityId: factory.storageId }, { 'if-match': `"${l.version}"` });
    expect(ok.statusCode).toBe(200);
    expect(ok.headers.etag).toBe(`"${l.version + 1}"`);
  });

  it('stores only into the holder\'s own storage facility; void needs a reason', async () => {
    const other = await createSite(t.app, admin, { roles: ['generator'] });
    const l = await issueLabel(factory.client);
    const foreign = await act(factory.client, l.id, { action: 'store', facilityId: other.storageId });
    expect(foreign.statusCode).toBe(422);
    expect(foreign.json().rule).toBe('facility');
    const noReason = await act(factory.client, l.id, { action: 'void' });
    expect(noReason.statusCode).toBe(400);
    const voided = await act(factory.client, l.id, { action: 'void', reason: '标签打印错误' });
    expect(voided.json().state).toBe('voided');
  });

  it('treat needs a facility running the method; a generator treats in its own facility without a licence', async () => {
    const l = await issueLabel(factory.client);
    const wrong = await act(factory.client, l.id, { action: 'treat', method: 'D1', facilityId: factory.treatmentId });
    expect(wrong.statusCode).toBe(422);
    expect(wrong.json().rule).toBe('facility_method');
    const ok = await act(factory.client, l.id, { action: 'treat', method: 'R2', facilityId: factory.treatmentId });
    expect(ok.statusCode).toBe(200);
    expect(ok.json().state).toBe('treated');
    const ledger = (await factory.client.get(`/api/v1/orgs/${factory.org.id}/ledger`)).json().items.filter((r: { labelId: string }) => r.labelId === l.id);
    expect(ledger.map((r: { kind: string }) => r.kind)).toEqual(['HWCS', 'HWZXLY']);
  });

  it('a bag consolidated into a box that is then treated: the bag\'s trace ends at that treatment', async () => {
    const centre = await createSite(t.app, admin, { roles: ['generator', 'collector'], generatorClass: 'medical', medicalTier: 'township_health_centre' }, ['D10']);
    const bag = await issueLabel(centre.client, { wasteCode: '841-001-01', physicalForm: 'solid', packaging: { type: 'bag', volumeL: 10 } });
    const box = await issueLabel(centre.client, { wasteCode: '841-002-01', physicalForm: 'solid', packaging: { type: 'turnover_box', volumeL: 100 } });
    const otherCategory = await issueLabel(centre.client, { wasteCode: '900-214-08' });
    const mismatch = await act(centre.client, otherCategory.id, { action: 'consolidate', parentLabelId: box.id });
    expect(mismatch.json().rule).toBe('consolidation_parent');
    expect((await act(centre.client, bag.id, { action: 'consolidate', parentLabelId: box.id })).statusCode).toBe(200);
    expect((await act(centre.client, box.id, { action: 'treat', method: 'D10', facilityId: centre.treatmentId })).statusCode).toBe(200);

    const trace = (await centre.client.get(`/api/v1/labels/${bag.id}/trace`)).json();
    const last = trace.steps[trace.steps.length - 1];
    expect(last).toMatchObject({ action: 'treat', method: 'D10', labelId: box.id, viaParent: true });
    expect(trace.parent.id).toBe(box.id);
    const parentTrace = (await centre.client.get(`/api/v1/labels/${box.id}/trace`)).json();
    expect(parentTrace.children.map((c: { id: string }) => c.id)).toEqual([bag.id]);
  });
});

describe('printing and the ledger', () => {
  it('the printable SVG holds every HJ 1276 field and the digital code', async () => {
    const l = await issueLabel(factory.client, { remarks: '车间A' });
    const res = await factory.client.get(`/api/v1/labels/${l.id}/print?format=svg`);
    expect(res.headers['content-type']).toMatch(/image\/svg\+xml/);
    for (const text of ['危险废物标签', '废物名称', '废物类别', '废物代码', '废物形态', '危险特性', '主要成分', '有害成分', '注意事项',
      '数字识别码', '联系人', '联系方式', '产生日期', '废物重量', '备注', l.digitalCode, l.wasteCode, '废矿物油', '多环芳烃', factory.org.name]) {
      expect(res.body, text).toContain(text);
    }
    expect(res.body).toMatch(/width="150mm"/); // a 200 L drum
  });

  it('the ledger CSV opens with the standard\'s column names', async () => {
    const res = await factory.client.get(`/api/v1/orgs/${factory.org.id}/ledger?format=csv`);
    expect(res.headers['content-type']).toMatch(/text\/csv/);
    const [header, first] = res.body.replace(/^\ufeff/, '').split('\r\n');
    expect(header.split(',').slice(0, 4)).toEqual(['批次编码', '记录类型', '发生时间', '废物名称']);
    expect(first).toMatch(/^HWCS\d{11},产生,/);
  });

  it('another generator cannot read the ledger', async () => {
    const stranger = await createParty(t.app, admin, { roles: ['generator'] });
    expect((await stranger.client.get(`/api/v1/orgs/${factory.org.id}/ledger`)).statusCode).toBe(404);
  });
});
