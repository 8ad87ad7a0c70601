// The demo city (README "Demo city"): regulators, parties, licences and half a year of labelled
// containers and transfer manifests in every district and county of Taiyuan, built through the HTTP
// API of a running app (app.inject), so every rule, the ledger and the audit trail apply.
//
// History is reported as offline handsets would: every step carries `occurredAt` in the past (the
// app must allow OCCURRED_AT_WINDOW_DAYS >= DEMO_MIN_WINDOW_DAYS) and labels are issued with a
// `generatedAt` up to a year back. The API has no way to say when a draft manifest was written,
// so before a backdated submit the draft's created_at is moved back with one SQL update; that is
// the only write that does not go through the API.
import type pg from 'pg';
import type { App } from '../context.js';
import type { Config } from '../config.js';
import { addWorkingDays, isWorkingDay, shanghaiDate, shanghaiDayStart, workingDaysBetween } from '../calendar/working-days.js';
import { DemoApi, inParallel, tokenClaims } from './demo-api.js';
import { demoUscc, DRIVERS, PARTIES, REGULATORS, type PartySpec } from './parties.js';
import { WASTE, type WasteKey } from './waste.js';
import { besideMidpoint, driveThenWait, legFixes, type LegTrack, type Phase } from './tracks.js';
import { MAX_FIXES_PER_REQUEST } from '../tracks/schemas.js';
import type { LatLng } from '../tracks/geo.js';

const DAY = 86_400_000;
const HOUR = 3_600_000;

/** The occurredAt window the app needs: steps a little over a year back. */
export const DEMO_MIN_WINDOW_DAYS = 370;

/** Alert types the demo raises on purpose (the README lists them; the test checks them). */
export const DEMO_ALERT_TYPES = [
  'receipt_overdue', 'storage_near_limit', 'storage_over_limit', 'storage_over_limit_generator', 'medical_hold_exceeded', 'in_transit_too_long',
  'weight_discrepancy', 'refusal', 'licence_expiring', 'capacity_near_limit', 'late_report', 'emergency_plan_missing',
  'management_plan_missing', 'declaration_overdue', 'route_stop', 'route_off_corridor', 'route_silence',
] as const;

/** The unit that files neither its management plans nor its declarations (docs/demo-city.md). */
export const DEMO_LATE_FILER = 'recycler';

export interface DemoDeps {
  app: App;
  config: Config;
  /** Only for moving a draft manifest's created_at back before its backdated submit. */
  pool: pg.Pool;
  /** A client of the city regulator (region 140100) with the registrar role: the bootstrap admin. */
  admin: { clientId: string; clientSecret: string };
  now?: Date;
  log?: (line: string) => void;
  /** Stories run side by side (default 4). */
  concurrency?: number;
}

export interface DemoCredential {
  key: string;
  description: string;
  orgId: string;
  orgName: string;
  regionCode: string;
  orgRoles: string[];
  clientId: string;
  clientSecret: string;
  clientRoles: string[];
}

export interface DemoCredentials {
  createdAt: string;
  cityRegulator: DemoCredential;
  districtRegulator: DemoCredential;
  generator: DemoCredential;
  medicalGenerator: DemoCredential;
  carrier: DemoCredential;
  receiver: DemoCredential;
  collector: DemoCredential;
  orgs: DemoCredential[];
}

export interface DemoResult {
  credentials: DemoCredentials;
  counts: { orgs: number; labels: Record<string, number>; manifests: Record<string, number> };
  alerts: Record<string, number>;
  requests: number;
  /** Requests the database rolled back (deadlock between concurrent steps) and the demo sent again. */
  retries: number;
  seconds: number;
  warnings: string[];
}

/** The name of a demo organisation already in the database, if any (the demo refuses to run twice). */
export async function findDemoData(pool: pg.Pool): Promise<string | undefined> {
  const usccs = [...REGULATORS, ...PARTIES].map((p) => demoUscc(p.usccType, p.regionCode, p.key));
  const { rows } = await pool.query<{ name: string }>('SELECT name FROM organisations WHERE uscc = ANY($1) ORDER BY name LIMIT 1', [usccs]);
  return rows[0]?.name;
}

// ---- time and chance ------------------------------------------------------------------------------

/** The longest working-day deadline the demo's stories rely on (receipt: RECEIPT_WORKING_DAYS, 5). */
const DEADLINE_WORKING_DAYS = 5;

function deadlineComputable(date: string): boolean {
  try {
    addWorkingDays(date, DEADLINE_WORKING_DAYS);
    return true;
  } catch {
    return false;
  }
}

/** Working days from `from` to `to`, by the calendar where loaded and by weekdays beyond it. */
function workingDaysSince(from: string, to: string): number {
  try {
    return workingDaysBetween(from, to);
  } catch {
    let n = 0;
    for (let t = Date.parse(`${from}T12:00:00Z`) + DAY; t <= Date.parse(`${to}T12:00:00Z`); t += DAY) {
      if (workingDay(new Date(t).toISOString().slice(0, 10))) n++;
    }
    return n;
  }
}

function workingDay(date: string): boolean {
  try {
    return isWorkingDay(date);
  } catch {
    // Outside the years the holiday calendar covers: weekdays.
    const wd = new Date(`${date}T12:00:00Z`).getUTCDay();
    return wd !== 0 && wd !== 6;
  }
}

export class DemoClock {
  private readonly todayStart: number;

  constructor(readonly now: Date) {
    this.todayStart = shanghaiDayStart(shanghaiDate(now)).getTime();
  }

  /** `hour` o'clock (Asia/Shanghai, may be fractional) on the day `daysAgo` days before today. */
  day(daysAgo: number, hour: number): Date {
    return new Date(this.todayStart - daysAgo * DAY + hour * HOUR);
  }

  hoursAgo(h: number): Date {
    return new Date(this.now.getTime() - h * HOUR);
  }

  /** The calendar date (Asia/Shanghai) `daysAgo` days back; negative: ahead. */
  date(daysAgo: number): string {
    return shanghaiDate(this.day(daysAgo, 12));
  }

  /** `daysAgo`, or the nearest working day further back. */
  workday(daysAgo: number): number {
    let d = daysAgo;
    while (!workingDay(this.date(d))) d++;
    return d;
  }

  /** How many days back 1 January of today's year (Asia/Shanghai) lies: 0 on 1 January. */
  daysIntoYear(): number {
    return Math.round((this.todayStart - shanghaiDayStart(`${this.date(0).slice(0, 4)}-01-01`).getTime()) / DAY);
  }

  /**
   * For `daysAgo` in 1..daysIntoYear(): the working day at or before it if that is still in this
   * year, else the next working day after it that is still in the past, else the day itself.
   */
  workdayThisYear(daysAgo: number): number {
    const back = this.workday(daysAgo);
    return back <= this.daysIntoYear() ? back : this.workdayAfter(daysAgo);
  }

  /** `daysAgo` (>= 1), or the next working day after it that is still in the past. */
  workdayAfter(daysAgo: number): number {
    let d = Math.max(daysAgo, 1);
    while (d > 1 && !workingDay(this.date(d))) d--;
    return d;
  }

  /** The most recent day at least `n` working days before today (a delivery that far back is overdue). */
  workingDaysBack(n: number): number {
    let d = n;
    while (workingDaysSince(this.date(d), this.date(0)) < n || !workingDay(this.date(d))) d++;
    // A deadline is computed only inside the loaded working-day calendar (beyond it the service
    // records "unknown" and raises no overdue alert): go back until the deadline of a step on that
    // day (at most DEADLINE_WORKING_DAYS later) falls inside it.
    while (!deadlineComputable(this.date(d)) || !workingDay(this.date(d))) d++;
    return d;
  }
}

/** A small seeded generator, so the demo city is the same every time (per story). */
function prng(seed: string): () => number {
  let h = 2166136261;
  for (let i = 0; i < seed.length; i++) h = Math.imul(h ^ seed.charCodeAt(i), 16777619);
  let a = h >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) | 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const round1 = (x: number) => Math.round(x * 10) / 10;
const between = (rnd: () => number, [a, b]: readonly [number, number]) => round1(a + (b - a) * rnd());

// ---- parties and labels at run time ------------------------------------------------------------

interface Party {
  spec: PartySpec;
  id: string;
  token: string;
  clientId: string;
  clientSecret: string;
  clientRoles: string[];
  facility: Record<string, string>;
  loc: { lat: number; lng: number };
}

interface Lbl {
  id: string;
  qr: string;
  kg: number;
  waste: WasteKey;
}

interface LabelItem { waste: WasteKey; at: Date; kg: number; remarks?: string }

interface ShipSpec {
  from: Party;
  to: Party;
  carriers: Party[];
  labels: Lbl[];
  method?: string;
  exemptionId?: string;
  submit: Date;
  pickup?: Date;
  handover?: Date;
  deliver?: Date;
  receive?: Date;
  plannedAt?: Date;
  stop?: 'draft' | 'submitted' | 'in_transit' | 'delivered';
  cancel?: { at?: Date; reason: string };
  /** measured / declared weight of container i (default: within ±3 %) */
  factor?: (i: number) => number;
  refuse?: (i: number) => string | undefined;
  /** A return manifest (docs/regulations.md#return-trips): refused containers of that manifest, picked up at `from`. */
  returnOf?: { manifestId: string; from: Party };
  /** Per leg (carrier position): a detour through `via`, or the phases of the leg instead of drive-then-wait. */
  track?: Array<{ via?: LatLng[]; phases?: Phase[] } | undefined>;
}

