// Routes a regulator approved for a generator–receiver pair (docs/regulations.md#route-alerts): the
// corridor of their transfers is measured from the approved path instead of the straight line
// between a leg's ends. Registered by a registrar over the generator's region; the newest route
// valid on the pickup day applies, so a new registration supersedes an older one.
import { and, asc, desc, eq, inArray, like, or, type SQL } from 'drizzle-orm';
import type { DbOrTx } from '../db/database.js';
import { approvedRoutes, organisations } from '../db/schema.js';
import type { Command } from '../commands/unit-of-work.js';
import { invalid, notFound, ruleViolation, type FieldError } from '../core/errors.js';
import { isRegulator, requireClientRole, supervises, type Caller } from '../auth/roles.js';
import { afterCursor, keysetPage } from '../db/keyset.js';
import { insideChina, pathKm, type LatLng } from './geo.js';

type ApprovedRouteRow = typeof approvedRoutes.$inferSelect;

export interface NewApprovedRoute {
  generatorId: string;
  receiverId: string;
  name: string;
  path: LatLng[];
  validFrom: string;
  validTo?: string;
}

export const pathOf = (r: Pick<ApprovedRouteRow, 'path'>): LatLng[] => r.path.map(([lng, lat]) => ({ lat, lng }));

export const approvedRouteView = (r: ApprovedRouteRow) => ({
  id: r.id,
  generatorId: r.generatorId,
  receiverId: r.receiverId,
  regionCode: r.regionCode,
  name: r.name,
  path: pathOf(r),
  lengthKm: Math.round(pathKm(pathOf(r)) * 1000) / 1000,
  validFrom: r.validFrom,
  validTo: r.validTo,
  createdAt: r.createdAt.toISOString(),
});

export async function registerApprovedRoute(cmd: Command, input: NewApprovedRoute) {
  const { caller } = cmd.actor;
  requireClientRole(caller, 'registrar');
  const [generator] = await cmd.tx.select().from(organisations).where(eq(organisations.id, input.generatorId));
  if (!generator || !supervises(caller, generator.regionCode)) throw notFound('Generator organisation');
  const [receiver] = await cmd.tx.select().from(organisations).where(eq(organisations.id, input.receiverId));
  if (!receiver) throw notFound('Receiver organisation');
  if (!['generator', 'collector'].some((r) => generator.roles.includes(r))) {
    throw ruleViolation('holder_role', `${generator.name} is neither a generator nor a collector`, { orgId: generator.id });
  }
  if (!['receiver', 'collector'].some((r) => receiver.roles.includes(r))) {
    throw ruleViolation('holder_role', `${receiver.name} is neither a receiver nor a collector`, { orgId: receiver.id });
  }
  const errors: FieldError[] = input.path.flatMap((p, i) => (insideChina(p) ? [] : [{ path: `body.path.${i}`, message: `(${p.lat}, ${p.lng}) lies outside China` }]));
  if (input.validTo !== undefined && input.validTo < input.validFrom) errors.push({ path: 'body.validTo', message: 'must not be before validFrom' });
  if (errors.length) throw invalid(errors.map((e) => `${e.path}: ${e.message}`).join('; '), errors);
  const [row] = await cmd.tx.insert(approvedRoutes).values({
    generatorId: generator.id, receiverId: receiver.id, regionCode: generator.regionCode, name: input.name,
    path: input.path.map((p): [number, number] => [p.lng, p.lat]), validFrom: input.validFrom, validTo: input.validTo ?? null,
    createdByOrgId: caller.orgId,
  }).returning();
  const view = approvedRouteView(row);
  await cmd.audit({ chain: row.regionCode, entityType: 'approved_route', entityId: row.id, action: 'create', after: view });
  return view;
}

/** A regulator: routes of generators in its jurisdiction; a party: those it is generator or receiver of. */
function visibleTo(caller: Caller): SQL {
  if (isRegulator(caller)) return like(approvedRoutes.regionCode, `${caller.jurisdiction ?? caller.regionCode}%`);
  return or(eq(approvedRoutes.generatorId, caller.orgId), eq(approvedRoutes.receiverId, caller.orgId))!;
}

export async function listApprovedRoutes(db: DbOrTx, caller: Caller, q: { limit: number; cursor?: string; generatorId?: string; receiverId?: string }) {
  const where: SQL[] = [visibleTo(caller)];
  if (q.generatorId) where.push(eq(approvedRoutes.generatorId, q.generatorId));
  if (q.receiverId) where.push(eq(approvedRoutes.receiverId, q.receiverId));
  if (q.cursor) where.push(afterCursor([approvedRoutes.id], q.cursor));
  const rows = await db.select().from(approvedRoutes).where(and(...where)).orderBy(asc(approvedRoutes.id)).limit(q.limit + 1);
  return keysetPage(rows, q.limit, (r) => [r.id], approvedRouteView);
}

export interface PairOnDay { generatorId: string; receiverId: string; day: string }

/** The approved route in force for each pair on its day (the newest registered), keyed by `generator|receiver|day`. */
export async function approvedRoutesFor(db: DbOrTx, pairs: PairOnDay[]): Promise<Map<string, ApprovedRouteRow>> {
  if (pairs.length === 0) return new Map();
  const rows = await db.select().from(approvedRoutes)
    .where(inArray(approvedRoutes.generatorId, [...new Set(pairs.map((p) => p.generatorId))]))
    .orderBy(desc(approvedRoutes.createdAt));
  return pickApproved(rows, pairs);
}

type Approval = Pick<ApprovedRouteRow, 'generatorId' | 'receiverId' | 'validFrom' | 'validTo'>;

/** Of routes newest first, the one in force for each pair on its day, keyed by `generator|receiver|day`. */
export function pickApproved<R extends Approval>(rows: R[], pairs: PairOnDay[]): Map<string, R> {
  const out = new Map<string, R>();
  for (const p of pairs) {
    const r = rows.find((x) => x.receiverId === p.receiverId && x.generatorId === p.generatorId && x.validFrom <= p.day && (x.validTo === null || x.validTo >= p.day));
    if (r) out.set(pairKey(p), r);
  }
  return out;
}

export const pairKey = (p: PairOnDay) => `${p.generatorId}|${p.receiverId}|${p.day}`;
