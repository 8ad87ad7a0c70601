// Ten years of custody, simulated day by day. Each manifest is planned when its first container is
// labelled (the labels, their storage, the draft, the carriage, the receipt and the treatment, with
// the rare refusal and weight discrepancy), its events are put into the day buckets they fall in,
// and each day's events are then played in time order through the same bookkeeping the service
// does: label version and step count, step rows, ledger records with their batch-code serials,
// audit entries on the generator's region chain. Anything planned past the end simply has not
// happened yet, which leaves the last weeks with containers in storage and manifests on the road.
import { addWorkingDays, CalendarNotCoveredError, shanghaiDate } from '../../../src/calendar/working-days.js';
import { editionOn, findWasteCode } from '../../../src/catalog/catalog.js';
import { methodKind } from '../../../src/catalog/treatment-methods.js';
import { digitalCode } from '../../../src/labels/digital-code.js';
import { treatmentLedgerKind, type LedgerKind } from '../../../src/labels/ledger-codes.js';
import { WASTE, type WasteKey } from '../../../src/demo/waste.js';
import type { AuditLog } from './audit-log.js';
import type { CopyTable } from './copy.js';
import type { City, Generator, Org, Receiver, Carrier } from './parties.js';
import type { Rng } from './rng.js';
import { districtClient } from './bench-clients.js';

const MIN = 60_000; const HOUR = 60 * MIN; const DAY = 24 * HOUR;

export interface Label {
  id: string; gen: Generator; template: WasteKey; wasteCode: string; category: string; hazards: string[]; kg: number;
  generatedAt: number; generatedOn: string; sequence: number; digitalCode: string; createdAt: number;
  state: string; version: number; stepCount: number; holderId: string; holderRegion: string; facilityId: string | null;
  openManifestId: string | null; hasLeft: boolean; heldSince: number; lastStepAt: number; stuck?: boolean;
}
interface Manifest {
  id: string; gen: Generator; receiver: Receiver; carrier: Carrier; method: string; labels: Label[];
  number: string | null; state: string | null; version: number; createdAt: number; plannedAt: number; updatedAt: number;
  submittedAt?: number; pickedUpAt?: number; deliveredAt?: number; receiptDueOn?: string | null; receivedAt?: number; completedAt?: number;
  receiptRecordedAt?: string; discrepant: boolean; reviewedAt?: number; plate: string; driver: { name: string; qualificationNo: string };
  outcome: Map<string, { accepted: boolean; measuredKg: number; reason: string | null }>; pendingTreat: number; awaitingReview?: boolean;
}
type Ev =
  | { t: number; kind: 'issue'; m: Manifest; labels: Label[] }
  | { t: number; kind: 'store' | 'void' | 'treat' | 'return'; m: Manifest; label: Label }
  | { t: number; kind: 'create' | 'submit' | 'pickup' | 'deliver' | 'receive' | 'review'; m: Manifest };

export interface SimTables {
  labels: CopyTable; labelSteps: CopyTable; ledger: CopyTable; manifests: CopyTable; manifestLabels: CopyTable;
  manifestCarriers: CopyTable; manifestSteps: CopyTable; ledgerSerials: CopyTable; labelSequences: CopyTable;
}

export interface SimOptions {
  start: number; days: number; manifests: number; rng: Rng; city: City; audit: AuditLog; out: SimTables;
  /** Signs the QR tokens of the labels about to be written (the service's signLabelToken). */
  sign: (labels: Label[]) => Promise<string[]>;
  drained: () => Promise<void>;
  progress: (day: number, counts: { labels: number; steps: number; manifests: number }) => void;
}

