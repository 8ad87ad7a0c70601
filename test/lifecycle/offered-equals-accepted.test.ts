// Offered equals accepted: over every state × every party relation × every client role, the steps
// that POST /scan and GET /manifests/{id} offer a caller are exactly the steps the API then accepts
// from that caller. An offered step is never refused with 403 or 409 (it may still meet a 400/422
// from a check the gate leaves to the step's plan: those are logged, not failed). A step not offered
// is refused with 403, or 409; the refusal names the caller's offered steps (`allowedActions`),
// except a plain refusal by state (409 without a `rule`), which names the table's steps for the state.
//
// The product is iterated in full, deterministically (no sampling): a label or manifest that a step
// changed is replaced by a fresh one in the same case before the next attempt (which must be offered
// the same), and a refused attempt must leave the record as it was. Callers that cannot see the
// record must get 404 from the offer and from every action alike. The cases run concurrently, each
// on records of its own; every disagreement is collected, and printed at the end, before failing.
import type { LightMyRequestResponse } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildTestApp, TEST_ADMIN, type TestApp } from '../support/test-app.js';
import { login, loginAdmin, type Client } from '../support/factories.js';
import {
  act, addOperatingLicence, createCarrier, createSite, DRIVER, LABEL_BODY, manifestAction, type CarrierSite, type Site, EMERGENCY_MEASURES
} from '../support/world.js';
import { DIRECT_LABEL_ACTIONS, LABEL_STATES, labelLifecycle, type LabelState } from '../../src/labels/label-lifecycle.js';
import { CLIENT_MANIFEST_ACTIONS, MANIFEST_STATES, manifestLifecycle, type ManifestState } from '../../src/manifests/manifest-lifecycle.js';

const ROLES = ['admin', 'operator', 'driver', 'viewer'] as const;
type Role = (typeof ROLES)[number];
type Handsets = Record<Role, Client>;

let t: TestApp;
let admin: Client;
let gen: Site; // generator (140105), storage + D10 treatment
let rec: Site; // receiver (140121), storage + D10 treatment, operating licence covering HW08
let c1: CarrierSite;
let c2: CarrierSite;
let cx: CarrierSite; // a carrier party to nothing here
const hs = {} as Record<'gen' | 'rec' | 'c1' | 'c2' | 'cx' | 'reg', Handsets>;

// ---- what the run found ------------------------------------------------------------------------

interface Finding {
  side: 'label' | 'manifest';
  where: string; // the case: state and set-up
  relation: string;
  role: Role;
  action: string;
  offered: string[];
  status: number;
  body: unknown;
  why: string;
}
const mismatches: Finding[] = [];
const notes: Finding[] = []; // offered steps refused by a check after the gate (400/422)
const counts = {
  labelCombos: 0, labelHidden: 0, labelAttempts: 0, labelApplied: 0,
  manifestCombos: 0, manifestHidden: 0, manifestAttempts: 0, manifestApplied: 0,
};

/** A disagreement that is not one attempt's answer (status 0): recorded, so that one run reports them all. */
function inconsistent(found: Finding[], f: Omit<Finding, 'status' | 'body' | 'why'>, why: string, body: unknown): void {
  found.push({ ...f, status: 0, body, why });
}

/** How attempts were answered, by side, offered or not, and status: the test is not vacuous. */
const outcomes = new Map<string, number>();

const same = (a: unknown, b: unknown) => JSON.stringify(a) === JSON.stringify(b);

/**
 * Judges one attempt. `tableActions` is what a plain refusal by state names today:
 * the lifecycle table's actions for the state.
 */