/** Where two carriers of a transfer meet: half-way, to about a kilometre. */
const handoverPlace = (from: Party, to: Party): LatLng =>
  ({ lat: round1((from.loc.lat + to.loc.lat) * 5) / 10, lng: round1((from.loc.lng + to.loc.lng) * 5) / 10 });

/** A leg's GPS track, posted by its carrier once the stories have run. */
interface Trip { manifestId: string; carrier: Party; leg: LegTrack }

interface Shipped { id: string; number: string | null; accepted: Lbl[]; refused: Lbl[] }

/**
 * One shipment cycle of a recurring flow: the day it leaves and its containers. `hour` (default:
 * the flow's leave hour) and `pace` (hours per hour of the usual timetable, default 1) exist for
 * the oil flows on 1 January, which must leave, arrive and be received today before now.
 */
export interface Cycle { d: number; kgs: number[]; factors: number[]; hour?: number; pace?: number }

/** When a step of a cycle happens: `x` hours after it leaves on the usual timetable (submit -0.5, receive +5.4, treat +7). */
export function cycleAt(clock: DemoClock, c: Cycle, leaveHour: number, x: number): Date {
  return clock.day(c.d, (c.hour ?? leaveHour) + x * (c.pace ?? 1));
}

function planCycles(rnd: () => number, clock: DemoClock, waste: WasteKey, days: number[], per: number): Cycle[] {
  return days.map((d) => ({
    d: clock.workday(d),
    kgs: Array.from({ length: per }, () => between(rnd, WASTE[waste].kg)),
    factors: Array.from({ length: per }, () => 0.97 + 0.06 * rnd()),
  }));
}

// ---- the waste-oil recycler's capacity story ---------------------------------------------------------

/** The oil flows leave at 10:00 (see oilFlow). */
export const OIL_LEAVE_HOUR = 10;

export interface OilFlow { gen: string; carrier: string; cycles: Cycle[] }

/**
 * Oil shipments to the waste-oil recycler: the recycler's annual capacity is sized from them so that
 * they fill over 90 % of it and raise `capacity_near_limit`. The service counts only what was
 * received in the current calendar year (Asia/Shanghai), so every cycle must be received between
 * 1 January and now. The story spans about five months; while the year is younger than that (in
 * January it would lie wholly in the previous year and the alert would not open), its days are
 * squeezed proportionally into days 1..N of this year, and on 1 January itself into the hours
 * since midnight, on a faster timetable. (From a few minutes after midnight: a backdated submit
 * must lie over a minute in the past.) Everything else in the demo keeps its days.
 */
export function planOil(clock: DemoClock): OilFlow[] {
  const flows: Array<[string, string, number[], number]> = [
    ['steel', 't1', [145, 115, 85, 55, 28], 4],
    ['auto', 't2', [130, 90, 45], 3],
    ['coke', 't3', [140, 95, 50], 3],
    ['gjcoke', 't4', [120, 60], 3],
    ['mining', 't2', [110, 70], 4],
  ];
  // The oldest cycle plus a week for planCycles moving a day back to a working day.
  const span = Math.max(...flows.flatMap(([, , days]) => days)) + 7;
  const inYear = clock.daysIntoYear();
  const plan = flows.map(([gen, carrier, days, per]) => {
    const cycles = planCycles(prng(`oil:${gen}`), clock, 'oil', days, per);
    if (inYear >= span) return { gen, carrier, cycles };
    if (inYear === 0) {
      // 1 January: all leave today, the timetable (submit -0.5 h … treat +7 h) compressed into the
      // first nine tenths of the hours since midnight.
      const pace = Math.min(1, (clock.now.getTime() - clock.day(0, 0).getTime()) / HOUR / 10);
      return { gen, carrier, cycles: cycles.map((c) => ({ ...c, d: 0, hour: pace, pace })) };
    }
    return { gen, carrier, cycles: cycles.map((c, i) => ({ ...c, d: clock.workdayThisYear(Math.ceil((days[i] * inYear) / span)) })) };
  });
  // One drum of the steel works' third shipment weighs 14 % more at the recycler: a discrepancy.
  plan[0].cycles[2].factors[0] = 1.14;
  return plan;
}

/** The waste-oil recycler's annual capacity: what the plan delivers is a little over 90 % of it. */
export function oilCapacityKg(plan: OilFlow[]): number {
  const accepted = oilAcceptedKg(plan);
  const tail = 2 * WASTE.oil.kg[1]; // the last shipment, submitted with nearly everything received
  const capacity = Math.ceil((accepted + tail) / 0.985 / 100) * 100;
  if (accepted / capacity < 0.905) throw new Error('demo plan: the waste-oil recycler would stay under 90 % of its capacity');
  return capacity;
}

/** What the recycler accepts from the plan (measured weights). */
export function oilAcceptedKg(plan: OilFlow[]): number {
  return plan.flatMap((f) => f.cycles).reduce((s, c) => s + c.kgs.reduce((t, kg, i) => t + round1(kg * c.factors[i]), 0), 0);
}

const EMERGENCY: Record<string, string> = {
  medical: '包装破损时立即用含氯消毒剂处理并更换包装，污染区域消毒；人员佩戴防护手套、口罩',
  liquid: '泄漏时用吸附棉、沙土围堵吸附，收集至备用桶，严禁流入雨水管网；远离火源，人员佩戴防护用品',
  solid: '遗撒时立即清扫收集、覆盖防扬散，装入备用包装；人员佩戴防尘口罩、手套',
};

// ---- the builder -------------------------------------------------------------------------------------

export async function buildDemoCity(deps: DemoDeps): Promise<DemoResult> {
  const started = Date.now();
  if (deps.config.occurredAtWindowDays < DEMO_MIN_WINDOW_DAYS) {
    throw new Error(`the demo reports history up to a year back: build the app with OCCURRED_AT_WINDOW_DAYS >= ${DEMO_MIN_WINDOW_DAYS} (it is ${deps.config.occurredAtWindowDays})`);
  }
  const city = new DemoCity(deps);
  await city.setUp();
  await city.history();
  await city.tracks();
  await city.filings();
  const result = await city.summary();
  return { ...result, requests: city.api.requests, retries: city.api.retries, seconds: Math.round((Date.now() - started) / 100) / 10 };
}

class DemoCity {
  readonly api: DemoApi;
  readonly clock: DemoClock;
  private readonly log: (line: string) => void;
  private readonly warnings: string[] = [];
  private readonly parties = new Map<string, Party>();
  private city!: Party;
  private exemptionId = '';
  /** Oil shipments to the waste-oil recycler, planned first: its licence capacity is sized from them. */
  private oilPlan: OilFlow[] = [];
  /** The legs driven, whose tracks tracks() posts. */
  private readonly trips: Trip[] = [];

  constructor(private readonly deps: DemoDeps) {
    this.api = new DemoApi(deps.app);
    this.clock = new DemoClock(deps.now ?? new Date());
    this.log = deps.log ?? (() => {});
  }

  private p(key: string): Party {
    const party = this.parties.get(key);
    if (!party) throw new Error(`demo party ${key} is not registered`);
    return party;
  }

  // ---- set-up: regulators, parties, licences, vehicles, facilities, exemption, insurance, inspections ----

  async setUp(): Promise<void> {
    const { api } = this;
    const { clientId, clientSecret } = this.deps.admin;
    const token = await api.login(clientId, clientSecret);
    const claims = tokenClaims(token);
    if (!['140100', '140000'].includes(claims.region) || !claims.roles.includes('registrar')) {
      throw new Error(`the demo needs a registrar of the whole city (region 140100); ${clientId} is ${claims.roles.join('+')} of region ${claims.region}`);
    }
    const cityOrg = await api.get(token, `/api/v1/orgs/${claims.org}`);
    this.city = {
      spec: {
        key: 'city', name: cityOrg.name, regionCode: cityOrg.regionCode, roles: ['regulator'], usccType: '11',
        contact: cityOrg.contact, address: cityOrg.address, lat: 37.87, lng: 112.55, facilities: [], description: 'city regulator',
      },
      id: claims.org, token, clientId, clientSecret, clientRoles: claims.roles, facility: {}, loc: { lat: 37.87, lng: 112.55 },
    };
    this.parties.set('city', this.city);

    this.log(`registering ${REGULATORS.length} district and county regulators`);
    await inParallel(REGULATORS.map((spec) => () => this.register(spec, this.city, ['admin', 'registrar', 'viewer'], '执法监管终端')), 4);
    this.log(`registering ${PARTIES.length} generators, carriers, operators and the collection point`);
    await inParallel(PARTIES.map((spec) => () => this.register(spec, this.p(`reg-${spec.regionCode}`),
      spec.roles.includes('carrier') ? ['admin', 'operator', 'driver'] : ['admin', 'operator'], '业务终端')), 4);

    this.oilPlan = planOil(this.clock);
    await this.licences();
    await this.registryExtras();
    this.log(`set-up done (${api.requests} requests)`);
  }

