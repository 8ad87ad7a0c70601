// Management plans of a site and year (管理计划, HJ 1259-2022 §5; docs/regulations.md#management-plans):
// drafted from last year's records; the unit saves its edits of the forward-looking parts and
// submits. A submitted version is locked with its figures as drafted at submission; a change after
// that is a new version, edited and submitted the same way, stating its reason (§5.2: changes are
// filed promptly). Every save and submission is audited (entity `management_plan`).
import { and, asc, desc, eq } from 'drizzle-orm';
import type { DbOrTx } from '../../db/database.js';
import { managementPlans } from '../../db/schema.js';
import type { Command } from '../../commands/unit-of-work.js';
import type { Caller } from '../../auth/roles.js';
import { AppError, ruleViolation } from '../../core/errors.js';
import { shanghaiDayStart } from '../../calendar/working-days.js';
import { draftPlan, type PlanEdits, type PlanFigures } from './plan-draft.js';
import { filingSite, readableSite } from './site-access.js';
import { inRegion } from '../jurisdiction.js';
import { resolveSubmittedAt } from './submitted-at.js';

type PlanRow = typeof managementPlans.$inferSelect;

/** The plan of a year is filed by 31 March of that year (§5.2). */
export const planDueOn = (year: number) => `${year}-03-31`;
const lateAfter = (year: number) => new Date(shanghaiDayStart(planDueOn(year)).getTime() + 86_400_000);

async function versions(db: DbOrTx, siteId: string, year: number): Promise<PlanRow[]> {
  return db.select().from(managementPlans)
    .where(and(eq(managementPlans.siteId, siteId), eq(managementPlans.year, year))).orderBy(desc(managementPlans.version));
}

function view(row: PlanRow | undefined, year: number, figures: PlanFigures, all: PlanRow[]) {
  return {
    id: row?.id ?? null,
    version: row?.version ?? 1,
    state: row?.state ?? 'draft',
    saved: row !== undefined,
    changeReason: row?.changeReason ?? null,
    dueOn: planDueOn(year),
    submittedAt: row?.submittedAt?.toISOString() ?? null,
    submissionRecordedAt: row?.submissionRecordedAt?.toISOString() ?? null,
    submittedLate: row?.submittedAt ? row.submittedAt >= lateAfter(year) : null,
    edits: (row?.edits ?? {}) as PlanEdits,
    ...figures,
    versions: all.map((v) => ({
      version: v.version, state: v.state, submittedAt: v.submittedAt?.toISOString() ?? null, changeReason: v.changeReason,
    })),
  };
}

/**
 * The latest version: a submitted one as it was locked, else the draft drafted afresh with its edits.
 * A regulator sees the latest submitted version while the unit edits a change (it has not been filed).
 */
export async function readPlan(db: DbOrTx, caller: Caller, orgId: string, siteId: string, year: number) {
  const { org, site } = await readableSite(db, caller, orgId, siteId);
  const all = await versions(db, site.id, year);
  const latest = caller.orgId === org.id ? all[0] : all.find((v) => v.state === 'submitted') ?? all[0];
  if (latest?.state === 'submitted') return view(latest, year, latest.figures as PlanFigures, all);
  return view(latest, year, await draftPlan(db, org, site, year, (latest?.edits ?? {}) as PlanEdits), all);
}

