// The city's organisations: regulators (city and one per district), generators (industrial and
// medical, their sizes Zipf-distributed as real ones are), carriers with vehicles and transport
// licences, and receivers with operating licences and treatment facilities. Each is registered as
// the service would register it, with its audit entries, just before the ten years begin.
import { listRegions } from '../../../src/catalog/regions.js';
import { findWasteCode } from '../../../src/catalog/catalog.js';
import { withCheckCharacter } from '../../../src/parties/uscc.js';
import { WASTE, type WasteKey } from '../../../src/demo/waste.js';
import type { AuditLog } from './audit-log.js';
import type { CopyTable } from './copy.js';
import { cumulative, type Rng } from './rng.js';
import { CITY_CLIENT, districtClient } from './bench-clients.js';

export interface Facility { id: string; code: string }
export interface Org {
  id: string; uscc: string; name: string; regionCode: string; roles: string[]; clientId: string;
  /** Its default site (生产经营场所), created with it. */
  siteId: string;
}
export interface Receiver extends Org { treatment: Facility; methods: Partial<Record<WasteKey, string>> }
export interface Carrier extends Org { plates: string[] }
export interface Generator extends Org {
  medical: boolean; storage: Facility; templates: WasteKey[];
  receiverFor: Partial<Record<WasteKey, Receiver>>; carrier: Carrier;
}
export interface City {
  city: Org; regulators: Org[]; generators: Generator[]; generatorWeights: number[]; carriers: Carrier[]; receivers: Receiver[];
}

export interface PartyTables {
  organisations: CopyTable; clients: CopyTable; sites: CopyTable; facilities: CopyTable; licences: CopyTable; vehicles: CopyTable;
}

export const DISTRICTS = listRegions().filter((r) => r.level !== 'province' && r.level !== 'city');
// Where the waste is made: the industrial districts and the city centre weigh most.
const DISTRICT_WEIGHT: Record<string, number> = { 140105: 1.6, 140106: 1.0, 140107: 0.9, 140108: 1.5, 140109: 1.3, 140110: 0.8, 140121: 1.0, 140122: 0.5, 140123: 0.3, 140181: 0.9 };

// What each kind of receiver takes, and the method it treats each waste with.
const SPECIALITIES: Array<{ name: string; methods: Partial<Record<WasteKey, string>> }> = [
  { name: '再生资源利用', methods: { oil: 'R9', engineOil: 'R9', solvent: 'R2' } },
  { name: '金属回收', methods: { catalyst: 'R8', denox: 'R8', battery: 'R4', tubes: 'R4' } },
  { name: '焚烧处置', methods: { paint: 'D10', rags: 'D10', packaging: 'D10', labWaste: 'D10', pharma: 'D10' } },
  { name: '物化处理', methods: { acid: 'R6', surface: 'D9', labWaste: 'D9' } },
  { name: '安全填埋及协同处置', methods: { flyash: 'D1', tar: 'C1', gjtar: 'C1' } },
  { name: '医疗废物集中处置', methods: { infectious: 'D10', sharps: 'D10', pathological: 'D10', pharma: 'D10' } },
];
const INDUSTRIAL: WasteKey[] = ['solvent', 'catalyst', 'packaging', 'acid', 'oil', 'surface', 'paint', 'tar', 'gjtar', 'denox', 'flyash', 'engineOil', 'rags', 'battery', 'labWaste', 'tubes'];
const MEDICAL_TIERS = ['village_clinic', 'township_health_centre', 'county_hospital', 'other'];
const USCC_CHARS = '0123456789ABCDEFGHJKLMNPQRTUWXY';
const PLATE_CHARS = '0123456789ABCDEFGHJKLMNPQRSTUVWXYZ';

const kindOfMethod = (m: string) => (m.startsWith('R') ? 'utilisation' : 'disposal');