function judge(found: Finding[], f: Omit<Finding, 'status' | 'body' | 'why'>, res: LightMyRequestResponse, tableActions: string[]): void {
  const status = res.statusCode;
  const body = status === 200 ? undefined : res.json();
  const outcome = `${f.side} ${f.offered.includes(f.action) ? 'offered' : 'not offered'} → ${status}${status === 409 ? (body.rule ? ` (${body.rule})` : ' (by state)') : ''}`;
  outcomes.set(outcome, (outcomes.get(outcome) ?? 0) + 1);
  const report = (why: string, list = found) => { list.push({ ...f, status, body, why }); };
  if (f.offered.includes(f.action)) {
    if (status === 200) return;
    if (status === 400 || status === 422) return report('offered, refused by a check after the gate', notes);
    return report(`offered, but answered ${status}`);
  }
  if (status === 403 || (status === 409 && body.rule !== undefined)) {
    if (status === 409 && body.code !== 'ILLEGAL_TRANSITION') return report(`409 with a rule but code ${body.code}`);
    if (!same(body.allowedActions, f.offered)) return report(`not offered; ${status} names ${JSON.stringify(body.allowedActions)}, not the offered ${JSON.stringify(f.offered)}`);
    return;
  }
  if (status === 409) {
    if (body.code !== 'ILLEGAL_TRANSITION') return report(`not offered; 409 ${body.code}, not ILLEGAL_TRANSITION`);
    if (tableActions.includes(f.action)) return report('not offered; plain 409 by state although the table allows the action in this state');
    if (!same(body.allowedActions, tableActions)) return report(`not offered; plain 409 names ${JSON.stringify(body.allowedActions)}, not the table's ${JSON.stringify(tableActions)}`);
    return;
  }
  report(`not offered, but answered ${status}`);
}

// ---- parties -----------------------------------------------------------------------------------

/** One client per role (admin, operator, driver, viewer) of an organisation, made by the registrar. */
async function handsetsOf(orgId: string): Promise<Handsets> {
  const out = {} as Handsets;
  for (const role of ROLES) {
    const c = await admin.post(`/api/v1/orgs/${orgId}/clients`, { name: `${role} handset`, roles: [role] });
    expect(c.statusCode, c.body).toBe(201);
    out[role] = await login(t.app, c.json().clientId, c.json().clientSecret);
  }
  return out;
}

beforeAll(async () => {
  t = await buildTestApp();
  admin = await loginAdmin(t.app);
  gen = await createSite(t.app, admin, { roles: ['generator'], regionCode: '140105' }, ['D10']);
  rec = await createSite(t.app, admin, { roles: ['receiver'], regionCode: '140121' }, ['D10']);
  await addOperatingLicence(admin, rec.org.id, { wasteCodes: ['HW08', 'HW49'] });
  c1 = await createCarrier(t.app, admin);
  c2 = await createCarrier(t.app, admin);
  cx = await createCarrier(t.app, admin);
  // The regulator: the bootstrap city regulator (140100), which supervises both parties' districts.
  const { rows: [reg] } = await t.database.pool.query('SELECT org_id FROM clients WHERE id = $1', [TEST_ADMIN.clientId]);
  hs.gen = await handsetsOf(gen.org.id);
  hs.rec = await handsetsOf(rec.org.id);
  hs.c1 = await handsetsOf(c1.org.id);
  hs.c2 = await handsetsOf(c2.org.id);
  hs.cx = await handsetsOf(cx.org.id);
  hs.reg = await handsetsOf(reg.org_id);
});

afterAll(async () => {
  const show = (f: Finding) => `  [${f.side}] ${f.where} | ${f.relation} | ${f.role} | ${f.action} | offered ${JSON.stringify(f.offered)} → ${f.status} ${JSON.stringify(f.body)}${f.why ? ` (${f.why})` : ''}`;
  console.log([
    `offered-equals-accepted: labels ${counts.labelCombos} (state × set-up × relation × role) combinations (${counts.labelHidden} not visible to the caller: 404 everywhere), ${counts.labelAttempts} attempts, ${counts.labelApplied} applied;`,
    `  manifests ${counts.manifestCombos} (case × relation × role) combinations (${counts.manifestHidden} not visible to the caller: 404 everywhere), ${counts.manifestAttempts} attempts, ${counts.manifestApplied} applied`,
    'outcomes:',
    ...[...outcomes].sort(([x], [y]) => x.localeCompare(y)).map(([k, n]) => `  ${k}: ${n}`),
    `offered steps refused after the gate (400/422, for the lead to judge): ${notes.length}`,
    ...notes.map(show),
    `mismatches: ${mismatches.length}`,
    ...mismatches.map(show),
  ].join('\n'));
  await t?.close();
});

// ---- labels ------------------------------------------------------------------------------------

interface IssuedLabel { id: string; qrContent: string }
interface LabelCase { state: LabelState; held: 'generator' | 'receiver'; onManifest: boolean }

