// Declarations of a site (申报, HJ 1259-2022 §7, appendix C; docs/regulations.md#declarations):
// per period, the waste balance drafted from the ledger (balance.ts). Submitting stores and locks
// the figures as drafted at that moment; a correction after submission is a new version with its
// reason. Which periods a site declares follows its class for the period's year (periods.ts).
import { and, asc, desc, eq } from 'drizzle-orm';
import type { DbOrTx } from '../../db/database.js';
import { declarations } from '../../db/schema.js';
import type { Command } from '../../commands/unit-of-work.js';
import type { Caller } from '../../auth/roles.js';
import { invalid, ruleViolation } from '../../core/errors.js';
import { shanghaiDate, shanghaiDayStart } from '../../calendar/working-days.js';
import { inRegion } from '../jurisdiction.js';
import { wasteBalance, type WasteBalance } from './balance.js';
import { parsePeriod, PERIOD_KINDS_BY_CLASS, type Period } from './periods.js';
import { siteClassForYear } from './site-class.js';
import { filingSite, readableSite } from './site-access.js';
import { resolveSubmittedAt } from './submitted-at.js';

type DeclarationRow = typeof declarations.$inferSelect;

function periodOf(id: string, path: string): Period {
  const p = parsePeriod(id);
  if (!p) throw invalid(`${id} is not a period: 2026-10 (month), 2026-Q3 (quarter) or 2026 (year)`, [{ path, message: 'not a period' }]);
  return p;
}

const dayAfter = (date: string) => new Date(shanghaiDayStart(date).getTime() + 86_400_000);
const lateAfter = (p: Period) => dayAfter(p.dueOn);

async function draftFigures(db: DbOrTx, orgId: string, siteId: string, p: Period) {
  const cls = await siteClassForYear(db, orgId, siteId, p.year);
  const rows: WasteBalance[] = await wasteBalance(db, orgId, siteId, p.from, p.to);
  return {
    period: p.id, periodKind: p.kind, from: p.from, to: p.to, dueOn: p.dueOn,
    managementClass: cls.managementClass, managementClassReason: cls.reason,
    /** Whether the class declares periods of this kind (§7.2). */
    required: PERIOD_KINDS_BY_CLASS[cls.managementClass].includes(p.kind),
    unit: 't' as const,
    rows,
  };
}

export type DeclarationFigures = Awaited<ReturnType<typeof draftFigures>>;

async function versionsOf(db: DbOrTx, siteId: string, period: string) {
  return db.select().from(declarations)
    .where(and(eq(declarations.siteId, siteId), eq(declarations.period, period))).orderBy(desc(declarations.version));
}

const versionList = (all: DeclarationRow[]) => all.map((v) => ({
  id: v.id, version: v.version, submittedAt: v.submittedAt.toISOString(), changeReason: v.changeReason,
}));

/** The draft of a period: the figures as the ledger gives them now, and the versions submitted so far. */
export async function draftDeclaration(db: DbOrTx, caller: Caller, orgId: string, siteId: string, periodId: string) {
  const { org, site } = await readableSite(db, caller, orgId, siteId);
  const p = periodOf(periodId, 'querystring.period');
  const figures = await draftFigures(db, org.id, site.id, p);
  return { orgId: org.id, siteId: site.id, state: 'draft', ended: p.to < shanghaiDate(new Date()), ...figures, versions: versionList(await versionsOf(db, site.id, p.id)) };
}

function view(r: DeclarationRow, all: DeclarationRow[]) {
  const p = parsePeriod(r.period)!;
  return {
    id: r.id, orgId: r.orgId, siteId: r.siteId, state: r.state, version: r.version, changeReason: r.changeReason,
    submittedAt: r.submittedAt.toISOString(), recordedAt: r.recordedAt.toISOString(), submittedLate: r.submittedAt >= lateAfter(p),
    ...(r.figures as DeclarationFigures),
    versions: versionList(all),
  };
}

/** The latest submitted version of a period (404 when none). */
export async function readDeclaration(db: DbOrTx, caller: Caller, orgId: string, siteId: string, periodId: string) {
  const { site } = await readableSite(db, caller, orgId, siteId);
  const p = periodOf(periodId, 'params.period');
  const all = await versionsOf(db, site.id, p.id);
  if (!all[0]) return undefined;
  return view(all[0], all);
}

/** Submits (locks) the period's figures as drafted now; a period already submitted takes a correction with its reason. */
export async function submitDeclaration(
  cmd: Command, orgId: string, siteId: string, input: { period: string; changeReason?: string; submittedAt?: string }, windowDays: number,
) {
  const { tx, actor: { caller } } = cmd;
  const p = periodOf(input.period, 'body.period');
  const { org, site } = await filingSite(tx, caller, orgId, siteId, `declaration:${p.id}`);
  const today = shanghaiDate(new Date());
  if (p.to >= today) throw ruleViolation('period_not_ended', `The period ${p.id} ends on ${p.to}; it is declared after it ends`, { period: p.id, endsOn: p.to });
  const figures = await draftFigures(tx, org.id, site.id, p);
  if (!figures.required) {
    throw ruleViolation('period_kind', `A ${figures.managementClass} site declares ${PERIOD_KINDS_BY_CLASS[figures.managementClass].join(' and ')} periods, not a ${p.kind}`,
      { managementClass: figures.managementClass, periodKind: p.kind });
  }
  const latest = (await versionsOf(tx, site.id, p.id))[0];
  if (latest && !input.changeReason) {
    throw ruleViolation('change_reason', `${p.id} was declared (version ${latest.version}) and is locked; a correction states its changeReason`, { version: latest.version });
  }
  // Declared once the period has ended; a correction after the version it corrects.
  const submittedAt = resolveSubmittedAt(input.submittedAt, latest?.submittedAt ?? dayAfter(p.to), windowDays);
  const [row] = await tx.insert(declarations).values({
    orgId: org.id, siteId: site.id, period: p.id, periodKind: p.kind, version: (latest?.version ?? 0) + 1, figures,
    changeReason: latest ? input.changeReason : null, dueOn: p.dueOn, regionCode: site.regionCode, submittedAt,
  }).returning();
  await cmd.audit({
    chain: org.regionCode, entityType: 'declaration', entityId: row.id, action: latest ? 'correct' : 'submit',
    after: {
      id: row.id, orgId: row.orgId, siteId: row.siteId, period: row.period, version: row.version, figures, changeReason: row.changeReason,
      regionCode: row.regionCode, submittedAt: row.submittedAt.toISOString(), recordedAt: row.recordedAt.toISOString(),
    },
  });
  return view(row, await versionsOf(tx, site.id, p.id));
}

/** Submitted declarations (every version) of a period whose site lies in the prefix, for regulators. */
export async function listSubmittedDeclarations(db: DbOrTx, prefix: string, periodId: string) {
  const p = periodOf(periodId, 'querystring.period');
  const rows = await db.select().from(declarations)
    .where(and(eq(declarations.period, p.id), inRegion(declarations.regionCode, prefix)))
    .orderBy(asc(declarations.regionCode), asc(declarations.siteId), asc(declarations.version));
  return rows.map((r) => ({
    id: r.id, orgId: r.orgId, siteId: r.siteId, period: r.period, periodKind: r.periodKind, version: r.version, regionCode: r.regionCode,
    dueOn: r.dueOn, changeReason: r.changeReason, submittedAt: r.submittedAt.toISOString(), submittedLate: r.submittedAt >= lateAfter(p),
  }));
}