export function buildCity(rng: Rng, scale: number, out: PartyTables, audit: AuditLog, secretHash: string, at: Date): City {
  let clock = at.getTime();
  const tick = () => new Date((clock += rng.int(20_000, 600_000))).toISOString();
  const uscc = (prefix: string) => withCheckCharacter(prefix + Array.from({ length: 17 - prefix.length }, () => rng.pick([...USCC_CHARS])).join(''));
  const regionWeights = cumulative(DISTRICTS.map((d) => DISTRICT_WEIGHT[d.code] ?? 1));
  const district = () => DISTRICTS[rng.weighted(regionWeights)].code;

  let city!: Org;
  const actor = () => ({ orgId: city?.id ?? null, clientId: CITY_CLIENT, requestId: rng.uuid() });

  function register(spec: { name: string; roles: string[]; regionCode: string; usccPrefix: string; clientId?: string; generatorClass?: string; medicalTier?: string }): Org {
    const org: Org = { id: rng.uuid(), siteId: rng.uuid(), uscc: uscc(spec.usccPrefix), name: spec.name, regionCode: spec.regionCode, roles: spec.roles, clientId: spec.clientId ?? `cl_${rng.uuid().replace(/-/g, '').slice(0, 12)}` };
    const createdAt = tick();
    const contact = { name: rng.pick(['张伟', '王芳', '李娜', '刘洋', '陈静', '杨磊', '赵敏', '黄强']), phone: `139${String(rng.int(0, 99_999_999)).padStart(8, '0')}` };
    const address = `太原市${DISTRICTS.find((d) => d.code === spec.regionCode)?.name ?? ''}${rng.int(1, 300)}号`;
    out.organisations.write([org.id, org.uscc, org.name, org.roles, org.regionCode, spec.generatorClass ?? null, spec.medicalTier ?? null, contact.name, contact.phone, address, createdAt, 1]);
    const a = actor();
    const view = { id: org.id, uscc: org.uscc, name: org.name, roles: org.roles, regionCode: org.regionCode, generatorClass: spec.generatorClass ?? null, medicalTier: spec.medicalTier ?? null, contact, address, createdAt, version: 1 };
    city ??= org; // the first registered is the city regulator itself (bootstrap)
    audit.append({ ...a, orgId: city.id }, createdAt, { chain: org.regionCode, entityType: 'organisation', entityId: org.id, action: 'create', after: view });
    out.sites.write([org.siteId, org.id, org.name, address, org.regionCode, true, createdAt]);
    audit.append({ ...a, orgId: city.id }, createdAt, { chain: org.regionCode, entityType: 'site', entityId: org.siteId, action: 'create', after: { id: org.siteId, orgId: org.id, name: org.name, address, regionCode: org.regionCode, isDefault: true, createdAt } });
    const clientRoles = spec.roles.includes('regulator') ? ['admin', 'registrar', 'viewer'] : spec.roles.includes('generator') ? ['admin', 'operator'] : ['admin', 'operator', 'driver'];
    const clientAt = tick();
    out.clients.write([org.clientId, org.id, 'handset', clientRoles, secretHash, null, clientAt, null]);
    audit.append({ ...actor(), orgId: city.id }, clientAt, { chain: org.regionCode, entityType: 'client', entityId: org.clientId, action: 'create', after: { id: org.clientId, orgId: org.id, name: 'handset', roles: clientRoles, createdAt: clientAt } });
    return org;
  }

  function facility(org: Org, code: string, kind: 'storage' | 'treatment', methods: string[]): Facility {
    const f = { id: rng.uuid(), code };
    const createdAt = tick();
    const name = kind === 'storage' ? '危险废物贮存库' : '处置利用车间';
    const capacityKg = kind === 'storage' ? rng.int(20, 500) * 1000 : null;
    out.facilities.write([f.id, org.id, org.siteId, code, name, kind, kind === 'storage' ? 'warehouse' : null, capacityKg, methods, createdAt]);
    audit.append({ ...actor(), orgId: org.id, clientId: org.clientId }, createdAt, { chain: org.regionCode, entityType: 'facility', entityId: f.id, action: 'create', after: { id: f.id, orgId: org.id, siteId: org.siteId, code, name, kind, capacityKg, methods } });
    return f;
  }

  function licence(org: Org, kind: 'comprehensive' | 'transport', modes: string[], wasteCodes: string[], validFrom: string, validTo: string): string {
    const id = rng.uuid();
    const number = `${kind === 'comprehensive' ? 'HW' : 'YS'}1401${String(rng.int(0, 99_999_999)).padStart(8, '0')}`;
    const createdAt = tick();
    const cap = kind === 'comprehensive' ? rng.int(20, 120) * 1_000_000 : null;
    const siteId = kind === 'transport' ? null : org.siteId;
    out.licences.write([id, org.id, siteId, kind, number, modes, wasteCodes, cap, validFrom, validTo, 'active', org.regionCode, createdAt, 1]);
    audit.append({ ...actor() }, createdAt, { chain: org.regionCode, entityType: 'licence', entityId: id, action: 'create', after: { id, orgId: org.id, siteId, kind, number, modes, wasteCodes, annualCapacityKg: cap, validFrom, validTo, status: 'active' } });
    return id;
  }

  city = register({ name: '太原市生态环境局', roles: ['regulator'], regionCode: '140100', usccPrefix: '11', clientId: CITY_CLIENT });
  const regulators = DISTRICTS.map((d) => register({ name: `太原市生态环境局${d.name}分局`, roles: ['regulator'], regionCode: d.code, usccPrefix: '11', clientId: districtClient(d.code) }));

  const receivers: Receiver[] = [];
  const perSpeciality = Math.max(1, Math.round(5 * scale));
  for (const s of SPECIALITIES) {
    for (let i = 0; i < perSpeciality; i++) {
      const org = register({ name: `山西${s.name}环保科技有限公司${i + 1}`, roles: ['receiver'], regionCode: district(), usccPrefix: '91' });
      const methods = [...new Set(Object.values(s.methods))];
      facility(org, 'WH-01', 'storage', []);
      const r: Receiver = { ...org, treatment: facility(org, 'TR-01', 'treatment', methods), methods: s.methods };
      const codes = [...new Set(Object.keys(s.methods).map((k) => WASTE[k as WasteKey].wasteCode))];
      const modes = ['collection', 'storage', ...new Set(methods.map(kindOfMethod))];
      // Five-year licences, renewed: the current one covers today.
      const start = 2012 + rng.int(0, 4);
      for (let y = start; y <= 2026; y += 5) licence(r, 'comprehensive', modes, codes, `${y}-${String(rng.int(1, 12)).padStart(2, '0')}-01`, `${y + 5}-06-30`);
      receivers.push(r);
    }
  }

  const carriers: Carrier[] = [];
  for (let i = 0; i < Math.max(4, Math.round(40 * scale)); i++) {
    const org = register({ name: `太原${rng.pick(['安达', '顺通', '恒运', '环通', '晋运'])}危险货物运输有限公司${i + 1}`, roles: ['carrier'], regionCode: district(), usccPrefix: '91' });
    const licenceId = licence(org, 'transport', [], [], '2016-01-01', '2030-12-31');
    const plates = Array.from({ length: rng.int(3, 12) }, () => `晋A${Array.from({ length: 5 }, () => rng.pick([...PLATE_CHARS])).join('')}`);
    const unique = [...new Set(plates)];
    for (const plate of unique) {
      const id = rng.uuid();
      const createdAt = tick();
      out.vehicles.write([id, org.id, licenceId, plate, createdAt]);
      audit.append({ ...actor(), orgId: org.id, clientId: org.clientId }, createdAt, { chain: org.regionCode, entityType: 'vehicle', entityId: id, action: 'create', after: { id, orgId: org.id, licenceId, plate } });
    }
    carriers.push({ ...org, plates: unique });
  }

  const generators: Generator[] = [];
  const weights: number[] = [];
  const nGenerators = Math.round(300 + 2700 * scale);
  for (let i = 0; i < nGenerators; i++) {
    const medical = rng.chance(0.15);
    const regionCode = district();
    const org = register({
      name: medical ? `太原市${rng.pick(['第一', '第二', '中心', '妇幼', '口腔', '中医'])}医院${i + 1}` : `太原${rng.pick(['钢铁', '化工', '机械', '汽修', '焦化', '电子', '制药'])}有限公司${i + 1}`,
      roles: ['generator'], regionCode, usccPrefix: medical ? '12' : '91',
      generatorClass: medical ? 'medical' : 'industrial', medicalTier: medical ? rng.pick(MEDICAL_TIERS) : undefined,
    });
    const templates: WasteKey[] = medical
      ? ['infectious', 'sharps', ...(rng.chance(0.5) ? (['pathological', 'pharma'] as WasteKey[]) : [])]
      : [...new Set(Array.from({ length: rng.int(1, 3) }, () => rng.pick(INDUSTRIAL)))];
    const receiverFor: Generator['receiverFor'] = {};
    for (const t of templates) {
      const able = receivers.filter((r) => r.methods[t]);
      // A generator keeps its contractor: one in its own district if there is one.
      receiverFor[t] = able.find((r) => r.regionCode === regionCode && rng.chance(0.7)) ?? rng.pick(able);
    }
    generators.push({ ...org, medical, storage: facility(org, 'WH-01', 'storage', []), templates, receiverFor, carrier: rng.pick(carriers) });
    weights.push(1 / (i + 1) ** 0.9); // Zipf: a few large plants make most of the waste
  }
  for (const k of INDUSTRIAL) if (!findWasteCode(WASTE[k].wasteCode)) throw new Error(`waste code ${WASTE[k].wasteCode} not in the catalog`);
  return { city, regulators, generators, generatorWeights: cumulative(weights), carriers, receivers };
}