let openDraftId: string; // a draft manifest of the generator, carried by c1, that labels are put on
const parents = {} as Record<LabelCase['held'], string>; // a consolidation parent per holder
const issuedPool: IssuedLabel[] = [];

async function issued(): Promise<IssuedLabel> {
  if (issuedPool.length === 0) {
    const res = await gen.client.post('/api/v1/labels/batch', { items: Array.from({ length: 25 }, () => LABEL_BODY) });
    expect(res.statusCode, res.body).toBe(201);
    issuedPool.push(...res.json().items);
  }
  return issuedPool.pop()!;
}

const holderOf = (c: LabelCase) => (c.held === 'generator' ? gen : rec);

/** A fresh label of the generator, put into the case by SQL (some states are reached only through manifests). */
async function labelFor(c: LabelCase): Promise<IssuedLabel> {
  const l = await issued();
  const holder = holderOf(c).org;
  await t.database.pool.query(
    'UPDATE labels SET state = $2, holder_id = $3, holder_region_code = $4, has_left_generator = $5, open_manifest_id = $6 WHERE id = $1',
    [l.id, c.state, holder.id, holder.regionCode, c.held !== 'generator', c.onManifest ? openDraftId : null],
  );
  // On the manifest's list too, so that its carrier can see the container (as after a real draft).
  if (c.onManifest) await t.database.pool.query('INSERT INTO manifest_labels (manifest_id, label_id, declared_kg) VALUES ($1, $2, 180)', [openDraftId, l.id]);
  return l;
}

const labelRow = async (id: string) => (await t.database.pool.query(
  'SELECT state, version, step_count, holder_id, facility_id, parent_id, open_manifest_id FROM labels WHERE id = $1', [id])).rows[0];

function labelBody(action: string, c: LabelCase): Record<string, unknown> {
  switch (action) {
    case 'store': return { action, facilityId: holderOf(c).storageId };
    case 'treat': return { action, facilityId: holderOf(c).treatmentId, method: 'D10' };
    case 'consolidate': return { action, parentLabelId: parents[c.held] };
    case 'void': return { action, reason: '标签打印错误' };
    default: throw new Error(action);
  }
}

/** The caller's organisation relative to the label, and its handsets. */
function labelRelations(c: LabelCase): Array<{ relation: string; handsets: Handsets }> {
  return [
    ...(c.held === 'generator'
      ? [{ relation: 'generator and holder', handsets: hs.gen }]
      : [{ relation: 'generator, not holder', handsets: hs.gen }, { relation: 'holder, not generator', handsets: hs.rec }]),
    { relation: 'regulator (sees it, no party)', handsets: hs.reg },
    ...(c.onManifest ? [{ relation: 'carrier of its open manifest', handsets: hs.c1 }] : []),
    { relation: 'unrelated carrier (cannot see it)', handsets: hs.cx },
  ];
}

const LABEL_CASES: LabelCase[] = LABEL_STATES.flatMap((state) => (['generator', 'receiver'] as const)
  .flatMap((held) => [false, true].map((onManifest) => ({ state, held, onManifest }))));