/** Saves the unit's edits: into the open draft, or as a new version (with its reason) after a submission. */
export async function savePlan(cmd: Command, orgId: string, siteId: string, year: number, input: PlanEdits & { changeReason?: string }) {
  const { tx, actor: { caller } } = cmd;
  const { org, site } = await filingSite(tx, caller, orgId, siteId, `plan:${year}`);
  const { changeReason, ...edits } = input;
  // Drafted once here so that an edit naming no row of last year's records is refused now.
  await draftPlan(tx, org, site, year, edits);
  const latest = (await versions(tx, site.id, year))[0];
  let row: PlanRow;
  if (latest?.state === 'draft') {
    [row] = await tx.update(managementPlans).set({ edits, changeReason: latest.version > 1 ? changeReason ?? latest.changeReason : null, updatedAt: new Date() })
      .where(eq(managementPlans.id, latest.id)).returning();
  } else {
    if (latest && !changeReason) {
      throw ruleViolation('change_reason', `The ${year} plan was submitted (version ${latest.version}); a change is a new version: state its changeReason`, { version: latest.version });
    }
    [row] = await tx.insert(managementPlans).values({
      orgId: org.id, siteId: site.id, year, version: (latest?.version ?? 0) + 1, state: 'draft', edits,
      changeReason: latest ? changeReason : null, regionCode: site.regionCode,
    }).returning();
  }
  await cmd.audit({ chain: org.regionCode, entityType: 'management_plan', entityId: row.id, action: 'save', after: auditRecord(row) });
  return readPlan(tx, caller, orgId, siteId, year);
}

/** Locks the latest draft (version 1 with no edits when none was saved) with its figures as drafted now. */
export async function submitPlan(cmd: Command, orgId: string, siteId: string, year: number, input: { submittedAt?: string }, windowDays: number) {
  const { tx, actor: { caller } } = cmd;
  const { org, site } = await filingSite(tx, caller, orgId, siteId, `plan:${year}`);
  const latest = (await versions(tx, site.id, year))[0];
  if (latest?.state === 'submitted') {
    throw new AppError('ILLEGAL_TRANSITION', `The ${year} plan is submitted (version ${latest.version}) and locked; save a change with its changeReason first`);
  }
  const edits = (latest?.edits ?? {}) as PlanEdits;
  const figures = await draftPlan(tx, org, site, year, edits);
  const now = new Date();
  // A plan for year Y can be filed once year Y − 1 has begun; a new version after the version before it.
  const previous = latest ? (await versions(tx, site.id, year)).find((v) => v.state === 'submitted')?.submittedAt : undefined;
  const earliest = previous ?? shanghaiDayStart(`${year - 1}-01-01`);
  const submittedAt = resolveSubmittedAt(input.submittedAt, earliest, windowDays, now);
  const submitted = { state: 'submitted', figures, submittedAt, submissionRecordedAt: now, updatedAt: now };
  const [row] = latest
    ? await tx.update(managementPlans).set(submitted).where(eq(managementPlans.id, latest.id)).returning()
    : await tx.insert(managementPlans).values({ orgId: org.id, siteId: site.id, year, version: 1, edits, regionCode: site.regionCode, ...submitted }).returning();
  await cmd.audit({ chain: org.regionCode, entityType: 'management_plan', entityId: row.id, action: 'submit', after: auditRecord(row) });
  return readPlan(tx, caller, orgId, siteId, year);
}

/** The audited record: the row as stored (the figures of a submission included). */
function auditRecord(r: PlanRow) {
  return {
    id: r.id, orgId: r.orgId, siteId: r.siteId, year: r.year, version: r.version, state: r.state, edits: r.edits, figures: r.figures,
    changeReason: r.changeReason, regionCode: r.regionCode, submittedAt: r.submittedAt?.toISOString() ?? null,
    submissionRecordedAt: r.submissionRecordedAt?.toISOString() ?? null,
  };
}

/** Submitted plans (every version) of a year whose site lies in the prefix, for regulators. */
export async function listSubmittedPlans(db: DbOrTx, prefix: string, year: number) {
  const rows = await db.select().from(managementPlans)
    .where(and(eq(managementPlans.year, year), eq(managementPlans.state, 'submitted'), inRegion(managementPlans.regionCode, prefix)))
    .orderBy(asc(managementPlans.regionCode), asc(managementPlans.siteId), asc(managementPlans.version));
  return rows.map((r) => {
    const f = r.figures as PlanFigures;
    return {
      id: r.id, orgId: r.orgId, siteId: r.siteId, year: r.year, version: r.version, regionCode: r.regionCode,
      managementClass: f.managementClass, changeReason: r.changeReason, submittedAt: r.submittedAt!.toISOString(),
      submittedLate: r.submittedAt! >= lateAfter(year),
    };
  });
}