  private async register(spec: PartySpec, registrar: Party, clientRoles: string[], clientName: string): Promise<void> {
    const { api } = this;
    const org = await api.post(registrar.token, '/api/v1/orgs', {
      uscc: demoUscc(spec.usccType, spec.regionCode, spec.key),
      name: spec.name,
      roles: spec.roles,
      regionCode: spec.regionCode,
      ...(spec.generatorClass ? { generatorClass: spec.generatorClass } : {}),
      ...(spec.medicalTier ? { medicalTier: spec.medicalTier } : {}),
      contact: spec.contact,
      address: spec.address,
    });
    const client = await api.post(registrar.token, `/api/v1/orgs/${org.id}/clients`, { name: clientName, roles: clientRoles });
    const token = await api.login(client.clientId, client.clientSecret);
    const facility: Record<string, string> = {};
    for (const f of spec.facilities) {
      const created = await api.post(token, `/api/v1/orgs/${org.id}/facilities`, f);
      facility[f.code] = created.id;
    }
    this.parties.set(spec.key, {
      spec, id: org.id, token, clientId: client.clientId, clientSecret: client.clientSecret, clientRoles,
      facility, loc: { lat: spec.lat, lng: spec.lng },
    });
  }

  private async licences(): Promise<void> {
    const { api, clock } = this;
    const city = this.city.token;
    const year = Number(clock.date(0).slice(0, 4));
    const licence = (kind: string) => (key: string, number: string, modes: string[], wasteCodes: string[], annualCapacityKg: number, validFrom: string, validTo: string) =>
      () => api.post(city, `/api/v1/orgs/${this.p(key).id}/licences`, { kind, number, modes, wasteCodes, annualCapacityKg, validFrom, validTo });
    // 危险废物综合经营许可证, and the two approvals (docs/regulations.md#licence-kinds).
    const operating = licence('comprehensive');
    const pilot = licence('collection_pilot');
    const medicalPoint = licence('medical_collection_point');
    const long = { from: clock.date(800), to: clock.date(-1025) };
    await inParallel([
      operating('incin', '晋危经许可〔2023〕第006号', ['collection', 'storage', 'disposal'], ['HW01', 'HW03'], 9_000_000, long.from, long.to),
      operating('landfill', '晋危经许可〔2022〕第011号', ['storage', 'disposal'], ['HW17', 'HW18', 'HW21', 'HW36', 'HW46', 'HW49', 'HW50'], 20_000_000, long.from, long.to),
      operating('recycler', '晋危经许可〔2024〕第023号', ['storage', 'utilisation'], ['HW06', 'HW08', 'HW09', 'HW12'], 3_000_000, long.from, long.to),
      operating('oilrec', '晋危经许可〔2024〕第031号', ['storage', 'utilisation'], ['HW08'], oilCapacityKg(this.oilPlan), long.from, long.to),
      // Collection approvals (集中收集试点 / 乡镇集中暂存 and the county hospital's 中转): not 经营许可证.
      // The collection point's runs out in 20 days and no renewal is registered yet.
      pilot('cp', `太环收集〔${year - 1}〕第003号`, ['collection', 'storage'], ['HW06', 'HW08', 'HW12', 'HW29', 'HW31', 'HW49'], 300_000, clock.date(345), clock.date(-20)),
      medicalPoint('xgcentre', `清环收集〔${year - 1}〕第001号`, ['collection', 'storage'], ['HW01'], 30_000, clock.date(500), clock.date(-600)),
      medicalPoint('qxhosp', `清环收集〔${year - 1}〕第002号`, ['collection', 'storage'], ['HW01'], 200_000, clock.date(500), clock.date(-600)),
    ], 4);
    // Transport licences and the vehicles registered under them.
    await inParallel(['t1', 't2', 't3', 't4', 'cp', 'incin'].map((key, i) => async () => {
      const party = this.p(key);
      const lic = await api.post(city, `/api/v1/orgs/${party.id}/licences`, {
        kind: 'transport', number: `晋交运管许可太字${party.spec.regionCode}${String(300 + i * 17).padStart(6, '0')}号`, validFrom: clock.date(600), validTo: clock.date(-1200),
      });
      for (const plate of party.spec.plates ?? []) await api.post(party.token, `/api/v1/orgs/${party.id}/vehicles`, { plate, licenceId: lic.id });
    }), 3);
  }

  private async registryExtras(): Promise<void> {
    const { api, clock } = this;
    const city = this.city.token;
    const year = Number(clock.date(0).slice(0, 4));
    // Environmental liability insurance: three operators and the collection point; the solvent recycler has none.
    const insurers = ['中国人民财产保险股份有限公司太原市分公司', '中国平安财产保险股份有限公司山西分公司'];
    await inParallel(['incin', 'landfill', 'oilrec', 'cp'].map((key, i) => () => api.post(city, `/api/v1/orgs/${this.p(key).id}/insurance`, {
      policyNo: `HJZR${year}1401${String(i + 11).padStart(4, '0')}`, insurer: insurers[i % 2], coverageCny: [5_000_000, 10_000_000, 2_000_000, 1_000_000][i],
      validFrom: clock.date(150 + i * 20), validTo: clock.date(-215 + i * 20),
    })), 4);
    // Emergency plan filings (应急预案备案, docs/regulations.md#emergency-plans): the operators and the
    // coking plants (key supervision) have theirs; the solvent recycler has none, so it shows as
    // emergency_plan_missing.
    await inParallel(['incin', 'landfill', 'oilrec', 'coke', 'gjcoke', 'chem', 'steel'].map((key, i) => () => {
      const party = this.p(key);
      return api.post(city, `/api/v1/orgs/${party.id}/emergency-plans`, {
        number: `${party.spec.regionCode}-${year - 1}-${String(i + 21).padStart(3, '0')}-M`, authority: '太原市生态环境局',
        filedOn: clock.date(300 + i * 15), validTo: clock.date(-(800 + i * 15)),
      });
    }), 4);
    // Point-to-point exemption: the steel works' spent pickling acid goes to the chemical plant,
    // which makes ferric chloride from it (approved by the steel works' district).
    const ex = await api.post(this.p('reg-140108').token, '/api/v1/exemptions', {
      generatorId: this.p('steel').id, receiverId: this.p('chem').id, wasteCode: WASTE.acid.wasteCode,
      approvalNo: `尖环函〔${year}〕17号`, validFrom: clock.date(200), validTo: clock.date(-165),
    });
    this.exemptionId = ex.id;
    // Spot checks (规范化管理抽查) by the district regulators, passed and failed.
    const checks: Array<[string, string, number, boolean, string]> = [
      ['140121', 'coke', 95, true, '贮存库标识、台账齐全'],
      ['140121', 'qxhosp', 60, true, '医疗废物分类收集、交接登记规范'],
      ['140121', 'clinic3', 40, false, '医疗废物暂存点未设置警示标识，交接登记不全'],
      ['140121', 'xgcentre', 20, true, '集中暂存点管理规范，转运及时'],
      ['140108', 'incin', 80, true, '焚烧线运行记录完整，飞灰按规定贮存'],
      ['140108', 'steel', 45, false, '废酸储罐区围堰容积不足，贮存库标识不规范'],
      ['140109', 'recycler', 70, false, '经营记录簿填写不完整，部分批次无计量记录'],
      ['140109', 'power', 30, true, '废脱硝催化剂贮存规范'],
      ['140122', 'landfill', 50, true, '填埋作业及渗滤液监测记录完整'],
      ['140106', 'cp', 35, true, '收集贮存分区明确，台账完整'],
      ['140123', 'mining', 15, false, '部分废矿物油贮存接近或超过一年'],
      ['140110', 'oilrec', 25, true, '再生装置运行正常，台账完整'],
      ['140110', 'auto', 55, true, '危废暂存间防渗、防流失措施到位'],
      ['140107', 'chem', 65, true, '豁免利用记录完整'],
      ['140107', 'lab2', 28, true, '实验室废液分类收集规范'],
      ['140105', 'garage1', 18, false, '废机油桶未加贴危险废物标签'],
      ['140181', 'gjcoke', 42, true, '焦油渣回配利用记录完整'],
    ];
    await inParallel(checks.map(([region, key, daysAgo, passed, findings]) => () => api.post(this.p(`reg-${region}`).token, '/api/v1/inspections', {
      orgId: this.p(key).id, date: clock.date(daysAgo), passed, findings,
    })), 4);
    // Indicator inputs the records cannot hold: industrial value added (工业增加值, 万元; demo figures, not
    // statistics) and the city's 2020 landfill baseline (t).
    const inputs: Array<[string, string, number]> = [['140100', 'industrial_value_added_10k_cny', 15_000_000], ['140100', 'landfill_baseline_t', 60], ['140121', 'industrial_value_added_10k_cny', 1_250_000]];
    for (const [regionCode, key, value] of inputs) {
      const res = await this.deps.app.inject({
        method: 'PUT', url: `/api/v1/supervision/indicator-inputs/${year}/${key}`,
        headers: { authorization: `Bearer ${city}` }, payload: { regionCode, value },
      });
      api.requests++;
      // The indicators are newer than the rest of the API: tolerate a build without the route.
      if (res.statusCode === 404) this.warnings.push(`indicator input ${key} not entered: ${res.statusCode} ${res.body.slice(0, 200)}`);
      else if (res.statusCode !== 200) throw new Error(`PUT indicator input ${key}: ${res.statusCode} ${res.body}`);
    }
  }