describe('labels: the direct actions POST /scan offers are the ones POST /labels/{id}/actions accepts', () => {
  beforeAll(async () => {
    const seed = await issued();
    const draft = await gen.client.post('/api/v1/manifests', {
      receiverId: rec.org.id, carriers: [{ orgId: c1.org.id }], labelIds: [seed.id],
      plannedAt: new Date(Date.now() + 3600_000).toISOString(), intendedMethod: 'D10', emergencyMeasures: EMERGENCY_MEASURES,
    });
    expect(draft.statusCode, draft.body).toBe(201);
    openDraftId = draft.json().id;
    parents.generator = (await labelFor({ state: 'issued', held: 'generator', onManifest: false })).id;
    parents.receiver = (await labelFor({ state: 'received', held: 'receiver', onManifest: false })).id;
  });

  // Concurrent: each case has labels of its own (the consolidation parents are only read).
  it.concurrent.for(LABEL_STATES)('label state %s × holder × open manifest × relation × role × action', { timeout: 300_000 }, async (state, { expect }) => {
    const found: Finding[] = [];
    await Promise.all(LABEL_CASES.filter((x) => x.state === state).map(async (c) => {
      const where = `label ${c.state}, held by the ${c.held}${c.onManifest ? ', on an open draft manifest' : ''}`;
      const tableActions = labelLifecycle.allowedActions(c.state);
      let label = await labelFor(c);
      let clean = await labelRow(label.id);
      for (const { relation, handsets } of labelRelations(c)) {
        for (const role of ROLES) {
          counts.labelCombos++;
          const client = handsets[role];
          const scan = await client.post('/api/v1/scan', { qr: label.qrContent });
          const base = { side: 'label' as const, where, relation, role };
          if (scan.statusCode === 404) {
            // Not visible: nothing is offered and nothing is accepted, and nothing tells it exists.
            counts.labelHidden++;
            for (const action of DIRECT_LABEL_ACTIONS) {
              counts.labelAttempts++;
              const res = await act(client, label.id, labelBody(action, c));
              if (res.statusCode !== 404) found.push({ ...base, action, offered: [], status: res.statusCode, body: res.json(), why: 'the scan says 404, the action does not' });
            }
            continue;
          }
          if (scan.statusCode !== 200) {
            inconsistent(found, { ...base, action: 'scan', offered: [] }, `the scan answered ${scan.statusCode}`, scan.json());
            continue;
          }
          const offered: string[] = scan.json().allowedActions;
          for (const action of DIRECT_LABEL_ACTIONS) {
            counts.labelAttempts++;
            const res = await act(client, label.id, labelBody(action, c));
            judge(found, { ...base, action, offered }, res, tableActions);
            if (res.statusCode === 200) {
              counts.labelApplied++;
              // The step changed the label: the next attempt gets a fresh one in the same case,
              // which must be offered the same.
              label = await labelFor(c);
              clean = await labelRow(label.id);
              const again = (await client.post('/api/v1/scan', { qr: label.qrContent })).json();
              if (!same(again.allowedActions, offered)) inconsistent(found, { ...base, action: 'scan', offered }, 'a fresh label in the same case is offered otherwise', again);
            } else {
              const after = await labelRow(label.id);
              if (!same(after, clean)) inconsistent(found, { ...base, action, offered }, 'the refused step changed the label', { before: clean, after });
            }
          }
        }
      }
    }));
    mismatches.push(...found);
    expect(found).toEqual([]);
  });
});

// ---- manifests ---------------------------------------------------------------------------------

type Path = 'submit' | 'pickup' | 'handover' | 'deliver' | 'receiverDelivers' | 'accept' | 'refuse' | 'treat' | 'cancel';
interface ManifestCase { name: string; state: ManifestState; carriers: 1 | 2; path: Path[] }

// Every state, through the real flow; where the carrier order matters (in transit), each position.
const MANIFEST_CASES: ManifestCase[] = [
  { name: 'draft', state: 'draft', carriers: 2, path: [] },
  { name: 'submitted', state: 'submitted', carriers: 2, path: ['submit'] },
  { name: 'in_transit, with the first of two carriers', state: 'in_transit', carriers: 2, path: ['submit', 'pickup'] },
  { name: 'in_transit, with the second of two carriers', state: 'in_transit', carriers: 2, path: ['submit', 'pickup', 'handover'] },
  { name: 'in_transit, one carrier', state: 'in_transit', carriers: 1, path: ['submit', 'pickup'] },
  { name: 'delivered by the last carrier', state: 'delivered', carriers: 2, path: ['submit', 'pickup', 'handover', 'deliver'] },
  { name: 'delivered, confirmed by the receiver before the handover', state: 'delivered', carriers: 2, path: ['submit', 'pickup', 'receiverDelivers'] },
  { name: 'received', state: 'received', carriers: 2, path: ['submit', 'pickup', 'handover', 'deliver', 'accept'] },
  { name: 'rejected', state: 'rejected', carriers: 2, path: ['submit', 'pickup', 'handover', 'deliver', 'refuse'] },
  { name: 'completed', state: 'completed', carriers: 2, path: ['submit', 'pickup', 'handover', 'deliver', 'accept', 'treat'] },
  { name: 'cancelled as a draft', state: 'cancelled', carriers: 2, path: ['cancel'] },
  { name: 'cancelled after submission', state: 'cancelled', carriers: 2, path: ['submit', 'cancel'] },
];