export async function simulate(o: SimOptions) {
  const { rng, city, audit, out, start } = o;
  const end = start + o.days * DAY;
  const buckets: Ev[][] = Array.from({ length: o.days + 1 }, () => []);
  const put = (e: Ev) => { const d = Math.floor((e.t - start) / DAY); if (d < o.days) buckets[d].push(e); };
  const regulatorOf = new Map(city.regulators.map((r) => [r.regionCode, r]));
  const live = new Set<Label>();
  const open = new Set<Manifest>();
  const finishedLabels: Label[] = [];
  let stepId = 0; let ledgerId = 0; let manifestStepId = 0; let lastRecorded = 0;
  const counts = { labels: 0, steps: 0, manifests: 0 };
  let ledgerSerial = new Map<string, number>();
  let labelSeq = new Map<string, number>();
  const manifestSerial = new Map<number, number>();

  // ---- planning ---------------------------------------------------------------------------
  const workTime = (dayMs: number) => dayMs + rng.between(8.5, 17.5) * HOUR;

  function newLabel(gen: Generator, template: WasteKey, at: number): Label {
    const w = WASTE[template];
    const code = findWasteCode(w.wasteCode)!;
    const kg = Math.round(rng.between(w.kg[0], w.kg[1]) * 1000) / 1000;
    return {
      id: rng.uuid(), gen, template, wasteCode: w.wasteCode, category: code.category, hazards: code.hazards, kg,
      generatedAt: at, generatedOn: shanghaiDate(new Date(at)), sequence: 0, digitalCode: '', createdAt: at,
      state: 'new', version: 0, stepCount: 0, holderId: gen.id, holderRegion: gen.regionCode, facilityId: null,
      openManifestId: null, hasLeft: false, heldSince: at, lastStepAt: at,
    };
  }

  function newManifest(gen: Generator, template: WasteKey, labels: Label[]): Manifest {
    const receiver = gen.receiverFor[template]!;
    return {
      id: rng.uuid(), gen, receiver, carrier: gen.carrier, method: receiver.methods[template]!, labels, number: null, state: null, version: 0,
      createdAt: 0, plannedAt: 0, updatedAt: 0, discrepant: false, plate: rng.pick(gen.carrier.plates),
      driver: { name: rng.pick(['王师傅', '李师傅', '张师傅', '赵师傅']), qualificationNo: `1401${String(rng.int(0, 99_999_999)).padStart(8, '0')}` },
      outcome: new Map(), pendingTreat: 0,
    };
  }

  /** From the draft on: carriage, receipt, treatment. `ready` is when the last container is in storage. */
  function planShipment(m: Manifest, ready: number) {
    const create = workTime(start + (Math.floor((ready - start) / DAY) + 1) * DAY); // the next day
    const submit = create + rng.between(5, 40) * MIN;
    const pickup = submit + rng.between(1, 26) * HOUR;
    const deliver = pickup + rng.between(0.7, 5) * HOUR;
    const receive = deliver + (rng.chance(0.02) ? rng.between(2, 12) * DAY : rng.between(0.3, 24) * HOUR);
    m.plannedAt = Math.round(pickup / HOUR) * HOUR;
    put({ t: create, kind: 'create', m }); put({ t: submit, kind: 'submit', m }); put({ t: pickup, kind: 'pickup', m });
    put({ t: deliver, kind: 'deliver', m }); put({ t: receive, kind: 'receive', m });
    const refuse = rng.chance(0.003) ? rng.pick(m.labels) : undefined;
    const heavy = !refuse && rng.chance(0.02) ? rng.pick(m.labels) : undefined;
    for (const l of m.labels) {
      const off = l === heavy ? rng.pick([-1, 1]) * rng.between(0.12, 0.3) : rng.between(-0.02, 0.02);
      m.outcome.set(l.id, { accepted: l !== refuse, measuredKg: Math.round(l.kg * (1 + off) * 1000) / 1000, reason: l === refuse ? '包装破损，渗漏' : null });
      if (l === refuse) put({ t: receive + rng.between(1, 5) * DAY, kind: 'return', m, label: l });
      else put({ t: receive + (m.gen.medical ? rng.between(1, 36) * HOUR : rng.between(0.2, 25) * DAY), kind: 'treat', m, label: l });
    }
    m.discrepant = Boolean(refuse || heavy);
    m.pendingTreat = m.labels.length - (refuse ? 1 : 0);
    if (m.discrepant && m.pendingTreat > 0) { m.awaitingReview = true; put({ t: receive + rng.between(3, 30) * DAY, kind: 'review', m }); }
  }

  /** A manifest whose first container is labelled on day `d`. */
  function planManifest(d: number) {
    const gen = city.generators[rng.weighted(city.generatorWeights)];
    const template = rng.pick(gen.templates);
    const n = gen.medical ? rng.int(2, 12) : rng.int(1, 19);
    const spread = gen.medical ? 2 : rng.int(3, 40);
    const byDay = new Map<number, Label[]>();
    const labels: Label[] = [];
    for (let i = 0; i < n; i++) {
      const day = d + (i === 0 ? 0 : rng.int(0, spread - 1));
      const group = byDay.get(day) ?? [];
      byDay.set(day, group);
      const l = newLabel(gen, template, 0);
      group.push(l);
    }
    const m = newManifest(gen, template, labels);
    let ready = 0;
    for (const [day, group] of byDay) {
      const t = workTime(start + day * DAY);
      put({ t, kind: 'issue', m, labels: group });
      for (const l of group) {
        l.generatedAt = t - rng.between(0, 2) * HOUR;
        const done = t + rng.between(5, 90) * MIN;
        if (rng.chance(0.001)) { put({ t: done, kind: 'void', m, label: l }); continue; }
        put({ t: done, kind: 'store', m, label: l });
        if (rng.chance(0.0002)) { l.stuck = true; continue; } // forgotten in storage: a storage alert one day
        labels.push(l);
        ready = Math.max(ready, done);
      }
    }
    if (labels.length) planShipment(m, ready);
  }

  // ---- playing ----------------------------------------------------------------------------
  interface Req { t: number; recordedAt: string; id: string; org: Org; clientId: string; codes: Map<string, string> }
  function request(t: number, org: Org, clientId = org.clientId): Req {
    lastRecorded = Math.max(Math.round(t + rng.between(300, 2500)), lastRecorded + 1);
    return { t, recordedAt: new Date(lastRecorded).toISOString(), id: rng.uuid(), org, clientId, codes: new Map() };
  }
  const actorOf = (r: Req) => ({ orgId: r.org.id, clientId: r.clientId, requestId: r.id });

  function batchCode(r: Req, orgId: string, kind: LedgerKind, day: string): string {
    const key = `${orgId}|${kind}|${day}`;
    let code = r.codes.get(key);
    if (!code) {
      const last = (ledgerSerial.get(key) ?? 0) + 1;
      ledgerSerial.set(key, last);
      code = `${kind}${day.replace(/-/g, '')}${String(last).padStart(3, '0')}`;
      r.codes.set(key, code);
    }
    return code;
  }

  interface LedgerEntry { orgId: string; kind: LedgerKind; facilityCode?: string | null; method?: string | null; counterparty?: string | null; manifestNumber?: string | null }
  interface StepSpec {
    action: string; to: string; manifestId?: string | null; facilityId?: string | null; method?: string | null;
    location?: { lat: number; lng: number }; details?: Record<string, unknown>; changes?: Partial<Label>; ledger?: LedgerEntry[];
  }
  const w = (l: Label) => WASTE[l.template];

  function step(r: Req, l: Label, s: StepSpec) {
    const from = s.action === 'issue' ? null : l.state;
    const before = from === null ? null : { state: l.state, version: l.version, holderId: l.holderId };
    Object.assign(l, s.changes ?? {});
    l.state = s.to; l.version++; l.stepCount++; l.lastStepAt = r.t;
    const id = ++stepId;
    const occurredAt = new Date(r.t).toISOString();
    const row = {
      labelId: l.id, seq: l.stepCount, action: s.action, fromState: from, toState: s.to, orgId: r.org.id, clientId: r.clientId,
      manifestId: s.manifestId ?? null, facilityId: s.facilityId ?? null, method: s.method ?? null,
      lat: s.location?.lat ?? null, lng: s.location?.lng ?? null, occurredAt, requestId: r.id, details: s.details ?? {},
    };
    out.labelSteps.write([id, l.id, row.seq, row.action, from, s.to, row.orgId, row.clientId, row.manifestId, row.facilityId, row.method,
      row.lat, row.lng, occurredAt, r.recordedAt, r.id, row.details]);
    counts.steps++;
    const day = shanghaiDate(new Date(r.t));
    for (const e of s.ledger ?? []) {
      out.ledger.write([++ledgerId, e.orgId, l.id, id, e.kind, batchCode(r, e.orgId, e.kind, day), occurredAt, l.wasteCode, w(l).wasteName,
        l.category, w(l).physicalForm, l.kg, l.digitalCode, e.facilityCode ?? null, e.method ?? null, e.counterparty ?? null,
        e.manifestNumber ?? null, r.clientId, r.recordedAt]);
    }
    audit.append(actorOf(r), r.recordedAt, {
      chain: l.gen.regionCode, entityType: 'label', entityId: l.id, action: s.action, before,
      after: { state: l.state, version: l.version, holderId: l.holderId, step: row,
        ...(from === null ? { digitalCode: l.digitalCode, wasteCode: l.wasteCode, quantityKg: l.kg } : {}) },
    });
    if (l.state === 'treated' || l.state === 'voided') { live.delete(l); finishedLabels.push(l); }
  }

  function manifestStep(r: Req, m: Manifest, action: string, to: string, details: Record<string, unknown>) {
    const from = m.state;
    const before = { state: from, version: m.version };
    m.state = to; m.version++; m.updatedAt = Date.parse(r.recordedAt);
    out.manifestSteps.write([++manifestStepId, m.id, action, from, to, r.org.id, r.clientId, new Date(r.t).toISOString(), r.recordedAt, r.id, details]);
    audit.append(actorOf(r), r.recordedAt, { chain: m.gen.regionCode, entityType: 'manifest', entityId: m.id, action, before, after: { state: to, version: m.version, ...details } });
    closeIfFinal(m);
  }

  // A finished manifest's row is final, unless a regulator's review of its discrepancy is still to come.
  function closeIfFinal(m: Manifest) {
    if ((m.state === 'completed' || m.state === 'rejected') && !m.awaitingReview) { open.delete(m); writeManifest(m); }
  }

  const jitter = (x: number) => Math.round((x + rng.between(-0.05, 0.05)) * 1e6) / 1e6;
  const TAIYUAN = { lat: 37.87, lng: 112.55 };

  function play(e: Ev) {
    const { m } = e;
    switch (e.kind) {
      case 'issue': {
        const r = request(e.t, m.gen);
        for (const l of e.labels) {
          const key = `${l.gen.id}|${l.wasteCode}|${l.generatedOn = shanghaiDate(new Date(l.generatedAt))}`;
          l.sequence = (labelSeq.get(key) ?? 0) + 1;
          labelSeq.set(key, l.sequence);
          l.digitalCode = digitalCode(l.gen.uscc, l.wasteCode, l.generatedOn, l.sequence);
          l.createdAt = Date.parse(r.recordedAt); l.heldSince = l.generatedAt; l.lastStepAt = l.generatedAt;
          live.add(l); counts.labels++;
          step({ ...r, t: l.generatedAt }, l, { action: 'issue', to: 'issued', ledger: [{ orgId: m.gen.id, kind: 'HWCS' }] });
        }
        return;
      }
      case 'store': {
        const f = m.gen.storage;
        return step(request(e.t, m.gen), e.label, { action: 'store', to: 'stored', facilityId: f.id, changes: { facilityId: f.id }, ledger: [{ orgId: m.gen.id, kind: 'HWRK', facilityCode: f.code }] });
      }
      case 'void':
        return step(request(e.t, m.gen), e.label, { action: 'void', to: 'voided', details: { reason: '标签信息填写错误，重新打印' } });
      case 'create': {
        const r = request(e.t, m.gen);
        m.state = 'draft'; m.version = 1; m.createdAt = Date.parse(r.recordedAt); m.updatedAt = m.createdAt;
        open.add(m); counts.manifests++;
        for (const l of m.labels) {
          l.openManifestId = m.id; l.version++;
          audit.append(actorOf(r), r.recordedAt, { chain: l.gen.regionCode, entityType: 'label', entityId: l.id, action: 'attach_to_manifest', after: { openManifestId: m.id, version: l.version } });
        }
        audit.append(actorOf(r), r.recordedAt, { chain: m.gen.regionCode, entityType: 'manifest', entityId: m.id, action: 'create', after: { state: 'draft', labelIds: m.labels.map((l) => l.id), receiverId: m.receiver.id } });
        return;
      }
      case 'submit': {
        const r = request(e.t, m.gen);
        const year = Number(shanghaiDate(new Date(e.t)).slice(0, 4));
        const serial = (manifestSerial.get(year) ?? 0) + 1;
        manifestSerial.set(year, serial);
        m.number = `${year}${m.gen.regionCode.slice(0, 4)}${String(serial).padStart(6, '0')}`;
        m.submittedAt = e.t;
        return manifestStep(r, m, 'submit', 'submitted', { number: m.number });
      }
      case 'pickup': {
        const r = request(e.t, m.carrier);
        const location = { lat: jitter(TAIYUAN.lat), lng: jitter(TAIYUAN.lng) };
        const ww = treatmentLedgerKind(m.method, false);
        for (const l of m.labels) {
          step(r, l, { action: 'dispatch', to: 'in_transit', manifestId: m.id, location, changes: { hasLeft: true },
            details: { manifestNumber: m.number, vehiclePlate: m.plate },
            ledger: [{ orgId: m.gen.id, kind: 'HWCK', counterparty: m.receiver.name, manifestNumber: m.number },
              { orgId: m.gen.id, kind: ww, method: m.method, counterparty: m.receiver.name, manifestNumber: m.number }] });
        }
        m.pickedUpAt = e.t;
        return manifestStep(r, m, 'pickup', 'in_transit', { vehiclePlate: m.plate, driver: m.driver });
      }
      case 'deliver': {
        const r = request(e.t, m.carrier);
        m.deliveredAt = e.t;
        try {
          m.receiptDueOn = addWorkingDays(shanghaiDate(new Date(e.t)), 5);
          return manifestStep(r, m, 'deliver', 'delivered', { receiptDueOn: m.receiptDueOn });
        } catch (err) {
          if (!(err instanceof CalendarNotCoveredError)) throw err;
          m.receiptDueOn = null;
          return manifestStep(r, m, 'deliver', 'delivered', { receiptDueOn: null, receiptDueUnknown: `The working-day calendar for ${err.year} is not loaded` });
        }
      }
      case 'receive': {
        const r = request(e.t, m.receiver);
        const location = { lat: jitter(TAIYUAN.lat), lng: jitter(TAIYUAN.lng) };
        let accepted = 0;
        for (const l of m.labels) {
          const o = m.outcome.get(l.id)!;
          const details = { measuredKg: o.measuredKg, declaredKg: l.kg, manifestNumber: m.number };
          if (o.accepted) {
            accepted++;
            step(r, l, { action: 'accept', to: 'received', manifestId: m.id, location, details,
              changes: { holderId: m.receiver.id, holderRegion: m.receiver.regionCode, heldSince: e.t, openManifestId: null, facilityId: null },
              ledger: [{ orgId: m.receiver.id, kind: 'HWRK', counterparty: m.gen.name, manifestNumber: m.number }] });
          } else {
            step(r, l, { action: 'refuse', to: 'rejected', manifestId: m.id, location, details: { ...details, refusalReason: o.reason }, changes: { openManifestId: null } });
          }
        }
        m.receivedAt = e.t; m.receiptRecordedAt = r.recordedAt;
        return manifestStep(r, m, 'receive', accepted > 0 ? 'received' : 'rejected', { accepted, refused: m.labels.length - accepted, discrepant: m.discrepant });
      }
      case 'treat': {
        const rc = m.receiver;
        const r = request(e.t, rc);
        step(r, e.label, { action: 'treat', to: 'treated', facilityId: rc.treatment.id, method: m.method, changes: { facilityId: rc.treatment.id },
          details: { methodKind: methodKind(m.method) },
          ledger: [{ orgId: rc.id, kind: treatmentLedgerKind(m.method, true), facilityCode: rc.treatment.code, method: m.method }] });
        if (--m.pendingTreat === 0 && m.state === 'received') {
          m.completedAt = e.t;
          manifestStep(r, m, 'complete', 'completed', { trigger: 'every accepted container treated' });
        }
        return;
      }
      case 'return': {
        const g = m.gen; const l = e.label;
        step(request(e.t, g), l, { action: 'return', to: 'stored', facilityId: g.storage.id,
          changes: { holderId: g.id, holderRegion: g.regionCode, facilityId: g.storage.id, heldSince: e.t, openManifestId: null },
          ledger: [{ orgId: g.id, kind: 'HWRK', facilityCode: g.storage.code }] });
        // Shipped again on a manifest of its own.
        const again = newManifest(g, l.template, [l]);
        again.outcome.clear();
        planShipment(again, e.t);
        return;
      }
      case 'review': {
        const reg = regulatorOf.get(m.receiver.regionCode)!;
        const r = request(e.t, reg, districtClient(reg.regionCode));
        m.reviewedAt = Date.parse(r.recordedAt); m.version++; m.updatedAt = m.reviewedAt;
        audit.append(actorOf(r), r.recordedAt, { chain: m.gen.regionCode, entityType: 'manifest', entityId: m.id, action: 'review_discrepancy', after: { note: '已核实，称重误差系包装差异' } });
        m.awaitingReview = false;
        closeIfFinal(m);
      }
    }
  }

  // ---- rows -------------------------------------------------------------------------------
  const iso = (t?: number) => (t === undefined ? null : new Date(t).toISOString());
  function writeManifest(m: Manifest) {
    if (m.state === null) return;
    out.manifests.write([m.id, m.number, m.state, m.gen.id, m.receiver.id, m.gen.regionCode, m.receiver.regionCode, iso(m.plannedAt), null,
      m.method, '', m.discrepant, 0, iso(m.submittedAt), iso(m.pickedUpAt), iso(m.deliveredAt), m.receiptDueOn ?? null, iso(m.receivedAt),
      iso(m.completedAt), null, m.version, iso(m.createdAt), iso(m.updatedAt), iso(m.reviewedAt), m.reviewedAt ? '已核实，称重误差系包装差异' : null,
      // The receipt's recorded clock and whether it came after the due day, as the service writes them (migration 0013).
      m.receiptRecordedAt ?? null, m.receiptRecordedAt && m.receiptDueOn ? shanghaiDate(new Date(m.receiptRecordedAt)) > m.receiptDueOn : null]);
    m.labels.forEach((l) => {
      const o = m.receivedAt !== undefined ? m.outcome.get(l.id) : undefined;
      out.manifestLabels.write([m.id, l.id, l.kg, o ? o.accepted : null, o ? o.measuredKg : null, o?.reason ?? null]);
    });
    const took = m.pickedUpAt !== undefined;
    out.manifestCarriers.write([m.id, 0, m.carrier.id, m.plate, m.driver.name, m.driver.qualificationNo, took ? iso(m.pickedUpAt) : null]);
  }

  async function writeLabels(ls: Label[]) {
    const tokens = await o.sign(ls);
    ls.forEach((l, i) => {
      const t = w(l);
      out.labels.write([l.id, l.digitalCode, tokens[i], l.gen.id, l.holderId, l.gen.regionCode, l.wasteCode, l.category, t.wasteName,
        t.physicalForm, l.hazards, t.mainComponents, t.harmfulComponents, t.precautions, l.kg, t.packaging.type, t.packaging.volumeL,
        iso(l.generatedAt), l.generatedOn, l.sequence, l.facilityId, '', l.state, l.version, null, l.openManifestId, l.hasLeft,
        l.holderRegion, iso(l.heldSince), iso(l.lastStepAt), iso(l.createdAt), l.stepCount,
        editionOn(l.generatedOn)]); // the 名录 edition in force on the day of generation, as issuance records it
    });
  }

  // Growth: the platform starts with half the city's flow and ends with one and a half times it.
  const weekday = (d: number) => [0.35, 1.15, 1.15, 1.15, 1.15, 1.15, 0.45][new Date(start + d * DAY + 12 * HOUR).getUTCDay()];
  let carry = 0;
  for (let d = 0; d < o.days; d++) {
    carry += (o.manifests / o.days) * (0.5 + d / o.days) * weekday(d) / 0.9357; // 0.9357: mean of the weekday factors
    for (; carry >= 1; carry--) planManifest(d);
    const today = buckets[d].sort((a, b) => a.t - b.t);
    buckets[d] = [];
    for (const e of today) play(e);
    // Counters are per day: once a day is over its rows are final.
    for (const [k, last] of ledgerSerial) { const [org, kind, day] = k.split('|'); out.ledgerSerials.write([org, kind, day, last]); }
    for (const [k, last] of labelSeq) { const [gen, code, day] = k.split('|'); out.labelSequences.write([gen, code, day, last]); }
    ledgerSerial = new Map(); labelSeq = new Map();
    if (finishedLabels.length) await writeLabels(finishedLabels.splice(0));
    await o.drained();
    if (d % 30 === 0 || d === o.days - 1) o.progress(d, counts);
  }
  await writeLabels([...live]);
  for (const m of open) writeManifest(m);
  return { manifestSerials: manifestSerial, steps: stepId, ledger: ledgerId, manifestSteps: manifestStepId, counts, end };
}