  // ---- label and manifest steps --------------------------------------------------------------------

  private async issue(p: Party, items: LabelItem[]): Promise<Lbl[]> {
    const out: Lbl[] = [];
    for (let i = 0; i < items.length; i += 500) {
      const chunk = items.slice(i, i + 500);
      const res = await this.api.post(p.token, '/api/v1/labels/batch', {
        items: chunk.map(({ waste, at, kg, remarks }) => {
          const w = WASTE[waste];
          return {
            wasteCode: w.wasteCode, wasteName: w.wasteName, physicalForm: w.physicalForm, mainComponents: w.mainComponents,
            harmfulComponents: w.harmfulComponents, precautions: w.precautions, quantity: { value: kg, unit: 'kg' },
            packaging: w.packaging, generatedAt: at.toISOString(), ...(remarks ? { remarks } : {}),
          };
        }),
      });
      res.items.forEach((l: { id: string; qrContent: string }, j: number) => out.push({ id: l.id, qr: l.qrContent, kg: chunk[j].kg, waste: chunk[j].waste }));
    }
    return out;
  }

  /** Issues containers and puts each into storage shortly after it was filled. */
  private async issueAndStore(p: Party, items: LabelItem[], afterHours = 0.5, storeCode?: string): Promise<Lbl[]> {
    const labels = await this.issue(p, items);
    await inParallel(labels.map((l, i) => () => this.store(p, l, new Date(items[i].at.getTime() + afterHours * HOUR), storeCode)), 3);
    return labels;
  }

  private labelStep(p: Party, l: Lbl, body: Record<string, unknown>) {
    return this.api.post(p.token, `/api/v1/labels/${l.id}/actions`, { ...body, location: p.loc });
  }

  private storageOf(p: Party, code?: string): string {
    const f = code ? p.spec.facilities.find((x) => x.code === code) : p.spec.facilities.find((x) => x.kind === 'storage');
    if (!f || f.kind !== 'storage') throw new Error(`${p.spec.name} has no storage facility ${code ?? ''}`);
    return p.facility[f.code];
  }

  private store(p: Party, l: Lbl, at: Date, code?: string) {
    return this.labelStep(p, l, { action: 'store', facilityId: this.storageOf(p, code), occurredAt: at.toISOString() });
  }

  private treat(p: Party, l: Lbl, at: Date, method: string) {
    const f = p.spec.facilities.find((x) => x.kind === 'treatment' && x.methods?.includes(method));
    if (!f) throw new Error(`${p.spec.name} runs no ${method} facility`);
    return this.labelStep(p, l, { action: 'treat', method, facilityId: p.facility[f.code], occurredAt: at.toISOString() });
  }

  private consolidate(p: Party, l: Lbl, parent: Lbl, at: Date) {
    return this.labelStep(p, l, { action: 'consolidate', parentLabelId: parent.id, occurredAt: at.toISOString() });
  }

  private plate(c: Party, salt: number): string {
    const plates = c.spec.plates ?? [];
    return plates[Math.floor(Math.abs(salt)) % plates.length];
  }

  private driver(c: Party) {
    return DRIVERS[c.spec.key] ?? { name: '李师傅', qualificationNo: `${c.spec.regionCode}202100001` };
  }

  private async ship(s: ShipSpec): Promise<Shipped> {
    const { api, clock } = this;
    const salt = s.submit.getTime() / HOUR;
    const act = (who: Party, body: Record<string, unknown>) => api.post(who.token, `/api/v1/manifests/${m.id}/actions`, body);
    const medical = s.labels.every((l) => WASTE[l.waste].wasteCode.endsWith('-01'));
    const liquid = s.labels.some((l) => WASTE[l.waste].physicalForm === 'liquid');
    const m = await api.post(s.from.token, '/api/v1/manifests', {
      receiverId: s.to.id,
      carriers: s.carriers.map((c, i) => ({ orgId: c.id, vehiclePlate: this.plate(c, salt + i), driver: this.driver(c) })),
      labelIds: s.labels.map((l) => l.id),
      plannedAt: (s.plannedAt ?? s.submit).toISOString(),
      ...(s.method ? { intendedMethod: s.method } : {}),
      ...(s.exemptionId ? { exemptionId: s.exemptionId } : {}),
      ...(s.returnOf ? { originalManifestId: s.returnOf.manifestId } : {}),
      emergencyMeasures: EMERGENCY[medical ? 'medical' : liquid ? 'liquid' : 'solid'],
    });
    const done = (number: string | null = null): Shipped => ({ id: m.id, number, accepted: [], refused: [] });
    if (s.stop === 'draft') {
      if (s.cancel) await act(s.from, { action: 'cancel', reason: s.cancel.reason });
      return done();
    }
    if (s.submit.getTime() < clock.now.getTime() - 60_000) {
      // The draft was written before the (backdated) submit: the one write the API cannot express.
      await this.deps.pool.query('UPDATE manifests SET created_at = $1 WHERE id = $2 AND state = $3', [new Date(s.submit.getTime() - 0.75 * HOUR), m.id, 'draft']);
    }
    const submitted = await act(s.from, { action: 'submit', occurredAt: s.submit.toISOString() });
    if (s.stop === 'submitted') {
      if (s.cancel) await act(s.from, { action: 'cancel', reason: s.cancel.reason, ...(s.cancel.at ? { occurredAt: s.cancel.at.toISOString() } : {}) });
      return done(submitted.number);
    }
    const [first] = s.carriers;
    const last = s.carriers[s.carriers.length - 1];
    await act(first, {
      action: 'pickup', qr: s.labels.map((l) => l.qr), vehiclePlate: this.plate(first, salt), driver: this.driver(first),
      location: (s.returnOf?.from ?? s.from).loc, occurredAt: s.pickup!.toISOString(),
    });
    const handoverAt = handoverPlace(s.from, s.to);
    if (s.carriers.length > 1 && s.handover) {
      await act(s.carriers[1], {
        action: 'handover', vehiclePlate: this.plate(s.carriers[1], salt + 1), driver: this.driver(s.carriers[1]),
        location: handoverAt, occurredAt: s.handover.toISOString(),
      });
    }
    if (s.stop === 'in_transit') {
      this.plan(m.id, s, handoverAt);
      return done(submitted.number);
    }
    await act(last, { action: 'deliver', location: s.to.loc, occurredAt: s.deliver!.toISOString() });
    this.plan(m.id, s, handoverAt);
    if (s.stop === 'delivered') return done(submitted.number);
    const rnd = prng(`receipt:${m.id}`);
    const items = s.labels.map((l, i) => {
      const reason = s.refuse?.(i);
      const factor = s.factor?.(i) ?? 0.97 + 0.06 * rnd();
      return { labelId: l.id, accepted: !reason, measuredQuantity: { value: round1(l.kg * factor), unit: 'kg' }, ...(reason ? { refusalReason: reason } : {}) };
    });
    await act(s.to, { action: 'receive', items, location: s.to.loc, occurredAt: s.receive!.toISOString() });
    return { id: m.id, number: submitted.number, accepted: s.labels.filter((_, i) => !s.refuse?.(i)), refused: s.labels.filter((_, i) => Boolean(s.refuse?.(i))) };
  }

  /**
   * The legs of a transfer picked up, for tracks(): the first carrier from the pickup place to the
   * handover place (or the delivery), the second from there on; a leg still under way ends a couple
   * of minutes before now, two thirds of the way along, unless the story says otherwise.
   */
  private plan(manifestId: string, s: ShipSpec, handoverAt: LatLng): void {
    const pickupAt = (s.returnOf?.from ?? s.from).loc;
    const handedOver = s.carriers.length > 1 && s.handover !== undefined;
    const legs = handedOver
      ? [{ from: pickupAt, to: handoverAt, start: s.pickup!, end: s.handover! }, { from: handoverAt, to: s.to.loc, start: s.handover!, end: s.deliver ?? null }]
      : [{ from: pickupAt, to: s.to.loc, start: s.pickup!, end: s.deliver ?? null }];
    legs.forEach((l, position) => {
      const custom = s.track?.[position];
      const open = new Date(this.clock.now.getTime() - 2 * 60_000);
      const phases = custom?.phases ?? (l.end
        ? driveThenWait(l.from, l.to, l.start, l.end, custom?.via)
        : [{ minutes: Math.max(0, (open.getTime() - l.start.getTime()) / 60_000), toFraction: 0.65 }]);
      this.trips.push({
        manifestId, carrier: s.carriers[position],
        leg: { idPrefix: `${manifestId.slice(0, 8)}-${position}`, start: l.start, from: l.from, to: l.to, via: custom?.via, phases },
      });
    });
  }

  /** Each carrier posts the GPS track of its legs, up to MAX_FIXES_PER_REQUEST fixes a request. */
  async tracks(): Promise<void> {
    let fixes = 0;
    await inParallel(this.trips.map((trip) => async () => {
      const all = legFixes(trip.leg, prng(`track:${trip.leg.idPrefix}`));
      for (let i = 0; i < all.length; i += MAX_FIXES_PER_REQUEST) {
        await this.api.post(trip.carrier.token, `/api/v1/manifests/${trip.manifestId}/track`, { fixes: all.slice(i, i + MAX_FIXES_PER_REQUEST) });
      }
      fixes += all.length;
    }), this.deps.concurrency ?? 4);
    this.log(`tracks: ${fixes} GPS fixes on ${this.trips.length} legs`);
  }