interface BuiltManifest { id: string; labels: IssuedLabel[]; carriers: CarrierSite[] }

const receiptItems = (ls: IssuedLabel[], accepted: boolean) =>
  ls.map((l) => ({ labelId: l.id, accepted, measuredQuantity: { value: 180, unit: 'kg' }, ...(accepted ? {} : { refusalReason: '成分不符' }) }));

/** A manifest of two fresh containers, driven through the real flow into the case. */
async function manifestFor(c: ManifestCase): Promise<BuiltManifest> {
  const issuedRes = await gen.client.post('/api/v1/labels/batch', { items: [LABEL_BODY, LABEL_BODY] });
  expect(issuedRes.statusCode, issuedRes.body).toBe(201);
  const ls: IssuedLabel[] = issuedRes.json().items;
  const labelIds = ls.map((l) => l.id);
  const carriers = c.carriers === 2 ? [c1, c2] : [c1];
  const res = await gen.client.post('/api/v1/manifests', {
    receiverId: rec.org.id, carriers: carriers.map((x) => ({ orgId: x.org.id })), labelIds,
    plannedAt: new Date(Date.now() + 3600_000).toISOString(), intendedMethod: 'D10', emergencyMeasures: '泄漏时用吸附棉围堵',
  });
  expect(res.statusCode, res.body).toBe(201);
  const id: string = res.json().id;
  for (const step of c.path) {
    switch (step) {
      case 'submit': await manifestAction(gen.client, id, { action: 'submit' }); break;
      case 'pickup': await manifestAction(c1.client, id, { action: 'pickup', labelIds, vehiclePlate: c1.plate, driver: DRIVER }); break;
      case 'handover': await manifestAction(c2.client, id, { action: 'handover', vehiclePlate: c2.plate, driver: DRIVER }); break;
      case 'deliver': await manifestAction(carriers[carriers.length - 1].client, id, { action: 'deliver' }); break;
      case 'receiverDelivers': await manifestAction(rec.client, id, { action: 'deliver' }); break;
      case 'accept': await manifestAction(rec.client, id, { action: 'receive', items: receiptItems(ls, true) }); break;
      case 'refuse': await manifestAction(rec.client, id, { action: 'receive', items: receiptItems(ls, false) }); break;
      case 'treat':
        for (const l of ls) expect((await act(rec.client, l.id, { action: 'treat', method: 'D10', facilityId: rec.treatmentId })).statusCode).toBe(200);
        break;
      case 'cancel': await manifestAction(gen.client, id, { action: 'cancel', reason: '计划变更' }); break;
    }
  }
  const { rows: [m] } = await t.database.pool.query('SELECT state FROM manifests WHERE id = $1', [id]);
  expect(m.state, c.name).toBe(c.state);
  return { id, labels: ls, carriers };
}

/** The manifest and its containers as stored: what a refused step must leave untouched. */
const manifestRow = async (id: string) => (await t.database.pool.query(`
  SELECT m.state, m.version, m.current_carrier,
         (SELECT json_agg(json_build_object('id', l.id, 'state', l.state, 'version', l.version, 'open', l.open_manifest_id) ORDER BY l.id)
          FROM manifest_labels ml JOIN labels l ON l.id = ml.label_id WHERE ml.manifest_id = m.id) AS labels,
         (SELECT json_agg(json_build_object('p', c.position, 'plate', c.vehicle_plate, 'at', c.took_over_at) ORDER BY c.position)
          FROM manifest_carriers c WHERE c.manifest_id = m.id) AS carriers
  FROM manifests m WHERE m.id = $1`, [id])).rows[0];

async function manifestBody(action: string, built: BuiltManifest): Promise<Record<string, unknown>> {
  switch (action) {
    case 'submit': case 'deliver': return { action };
    case 'cancel': return { action, reason: '计划变更' };
    case 'pickup': return { action, labelIds: built.labels.map((l) => l.id), vehiclePlate: built.carriers[0].plate, driver: DRIVER };
    case 'handover': {
      const { rows: [m] } = await t.database.pool.query('SELECT current_carrier FROM manifests WHERE id = $1', [built.id]);
      const next = built.carriers[m.current_carrier + 1] ?? c2;
      return { action, vehiclePlate: next.plate, driver: DRIVER };
    }
    case 'receive': return { action, items: receiptItems(built.labels, true) };
    default: throw new Error(action);
  }
}

const MANIFEST_RELATIONS: Array<{ relation: string; key: keyof typeof hs }> = [
  { relation: 'generator', key: 'gen' },
  { relation: 'first carrier', key: 'c1' },
  { relation: 'second carrier (none on a one-carrier manifest)', key: 'c2' },
  { relation: 'receiver', key: 'rec' },
  { relation: 'regulator', key: 'reg' },
  { relation: 'unrelated carrier', key: 'cx' },
];

describe('manifests: the actions GET /manifests/{id} (and POST /scan) offer are the ones POST /manifests/{id}/actions accepts', () => {
  // Concurrent: each case drives manifests and containers of its own.
  it.concurrent.for(MANIFEST_CASES)('manifest $name × relation × role × action', { timeout: 300_000 }, async (c, { expect }) => {
    const found: Finding[] = [];
    const tableActions = manifestLifecycle.allowedActions(c.state);
    let built = await manifestFor(c);
    let clean = await manifestRow(built.id);
    for (const { relation, key } of MANIFEST_RELATIONS) {
      for (const role of ROLES) {
        counts.manifestCombos++;
        const client = hs[key][role];
        const base = { side: 'manifest' as const, where: `manifest ${c.name}`, relation, role };
        const got = await client.get(`/api/v1/manifests/${built.id}`);
        const scan = await client.post('/api/v1/scan', { qr: built.labels[0].qrContent });
        if (got.statusCode === 404) {
          counts.manifestHidden++;
          if (scan.statusCode !== 404) inconsistent(found, { ...base, action: 'scan', offered: [] }, `GET says 404, the scan of its container ${scan.statusCode}`, scan.json());
          for (const action of CLIENT_MANIFEST_ACTIONS) {
            counts.manifestAttempts++;
            const res = await client.post(`/api/v1/manifests/${built.id}/actions`, await manifestBody(action, built));
            if (res.statusCode !== 404) found.push({ ...base, action, offered: [], status: res.statusCode, body: res.json(), why: 'GET says 404, the action does not' });
          }
          continue;
        }
        expect(got.statusCode, got.body).toBe(200);
        const offered: string[] = got.json().allowedActions;
        // The scan of a container on the manifest offers the same manifest actions as GET
        // (while the manifest is the container's open one; after receipt the scan names none).
        const open = (await labelRow(built.labels[0].id)).open_manifest_id;
        const scanned = scan.statusCode === 200 ? scan.json().openManifest : `scan answered ${scan.statusCode}`;
        const expected = open === built.id ? { id: built.id, state: c.state, allowedActions: offered } : null;
        if (!same(scanned && typeof scanned === 'object' ? { id: scanned.id, state: scanned.state, allowedActions: scanned.allowedActions } : scanned, expected)) {
          inconsistent(found, { ...base, action: 'scan', offered }, 'the scan\'s openManifest differs from GET', scanned);
        }
        for (const action of CLIENT_MANIFEST_ACTIONS) {
          counts.manifestAttempts++;
          const res = await client.post(`/api/v1/manifests/${built.id}/actions`, await manifestBody(action, built));
          judge(found, { ...base, action, offered }, res, tableActions);
          if (res.statusCode === 200) {
            counts.manifestApplied++;
            built = await manifestFor(c);
            clean = await manifestRow(built.id);
            const again = (await client.get(`/api/v1/manifests/${built.id}`)).json();
            if (!same(again.allowedActions, offered)) inconsistent(found, { ...base, action: 'GET', offered }, 'a fresh manifest in the same case is offered otherwise', again.allowedActions);
          } else {
            const after = await manifestRow(built.id);
            if (!same(after, clean)) inconsistent(found, { ...base, action, offered }, 'the refused step changed the manifest', { before: clean, after });
          }
        }
      }
    }
    mismatches.push(...found);
    expect(found).toEqual([]);
  });

  it('covers every manifest state', () => {
    expect(new Set(MANIFEST_CASES.map((c) => c.state))).toEqual(new Set(MANIFEST_STATES));
  });
});