  /**
   * A recurring flow: containers generated over the days before each shipment (and put into
   * storage), shipped on a working day, received, then treated by the receiver (or stored).
   */
  private async recurring(o: {
    gen: string; waste: WasteKey; to: string; carriers: string[]; method: string; cycles: Cycle[];
    storeCode?: string; exemptionId?: string; after?: 'treat' | 'store'; lead?: number; leaveHour?: number;
    refuse?: (cycle: number, i: number) => string | undefined;
  }): Promise<Shipped[]> {
    const { clock } = this;
    const gen = this.p(o.gen);
    const to = this.p(o.to);
    const carriers = o.carriers.map((k) => this.p(k));
    const rnd = prng(`flow:${o.gen}:${o.waste}:${o.to}`);
    const lead = o.lead ?? 12;
    const items: LabelItem[] = o.cycles.flatMap((c) => c.kgs.map((kg, j) => ({
      waste: o.waste, kg, at: clock.day(c.d + 1 + ((j * 5 + Math.floor(rnd() * 3)) % lead), 8 + 8 * rnd()),
    })));
    const labels = await this.issueAndStore(gen, items, 0.5, o.storeCode);
    const shipped: Shipped[] = [];
    let k = 0;
    for (const [ci, c] of o.cycles.entries()) {
      const ls = labels.slice(k, k + c.kgs.length);
      k += c.kgs.length;
      const at = (x: number) => cycleAt(clock, c, o.leaveHour ?? 9, x);
      const s = await this.ship({
        from: gen, to, carriers, labels: ls, method: o.method, exemptionId: o.exemptionId,
        submit: at(-0.5), pickup: at(0), handover: carriers.length > 1 ? at(2.5) : undefined,
        deliver: at(5), receive: at(5.4),
        factor: (i) => c.factors[i], refuse: o.refuse ? (i) => o.refuse!(ci, i) : undefined,
      });
      shipped.push(s);
      // A cycle that left today (d = 0, oil on 1 January) is treated today too.
      const treatDay = Math.max(c.d - 1 - Math.floor(rnd() * 3), Math.min(c.d, 1));
      for (const [j, l] of s.accepted.entries()) {
        if (o.after === 'store') await this.store(to, l, at(5.6));
        else await this.treat(to, l, treatDay === c.d ? at(7) : clock.day(treatDay, 10 + j * 0.2), o.method);
      }
      if (s.refused.length) {
        // Refused containers go back on a return manifest, then into the generator's store.
        await this.ship({
          from: gen, to: gen, carriers, labels: s.refused, returnOf: { manifestId: s.id, from: to },
          submit: at(6), pickup: at(6.5), handover: carriers.length > 1 ? at(7) : undefined, deliver: at(7.6), receive: at(7.8),
        });
        for (const l of s.refused) await this.store(gen, l, at(8), o.storeCode);
      }
    }
    return shipped;
  }

  // ---- the stories ---------------------------------------------------------------------------------

  async history(): Promise<void> {
    const { clock } = this;
    // Longest first, so the stories pack well.
    const stories: Array<[string, () => Promise<void>]> = [
      ['small sources → collection point → operators', () => this.collection()],
      ...([['yzhosp', [63, 49, 35, 21, 7], 9], ['xhlhosp', [60, 46, 32, 18], 10], ['gjhosp', [65, 51, 37, 23, 9], 13],
        ['yqhosp', [62, 48, 34, 20, 6], 11.5], ['lfhosp', [64, 50, 36, 22, 8], 14]] as const)
        .map(([key, days, hour]): [string, () => Promise<void>] => [`${key} → incinerator`, () => this.hospital(key, [...days], hour)]),
      ['collection point: loose ends', () => this.collectionTails()],
      ['chemical plant', () => this.chemicalPlant()],
      ['steel works', () => this.steelWorks()],
      ['auto parts factory', () => this.autoParts()],
      ['coking plants', () => this.coking()],
      ['power plant, incinerator fly ash', () => this.landfillFlows()],
      ...this.oilPlan.map((f): [string, () => Promise<void>] => [`waste oil from ${f.gen}`, () => this.oilFlow(f)]),
      ...[66, 59, 52, 45, 38, 31, 24, 17, 10, 3].map((d): [string, () => Promise<void>] => [`清徐 medical chain, ${clock.date(d)}`, () => this.medicalChain(d, d === 3)]),
      ['iron-ore mine', () => this.mine()],
      ['collection point: old stock', () => this.collectionPointOldStock()],
    ];
    let done = 0;
    await inParallel(stories.map(([name, run]) => async () => {
      const t0 = Date.now();
      await run();
      done++;
      this.log(`  [${done}/${stories.length}] ${name} (${((Date.now() - t0) / 1000).toFixed(1)} s)`);
    }), this.deps.concurrency ?? 4);
  }

  /**
   * The plan's medical chain (村卫生站分类、乡镇集中暂存、县人民医院收集): village clinics' bags to the
   * township health centre, consolidated into a turnover box, to the county hospital, to the incinerator.
   */
  private async medicalChain(d: number, latest: boolean): Promise<void> {
    const { clock } = this;
    const rnd = prng(`medical:${d}`);
    const centre = this.p('xgcentre');
    const hospital = this.p('qxhosp');
    const incin = this.p('incin');
    const t3 = this.p('t3');
    // The latest round: 王答村 missed the pickup, its bags are still at the clinic (held > 2 days).
    const clinics = ['clinic1', 'clinic2', 'clinic3'].map((k) => this.p(k));
    const bags: Lbl[] = [];
    for (const [k, clinic] of clinics.entries()) {
      const n = 2 + Math.floor(rnd() * 2);
      const items: LabelItem[] = [
        ...Array.from({ length: n }, (_, j) => ({ waste: 'infectious' as const, kg: between(rnd, WASTE.infectious.kg), at: clock.day(d + 1, 15 + k * 0.5 + j * 0.1) })),
        { waste: 'sharps', kg: between(rnd, WASTE.sharps.kg), at: clock.day(d + 1, 15.4 + k * 0.5) },
      ];
      const own = await this.issue(clinic, items);
      if (latest && clinic.spec.key === 'clinic3') continue;
      await this.ship({
        from: clinic, to: centre, carriers: [t3], labels: own, method: 'D10',
        submit: clock.day(d, 7.5 + k * 0.1), pickup: clock.day(d, 8 + k * 0.5), deliver: clock.day(d, 9.6), receive: clock.day(d, 9.8 + k * 0.05),
      });
      bags.push(...own);
    }
    const centreOwn = await this.issue(centre, [0, 1].map((j) => ({ waste: 'infectious' as const, kg: between(rnd, WASTE.infectious.kg), at: clock.day(d, 8 + j * 0.5) })));
    const boxKg = round1(bags.reduce((s, b) => s + b.kg, 0));
    const [box] = await this.issue(centre, [{ waste: 'turnoverBox', kg: boxKg, at: clock.day(d, 10.5), remarks: `内装${bags.length}个村卫生室包装袋/利器盒` }]);
    for (const bag of bags) await this.consolidate(centre, bag, box, clock.day(d, 10.6));
    const toHospital = [box, ...centreOwn];
    await this.ship({
      from: centre, to: hospital, carriers: [t3], labels: toHospital, method: 'D10',
      submit: clock.day(d - 1, 8), pickup: clock.day(d - 1, 8.5), deliver: clock.day(d - 1, 9.4), receive: clock.day(d - 1, 9.6),
    });
    for (const l of toHospital) await this.store(hospital, l, clock.day(d - 1, 9.8));
    const hospitalOwn = await this.issue(hospital, [
      { waste: 'infectious', kg: between(rnd, [8, 15]), at: clock.day(d - 1, 13) },
      { waste: 'infectious', kg: between(rnd, [8, 15]), at: clock.day(d - 1, 14) },
      { waste: 'sharps', kg: between(rnd, [2, 4]), at: clock.day(d - 1, 15) },
      { waste: 'pathological', kg: between(rnd, WASTE.pathological.kg), at: clock.day(d - 1, 16) },
    ]);
    const toIncinerator = [...toHospital, ...hospitalOwn];
    const s = await this.ship({
      from: hospital, to: incin, carriers: [incin], labels: toIncinerator, method: 'D10',
      submit: clock.day(d - 2, 7.5), pickup: clock.day(d - 2, 8.5), deliver: clock.day(d - 2, 10), receive: clock.day(d - 2, 10.3),
    });
    // The latest load waits at the incinerator (received yesterday, not yet burnt).
    if (!latest) for (const l of s.accepted) await this.treat(incin, l, clock.day(d - 2, 13), 'D10');
  }

  private bagsFor(rnd: () => number, d: number): LabelItem[] {
    const { clock } = this;
    const items: LabelItem[] = Array.from({ length: 3 + Math.floor(rnd() * 3) }, (_, j) => ({ waste: 'infectious' as const, kg: between(rnd, [4, 12]), at: clock.day(d + 1, 8 + j * 1.5) }));
    items.push({ waste: 'sharps', kg: between(rnd, [1, 3]), at: clock.day(d + 1, 16) });
    if (rnd() < 0.4) items.push({ waste: 'pathological', kg: between(rnd, WASTE.pathological.kg), at: clock.day(d + 1, 16.5) });
    if (rnd() < 0.3) items.push({ waste: 'pharma', kg: between(rnd, WASTE.pharma.kg), at: clock.day(d + 1, 17) });
    return items;
  }

  /** A hospital ships straight to the incinerator (which collects with its own trucks) every two weeks. */
  private async hospital(key: string, days: number[], hour: number): Promise<void> {
    const { clock } = this;
    const incin = this.p('incin');
    const hosp = this.p(key);
    const rnd = prng(`hospital:${key}`);
    for (const d of days) {
      const bags = await this.issueAndStore(hosp, this.bagsFor(rnd, d), 0.25);
      const s = await this.ship({
        from: hosp, to: incin, carriers: [incin], labels: bags, method: 'D10',
        submit: clock.day(d, 7.5), pickup: clock.day(d, hour), deliver: clock.day(d, hour + 2), receive: clock.day(d, hour + 2.3),
      });
      for (const l of s.accepted) await this.treat(incin, l, clock.day(d, hour + 4), 'D10');
    }
    if (key === 'xhlhosp') {
      // Picked up and delivered yesterday; the incinerator has not confirmed receipt yet.
      const bags = await this.issueAndStore(hosp, this.bagsFor(prng('hospital:xhl:tail'), 1), 0.25);
      await this.ship({
        from: hosp, to: incin, carriers: [incin], labels: bags, method: 'D10', stop: 'delivered',
        submit: clock.day(1, 7.5), pickup: clock.day(1, 10), deliver: clock.day(1, 12),
      });
    }
    if (key === 'lfhosp') {
      // Snow closed the road: three days of bags wait in the hospital's store (held > 2 days).
      const items: LabelItem[] = [0, 1, 2, 3].map((j) => ({ waste: j === 3 ? 'sharps' : 'infectious', kg: j === 3 ? 1.8 : 6.5 + j, at: clock.day(3, 9 + j * 2) }));
      await this.issueAndStore(hosp, items, 0.25);
    }
  }

  /**
   * Garages and laboratories hand their small quantities to the collection point's van (the point
   * is collector and carrier); the point stores them and sends them on: oil to the recycler,
   * oily rags consolidated into a bulk bag and lab waste to the landfill. Batteries and lamps wait.
   */
  private async collection(): Promise<void> {
    const { clock } = this;
    const cp = this.p('cp');
    const recycler = this.p('recycler');
    const landfill = this.p('landfill');
    const t1 = this.p('t1');
    const rnd = prng('collection');
    const rounds = [133, 105, 77, 49, 21].map((d) => clock.workday(d));
    const route: Array<[string, number]> = [['garage1', 9], ['garage4', 10.2], ['garage2', 11.4], ['lab1', 13], ['lab2', 14], ['garage3', 15]];
    const itemsOf = (key: string, r: number, d: number): LabelItem[] => {
      const at = (j: number) => clock.day(d + 2 + j * 3, 10 + j);
      const kinds: WasteKey[] = key.startsWith('garage')
        ? ['engineOil', 'engineOil', 'rags', 'rags', ...(r % 2 === 0 ? ['battery' as const] : [])]
        : ['labWaste', 'labWaste', 'labWaste', ...(key === 'lab2' && r === 1 ? ['tubes' as const] : [])];
      return kinds.map((waste, j) => ({ waste, kg: between(rnd, WASTE[waste].kg), at: at(j) }));
    };
    // Each source's containers for every round, issued in one batch and stored at the source.
    const bySource = new Map<string, Lbl[][]>();
    const plans = route.map(([key]) => [key, rounds.map((d, r) => itemsOf(key, r, d)).filter((_, r) => !key.startsWith('lab') || r % 2 === (key === 'lab1' ? 0 : 1))] as const);
    await Promise.all(plans.map(async ([key, plan]) => {
      const issued = await this.issueAndStore(this.p(key), plan.flat(), 0.5);
      const perRound: Lbl[][] = [];
      let k = 0;
      for (const items of plan) { perRound.push(issued.slice(k, k + items.length)); k += items.length; }
      bySource.set(key, perRound);
    }));
    // The rounds are independent of each other (their own containers, their own days): side by side.
    await inParallel(rounds.map((d, r) => async () => {
      const atPoint: Lbl[] = [];
      for (const [key, hour] of route) {
        if (key.startsWith('lab') && r % 2 !== (key === 'lab1' ? 0 : 1)) continue;
        const ls = bySource.get(key)![key.startsWith('lab') ? Math.floor(r / 2) : r];
        const s = await this.ship({
          from: this.p(key), to: cp, carriers: [cp], labels: ls, method: key.startsWith('lab') ? 'D9' : 'R9',
          submit: clock.day(d, hour - 0.5), pickup: clock.day(d, hour), deliver: clock.day(d, 16.5), receive: clock.day(d, 16.8),
        });
        for (const l of s.accepted) await this.store(cp, l, clock.day(d, 17.2));
        atPoint.push(...s.accepted);
      }
      // Onward, three days later.
      const d2 = clock.workdayAfter(d - 3);
      const oil = atPoint.filter((l) => l.waste === 'engineOil');
      const toRecycler = await this.ship({
        from: cp, to: recycler, carriers: [cp], labels: oil, method: 'R9',
        submit: clock.day(d2, 8.5), pickup: clock.day(d2, 9), deliver: clock.day(d2, 10.5), receive: clock.day(d2, 11),
      });
      for (const l of toRecycler.accepted) await this.treat(recycler, l, clock.day(d2, 15), 'R9');
      const rags = atPoint.filter((l) => l.waste === 'rags');
      const [bulk] = await this.issue(cp, [{ waste: 'rag_tonbag', kg: round1(rags.reduce((s, l) => s + l.kg, 0)), at: clock.day(d2, 8), remarks: `集中打包${rags.length}袋小微单位含油废物` }]);
      for (const l of rags) await this.consolidate(cp, l, bulk, clock.day(d2, 8.2));
      const lab = atPoint.filter((l) => l.waste === 'labWaste');
      const toLandfill = await this.ship({
        from: cp, to: landfill, carriers: [t1], labels: [bulk, ...lab], method: 'D1',
        submit: clock.day(d2, 12), pickup: clock.day(d2, 13), deliver: clock.day(d2, 15), receive: clock.day(d2, 15.3),
      });
      for (const l of toLandfill.accepted) await this.treat(landfill, l, clock.day(d2, 17), l.waste === 'labWaste' ? 'D9' : 'D1');
    }), 3);
  }

  /** The collection point's loose ends: an unconfirmed receipt, a refusal, a fresh load, a dropped draft, a voided label. */
  private async collectionTails(): Promise<void> {
    const { clock } = this;
    const cp = this.p('cp');
    // 阳曲 garage: delivered to the point more than 12 working days ago, receipt never confirmed.
    const overdue = clock.workingDaysBack(12);
    const g3 = this.p('garage3');
    const g3Items: LabelItem[] = [{ waste: 'engineOil', kg: 48.5, at: clock.day(overdue + 4, 10) }, { waste: 'engineOil', kg: 51, at: clock.day(overdue + 4, 10.5) }, { waste: 'rags', kg: 14.2, at: clock.day(overdue + 2, 11) }];
    const g3Labels = await this.issueAndStore(g3, g3Items, 0.5);
    await this.ship({
      from: g3, to: cp, carriers: [cp], labels: g3Labels, method: 'R9', stop: 'delivered',
      submit: clock.day(overdue, 14.5), pickup: clock.day(overdue, 15), deliver: clock.day(overdue, 16.5),
    });
    // The test lab's jerrycans: refused at the point (contents not as labelled); one taken back.
    const lab1 = this.p('lab1');
    const labItems: LabelItem[] = [{ waste: 'labWaste', kg: 19.2, at: clock.day(12, 10) }, { waste: 'labWaste', kg: 17.6, at: clock.day(12, 11) }];
    const labLabels = await this.issueAndStore(lab1, labItems, 0.5);
    const refused = await this.ship({
      from: lab1, to: cp, carriers: [cp], labels: labLabels, method: 'D9',
      submit: clock.day(9, 12.5), pickup: clock.day(9, 13), deliver: clock.day(9, 16.5), receive: clock.day(9, 16.8),
      refuse: () => '标签成分与实物不符，未注明废液具体成分',
    });
    await this.ship({
      from: lab1, to: lab1, carriers: [cp], labels: [refused.refused[0]], returnOf: { manifestId: refused.id, from: cp },
      submit: clock.day(8, 8.5), pickup: clock.day(8, 9), deliver: clock.day(8, 9.7), receive: clock.day(8, 9.8),
    });
    await this.store(lab1, refused.refused[0], clock.day(8, 10));
    // 晋源 garage: collected and received yesterday, not yet put away.
    const g4 = this.p('garage4');
    const g4Items: LabelItem[] = [{ waste: 'engineOil', kg: 46.8, at: clock.day(4, 10) }, { waste: 'engineOil', kg: 52.3, at: clock.day(4, 11) }, { waste: 'rags', kg: 16.4, at: clock.day(4, 12) }];
    const g4Labels = await this.issueAndStore(g4, g4Items, 0.5);
    await this.ship({
      from: g4, to: cp, carriers: [cp], labels: g4Labels, method: 'R9',
      submit: clock.day(1, 9.5), pickup: clock.day(1, 10.2), deliver: clock.day(1, 16.5), receive: clock.day(1, 16.8),
    });
    // 万柏林 garage: a draft dropped, the point will pick the rags up on its next round.
    const g2 = this.p('garage2');
    const g2Items: LabelItem[] = [{ waste: 'rags', kg: 13.5, at: clock.day(3, 10) }, { waste: 'rags', kg: 15.1, at: clock.day(3, 10.5) }];
    const g2Labels = await this.issueAndStore(g2, g2Items, 0.5);
    await this.ship({
      from: g2, to: cp, carriers: [cp], labels: g2Labels, method: 'D1', stop: 'draft', submit: clock.now,
      plannedAt: clock.day(-2, 10), cancel: { reason: '改由收集点下次上门收集时一并转运' },
    });
    // 小店 garage: a label printed twice, voided.
    const g1 = this.p('garage1');
    const [dup] = await this.issue(g1, [{ waste: 'engineOil', kg: 50.2, at: clock.day(12, 10), remarks: '重复打印' }]);
    await this.labelStep(g1, dup, { action: 'void', reason: '同一桶重复打印标签，作废重打', occurredAt: clock.day(12, 11).toISOString() });
  }

  private async chemicalPlant(): Promise<void> {
    const { clock } = this;
    const chem = this.p('chem');
    // Spent solvents to the recycler; one drum of the fourth load arrives 15 % light.
    const solvents = planCycles(prng('chem:solvent'), clock, 'solvent', [148, 127, 106, 85, 64, 43, 22], 4);
    solvents[3].factors[1] = 0.85;
    await this.recurring({ gen: 'chem', waste: 'solvent', to: 'recycler', carriers: ['t2'], method: 'R2', cycles: solvents });
    await this.recurring({ gen: 'chem', waste: 'catalyst', to: 'landfill', carriers: ['t1'], method: 'D1', cycles: planCycles(prng('chem:cat'), clock, 'catalyst', [120, 75, 30], 2) });
    await this.recurring({ gen: 'chem', waste: 'packaging', to: 'landfill', carriers: ['t1'], method: 'D1', cycles: planCycles(prng('chem:pack'), clock, 'packaging', [140, 98, 56, 14], 5), leaveHour: 13 });
    // This month's drums: one label voided (printed with the wrong code), three on a draft manifest, one in store.
    const [wrong] = await this.issue(chem, [{ waste: 'solvent', kg: 158, at: clock.day(9, 10), remarks: '废物代码填写错误' }]);
    await this.labelStep(chem, wrong, { action: 'void', reason: '标签废物代码填写错误，已重新打印', occurredAt: clock.day(9, 10.5).toISOString() });
    await this.issueAndStore(chem, [{ waste: 'solvent', kg: 170.2, at: clock.day(7, 15) }], 0.5);
    const items: LabelItem[] = [6, 5, 4].map((d, j) => ({ waste: 'solvent', kg: [161, 167.5, 155][j], at: clock.day(d, 10 + j) }));
    const recent = await this.issueAndStore(chem, items, 0.5);
    await this.ship({
      from: chem, to: this.p('recycler'), carriers: [this.p('t2')], labels: recent, method: 'R2', stop: 'draft',
      submit: clock.now, plannedAt: clock.day(-1, 9),
    });
  }

  private async steelWorks(): Promise<void> {
    const { clock } = this;
    // Spent pickling acid to the chemical plant under the point-to-point exemption: the plant holds
    // no operating licence for it and utilises it (R6) in its ferric-chloride line.
    await this.recurring({
      gen: 'steel', waste: 'acid', to: 'chem', carriers: ['t1'], method: 'R6', exemptionId: this.exemptionId, storeCode: 'TK-01', after: 'treat',
      cycles: planCycles(prng('steel:acid'), clock, 'acid', [150, 125, 100, 75, 50, 25], 2),
    });
    // Two bags labelled this morning, not yet taken to the store.
    await this.issue(this.p('steel'), [{ waste: 'packaging', kg: 44.5, at: clock.hoursAgo(1.5) }, { waste: 'packaging', kg: 39, at: clock.hoursAgo(1.2) }]);
  }

  private async autoParts(): Promise<void> {
    const { clock } = this;
    const auto = this.p('auto');
    // Surface-treatment liquors to the landfill's stabilisation plant; one leaking drum refused and taken back.
    await this.recurring({
      gen: 'auto', waste: 'surface', to: 'landfill', carriers: ['t2'], method: 'D9', cycles: planCycles(prng('auto:surface'), clock, 'surface', [136, 108, 80, 52, 24], 3),
      refuse: (cycle, i) => (cycle === 2 && i === 1 ? '包装桶破损渗漏' : undefined),
    });
    await this.recurring({ gen: 'auto', waste: 'paint', to: 'recycler', carriers: ['t2'], method: 'R2', cycles: planCycles(prng('auto:paint'), clock, 'paint', [132, 104, 76, 48, 20], 3), leaveHour: 13 });
    // Paint sludge: a submitted manifest cancelled (the truck failed its inspection), then submitted again yesterday.
    const items: LabelItem[] = [9, 8, 7].map((d, j) => ({ waste: 'paint', kg: [112, 118.5, 104][j], at: clock.day(d, 14) }));
    const drums = await this.issueAndStore(auto, items, 0.5);
    const recycler = this.p('recycler');
    const t2 = this.p('t2');
    await this.ship({
      from: auto, to: recycler, carriers: [t2], labels: drums, method: 'R2', stop: 'submitted',
      submit: clock.day(6, 9), cancel: { at: clock.day(5, 16), reason: '承运车辆年检未通过，改期转运' },
    });
    await this.ship({ from: auto, to: recycler, carriers: [t2], labels: drums, method: 'R2', stop: 'submitted', submit: clock.day(1, 15), plannedAt: clock.day(-1, 9) });
  }

  private async coking(): Promise<void> {
    const { clock } = this;
    // Tar residue goes back into the coal blend at the plants' own facilities (自行利用).
    for (const [key, waste, every] of [['coke', 'tar', 8], ['gjcoke', 'gjtar', 12]] as const) {
      const plant = this.p(key);
      const rnd = prng(`tar:${key}`);
      const days: number[] = [];
      for (let d = 130; d >= 2; d -= every) days.push(d);
      const items: LabelItem[] = days.map((d) => ({ waste, kg: between(rnd, WASTE[waste].kg), at: clock.day(d, 10) }));
      const labels = await this.issue(plant, items);
      for (const [i, l] of labels.entries()) {
        await this.store(plant, l, clock.day(days[i], 11));
        if (days[i] >= 10) await this.treat(plant, l, clock.day(days[i] - 3, 14), 'R3');
      }
    }
    // 古交 → 阳曲 landfill: two carriers (古交 truck to the city, the city carrier onwards).
    const gj = this.p('gjcoke');
    await this.recurring({ gen: 'gjcoke', waste: 'packaging', to: 'landfill', carriers: ['t4', 't1'], method: 'D1', cycles: planCycles(prng('gj:pack'), clock, 'packaging', [126, 91, 56, 21], 4), leaveHour: 8 });
    // The latest load left three days ago and is still with the first carrier (broken down on the way):
    // its track stops two fifths of the way, far from any place, for over three hours (route_stop),
    // then the terminal goes quiet (route_silence).
    const items: LabelItem[] = [6, 5, 5, 4].map((d, j) => ({ waste: 'packaging', kg: [41, 38.5, 47, 35.2][j], at: clock.day(d, 9 + j) }));
    const bags = await this.issueAndStore(gj, items, 0.5);
    await this.ship({
      from: gj, to: this.p('landfill'), carriers: [this.p('t4'), this.p('t1')], labels: bags, method: 'D1', stop: 'in_transit',
      submit: clock.day(3, 8), pickup: clock.day(3, 9.5),
      track: [{ phases: [{ minutes: 70, toFraction: 0.4 }, { minutes: 200, toFraction: 0.4 }] }],
    });
    // The latest load, picked up hours before the seed ran: the 古交 truck took a detour 12 km off the road before it handed over to the
    // city carrier, who is on the way now (route_off_corridor on the first leg).
    const today: LabelItem[] = [2, 2, 1].map((d, j) => ({ waste: 'packaging', kg: [39.5, 44, 36.8][j], at: clock.day(d, 10 + j) }));
    const detour = await this.issueAndStore(gj, today, 0.5);
    const landfill = this.p('landfill');
    const handoverAt = handoverPlace(gj, landfill);
    await this.ship({
      from: gj, to: landfill, carriers: [this.p('t4'), this.p('t1')], labels: detour, method: 'D1', stop: 'in_transit',
      submit: clock.hoursAgo(6), pickup: clock.hoursAgo(5.5), handover: clock.hoursAgo(2.5),
      track: [{ via: [besideMidpoint(gj.loc, handoverAt, 12)] }],
    });
  }

  private async landfillFlows(): Promise<void> {
    const { clock } = this;
    await this.recurring({ gen: 'power', waste: 'denox', to: 'landfill', carriers: ['t2'], method: 'D1', cycles: planCycles(prng('power'), clock, 'denox', [118, 73, 33], 3) });
    // The latest crates: delivered yesterday afternoon, receipt still open (not yet due).
    const power = this.p('power');
    const items: LabelItem[] = [5, 4].map((d, j) => ({ waste: 'denox', kg: [905, 872][j], at: clock.day(d, 10) }));
    const crates = await this.issueAndStore(power, items, 0.5);
    await this.ship({
      from: power, to: this.p('landfill'), carriers: [this.p('t2')], labels: crates, method: 'D1', stop: 'delivered',
      submit: clock.day(1, 9), pickup: clock.day(1, 10), deliver: clock.day(1, 15),
    });
    // The incinerator's own fly ash (it is a generator too) to the landfill.
    await this.recurring({ gen: 'incin', waste: 'flyash', to: 'landfill', carriers: ['t1'], method: 'D1', storeCode: 'FA-01', cycles: planCycles(prng('flyash'), clock, 'flyash', [140, 115, 90, 65, 40, 15], 3), leaveHour: 14 });
  }

  private async oilFlow(f: OilFlow): Promise<void> {
    const { clock } = this;
    const shipped = await this.recurring({ gen: f.gen, waste: 'oil', to: 'oilrec', carriers: [f.carrier], method: 'R9', cycles: f.cycles, leaveHour: OIL_LEAVE_HOUR });
    const gen = this.p(f.gen);
    const oilrec = this.p('oilrec');
    if (f.gen === 'steel') {
      // The heavy drum: the receiving district's regulator checked it and closed the alert.
      await this.api.post(this.p('reg-140110').token, `/api/v1/supervision/manifests/${shipped[2].id}/discrepancy-review`, { note: '已核实：发货时未计入桶内残留油泥，称重无误' });
      // Two drums on the road right now.
      const items: LabelItem[] = [3, 2].map((d, j) => ({ waste: 'oil', kg: [171.5, 168][j], at: clock.day(d, 10) }));
      const drums = await this.issueAndStore(gen, items, 0.5);
      await this.ship({
        from: gen, to: oilrec, carriers: [this.p(f.carrier)], labels: drums, method: 'R9', stop: 'in_transit',
        submit: clock.day(1, 14), pickup: clock.hoursAgo(2),
      });
    }
    if (f.gen === 'mining') {
      // Delivered at least 8 working days ago; the recycler never confirmed receipt.
      const d = clock.workingDaysBack(8);
      const items: LabelItem[] = [d + 6, d + 3].map((x, j) => ({ waste: 'oil', kg: [176, 164.5][j], at: clock.day(x, 10) }));
      const drums = await this.issueAndStore(gen, items, 0.5);
      await this.ship({
        from: gen, to: oilrec, carriers: [this.p(f.carrier)], labels: drums, method: 'R9', stop: 'delivered',
        submit: clock.day(d, 8.5), pickup: clock.day(d, 9), deliver: clock.day(d, 16),
      });
    }
  }

  /** Old stock at the mine: drums stored for close to, and more than, a year (固废法 Art. 81). */
  private async mine(): Promise<void> {
    const { clock } = this;
    const mine = this.p('mining');
    const items: LabelItem[] = [
      { waste: 'oil', kg: 172, at: new Date(clock.now.getTime() - 365.6 * DAY), remarks: '历史遗留库存' },
      { waste: 'oil', kg: 166.5, at: new Date(clock.now.getTime() - 365.5 * DAY), remarks: '历史遗留库存' },
      { waste: 'oil', kg: 158, at: clock.day(318, 10) },
      { waste: 'oil', kg: 175.5, at: clock.day(306, 10) },
      { waste: 'packaging', kg: 36, at: clock.day(200, 10) },
    ];
    const drums = await this.issue(mine, items);
    for (const [i, l] of drums.entries()) await this.store(mine, l, new Date(items[i].at.getTime() + HOUR));
  }

  /**
   * Old stock at the collection point, a licensed operator (固废法 Art. 81): two boxes of lamp tubes
   * stored for more than a year; the district approved a longer storage period for one of them, so
   * only the other is a breach.
   */
  private async collectionPointOldStock(): Promise<void> {
    const { clock } = this;
    const cp = this.p('cp');
    const items: LabelItem[] = [
      { waste: 'tubes', kg: 12.5, at: new Date(clock.now.getTime() - 365.7 * DAY), remarks: '历史遗留库存' },
      { waste: 'tubes', kg: 13, at: new Date(clock.now.getTime() - 365.7 * DAY), remarks: '历史遗留库存，已获延长贮存批复' },
    ];
    const boxes = await this.issue(cp, items);
    for (const [i, l] of boxes.entries()) await this.store(cp, l, new Date(items[i].at.getTime() + HOUR));
    const year = Number(clock.date(0).slice(0, 4));
    await this.api.post(this.p('reg-140106').token, `/api/v1/orgs/${cp.id}/storage-extensions`, {
      number: `迎环贮延〔${year}〕2号`, labelIds: [boxes[1].id], validFrom: clock.date(10), validTo: clock.date(-170),
    });
  }

  // ---- the result ----------------------------------------------------------------------------------

  // ---- management plans and declarations -------------------------------------------------------------

  /**
   * Management plans (管理计划) and declarations (申报) the units filed in the national system over the
   * past year (docs/regulations.md#management-plans, #declarations): every one the alerts say is due,
   * entered with the time it was filed (five days before its deadline, or as far back as the
   * occurredAt window reaches), except the solvent recycler's, which it never filed.
   */
  async filings(): Promise<void> {
    const { api } = this;
    const city = this.city.token;
    const byOrg = new Map([...this.parties.values()].map((p) => [p.id, p]));
    const late = this.p(DEMO_LATE_FILER);
    const windowStart = this.clock.now.getTime() - (this.deps.config.occurredAtWindowDays - 1) * DAY;
    const filedAt = (dueOn: string) => new Date(Math.max(shanghaiDayStart(dueOn).getTime() - 5 * DAY + 10 * HOUR, windowStart)).toISOString();
    type Due = { orgId: string; details: { siteId: string; dueOn: string; year?: number; period?: string } };
    const due = async (type: string) => (await this.openAlerts<Due>(city, `type=${type}`))
      .filter((a) => a.orgId !== late.id && byOrg.has(a.orgId));
    const plans = await due('management_plan_missing');
    // Plans first (a year's plan before its declarations), oldest year first.
    plans.sort((a, b) => (a.details.year ?? 0) - (b.details.year ?? 0));
    await inParallel(plans.map((a) => () => {
      const p = byOrg.get(a.orgId)!;
      return api.post(p.token, `/api/v1/orgs/${p.id}/sites/${a.details.siteId}/management-plan/submit?year=${a.details.year}`, { submittedAt: filedAt(a.details.dueOn) });
    }), 4);
    const declarations = await due('declaration_overdue');
    await inParallel(declarations.map((a) => () => {
      const p = byOrg.get(a.orgId)!;
      return api.post(p.token, `/api/v1/orgs/${p.id}/sites/${a.details.siteId}/declarations`, { period: a.details.period, submittedAt: filedAt(a.details.dueOn) });
    }), 4);
    this.log(`filed ${plans.length} management plans and ${declarations.length} declarations; ${late.spec.name} filed none`);
  }

  /** Every open alert the query matches, page after page. */
  private async openAlerts<T>(token: string, query = ''): Promise<T[]> {
    const items: T[] = [];
    let cursor: string | null = null;
    do {
      const page: { items: T[]; nextCursor: string | null } = await this.api.get(token, `/api/v1/supervision/alerts?limit=500&${query}${cursor ? `&cursor=${cursor}` : ''}`);
      items.push(...page.items);
      cursor = page.nextCursor;
    } while (cursor);
    return items;
  }

  async summary(): Promise<Omit<DemoResult, 'requests' | 'retries' | 'seconds'>> {
    const { pool } = this.deps;
    const count = async (table: 'labels' | 'manifests') => {
      const { rows } = await pool.query<{ state: string; n: number }>(`SELECT state, count(*)::int AS n FROM ${table} GROUP BY state ORDER BY state`);
      return Object.fromEntries(rows.map((r) => [r.state, r.n]));
    };
    const alerts = await this.openAlerts<{ type: string }>(this.city.token);
    const byType: Record<string, number> = {};
    for (const a of alerts) byType[a.type] = (byType[a.type] ?? 0) + 1;
    const cred = (key: string, description?: string): DemoCredential => {
      const p = this.p(key);
      return {
        key, description: description ?? p.spec.description, orgId: p.id, orgName: p.spec.name, regionCode: p.spec.regionCode, orgRoles: p.spec.roles,
        clientId: p.clientId, clientSecret: p.clientSecret, clientRoles: p.clientRoles,
      };
    };
    const orgs = [...this.parties.keys()].map((k) => cred(k, k.startsWith('reg-') ? 'district/county regulator' : undefined));
    return {
      credentials: {
        createdAt: this.clock.now.toISOString(),
        cityRegulator: cred('city', 'city regulator (bootstrap admin: admin + registrar)'),
        districtRegulator: cred('reg-140121', 'district/county regulator (清徐县)'),
        generator: cred('chem'),
        medicalGenerator: cred('qxhosp'),
        carrier: cred('t1'),
        receiver: cred('incin'),
        collector: cred('cp'),
        orgs,
      },
      counts: { orgs: this.parties.size, labels: await count('labels'), manifests: await count('manifests') },
      alerts: byType,
      warnings: this.warnings,
    };
  }
}
