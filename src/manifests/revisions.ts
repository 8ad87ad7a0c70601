// Revision requests of a received, rejected or completed manifest (docs/regulations.md#manifest-corrections):
// a party proposes corrections with a reason, the manifest's other parties approve or refuse, the
// regulator of the generator's region may refuse; the last approval applies it (revision-apply.ts).
// A refused or withdrawn request changes nothing but its own record. Every step is audited.
import { and, asc, desc, eq, inArray } from 'drizzle-orm';
import type { DbOrTx } from '../db/database.js';
import { labels, manifestRevisionDecisions, manifestRevisions, manifests } from '../db/schema.js';
import type { Command } from '../commands/unit-of-work.js';
import { requireClientRole, supervises, WRITE_ROLES, type Caller } from '../auth/roles.js';
import { notFound, ruleViolation } from '../core/errors.js';
import { loadManifestPartsOf, loadVisibleManifest, type LoadedManifest } from './manifest-view.js';
import { inRegions } from '../supervision/jurisdiction.js';
import { readRevisionChanges, type RevisionBefore, type RevisionChanges } from './revision-changes.js';
import { applyRevision } from './revision-apply.js';
import { containersOnReturnManifests } from './revision-outcome.js';
import { manifestLifecycle } from './manifest-lifecycle.js';

type RevisionRow = typeof manifestRevisions.$inferSelect;
type DecisionRow = typeof manifestRevisionDecisions.$inferSelect;

/** States a manifest can be corrected in, from the lifecycle table: its receipt is recorded. */
export const REVISABLE_STATES: readonly string[] = manifestLifecycle.statesAllowing('revise');

/** The manifest's parties: generator, receiver, carriers (each organisation once). */
export function partiesOf({ m, carriers }: LoadedManifest): string[] {
  return [...new Set([m.generatorId, m.receiverId, ...carriers.map((c) => c.orgId)])];
}

/** Who must approve: every party but the proposer (docs/regulations.md#manifest-corrections). */
export const approversOf = (loaded: LoadedManifest, proposerOrgId: string) => partiesOf(loaded).filter((o) => o !== proposerOrgId);

export function revisionView(r: RevisionRow, decisions: DecisionRow[], loaded: LoadedManifest) {
  const approvers = approversOf(loaded, r.proposedByOrgId);
  const decided = new Set(decisions.map((d) => d.orgId));
  return {
    id: r.id,
    manifestId: r.manifestId,
    state: r.state,
    reason: r.reason,
    proposedBy: { orgId: r.proposedByOrgId, clientId: r.proposedByClientId },
    changes: r.changes as RevisionChanges,
    before: r.before as RevisionBefore,
    manifestVersion: r.manifestVersion,
    appliedVersion: r.appliedVersion,
    approvers,
    awaiting: r.state === 'open' ? approvers.filter((o) => !decided.has(o)) : [],
    decisions: decisions.map((d) => ({
      orgId: d.orgId, clientId: d.clientId, decision: d.decision, asRegulator: d.asRegulator, comment: d.comment, decidedAt: d.decidedAt.toISOString(),
    })),
    createdAt: r.createdAt.toISOString(),
    closedAt: r.closedAt ? r.closedAt.toISOString() : null,
  };
}

async function decisionsOf(db: DbOrTx, ids: string[]) {
  if (ids.length === 0) return [];
  return db.select().from(manifestRevisionDecisions).where(inArray(manifestRevisionDecisions.revisionId, ids))
    .orderBy(asc(manifestRevisionDecisions.decidedAt));
}

export interface ProposeInput { reason: string; changes: unknown }

export async function proposeRevision(cmd: Command, manifestId: string, input: ProposeInput) {
  const { tx, actor: { caller } } = cmd;
  const loaded = await loadVisibleManifest(tx, caller, manifestId, true);
  const { m } = loaded;
  cmd.onRefusal({ chain: m.regionCode, entityType: 'manifest', entityId: m.id, action: 'propose_revision' });
  if (!partiesOf(loaded).includes(caller.orgId)) throw ruleViolation('revision_party', 'Only the generator, the receiver or a carrier of the manifest proposes a revision');
  requireClientRole(caller, ...WRITE_ROLES);
  if (!REVISABLE_STATES.includes(m.state)) {
    throw ruleViolation('revision_state', `A ${m.state} manifest cannot be corrected; only one with its receipt recorded (${REVISABLE_STATES.join(', ')})`, { state: m.state });
  }
  const [open] = await tx.select({ id: manifestRevisions.id }).from(manifestRevisions)
    .where(and(eq(manifestRevisions.manifestId, m.id), eq(manifestRevisions.state, 'open')));
  if (open) throw ruleViolation('revision_open', 'The manifest already has an open revision request', { revisionId: open.id });
  const labelRows = loaded.items.length === 0 ? [] : await tx.select().from(labels).where(inArray(labels.id, loaded.items.map((i) => i.labelId)));
  const { changes, before } = readRevisionChanges(input.changes, loaded, new Map(labelRows.map((l) => [l.id, l])), await containersOnReturnManifests(tx, m.id));
  const [r] = await tx.insert(manifestRevisions).values({
    manifestId: m.id, proposedByOrgId: caller.orgId, proposedByClientId: caller.clientId, reason: input.reason.trim(),
    changes, before, state: 'open', manifestVersion: m.version,
  }).returning();
  const view = revisionView(r, [], loaded);
  await cmd.audit({ chain: m.regionCode, entityType: 'manifest_revision', entityId: r.id, action: 'propose', after: view });
  return view;
}

async function loadRevision(cmd: Command, manifestId: string, revisionId: string, action: string) {
  const { tx, actor: { caller } } = cmd;
  const loaded = await loadVisibleManifest(tx, caller, manifestId, true);
  const [r] = await tx.select().from(manifestRevisions)
    .where(and(eq(manifestRevisions.id, revisionId), eq(manifestRevisions.manifestId, manifestId))).for('update');
  if (!r) throw notFound('Revision request');
  cmd.onRefusal({ chain: loaded.m.regionCode, entityType: 'manifest_revision', entityId: r.id, action });
  if (r.state !== 'open') throw ruleViolation('revision_closed', `The revision request is ${r.state}`, { state: r.state });
  return { loaded, r };
}

async function close(cmd: Command, r: RevisionRow, state: 'approved' | 'refused' | 'withdrawn', appliedVersion: number | null = null) {
  const [closed] = await cmd.tx.update(manifestRevisions).set({ state, closedAt: new Date(), appliedVersion })
    .where(eq(manifestRevisions.id, r.id)).returning();
  return closed;
}

export interface DecideInput { comment?: string }

/**
 * A party's approval or refusal, or a refusal by the regulator of the generator's region. One
 * refusal refuses the request; the last approval applies it.
 */
export async function decideRevision(cmd: Command, manifestId: string, revisionId: string, decision: 'approve' | 'refuse', input: DecideInput, weightTolerancePct: number) {
  const { tx, actor: { caller } } = cmd;
  const { loaded, r } = await loadRevision(cmd, manifestId, revisionId, decision);
  const { m } = loaded;
  const approvers = approversOf(loaded, r.proposedByOrgId);
  const asParty = approvers.includes(caller.orgId);
  const asRegulator = !asParty && supervises(caller, m.regionCode);
  if (!asParty && !(asRegulator && decision === 'refuse')) {
    throw ruleViolation('revision_party', asRegulator
      ? 'The regulator may refuse a revision request, not approve it'
      : 'Only the manifest\'s parties other than the proposer, or the regulator of the generator\'s region, decide this request');
  }
  requireClientRole(caller, ...WRITE_ROLES);
  const earlier = await decisionsOf(tx, [r.id]);
  if (earlier.some((d) => d.orgId === caller.orgId)) throw ruleViolation('revision_party', 'Your organisation has already decided this request');
  const [d] = await tx.insert(manifestRevisionDecisions).values({
    revisionId: r.id, orgId: caller.orgId, clientId: caller.clientId, decision, asRegulator, comment: input.comment?.trim() ?? '',
  }).returning();
  const decisions = [...earlier, d];
  await cmd.audit({
    chain: m.regionCode, entityType: 'manifest_revision', entityId: r.id, action: decision,
    after: { orgId: d.orgId, decision, asRegulator, comment: d.comment },
  });

  let closed = r;
  let current = loaded;
  if (decision === 'refuse') {
    closed = await close(cmd, r, 'refused');
  } else if (approvers.every((o) => decisions.some((x) => x.orgId === o && x.decision === 'approve'))) {
    const updated = await applyRevision(cmd, loaded, {
      id: r.id, reason: r.reason, changes: r.changes as RevisionChanges, before: r.before as RevisionBefore, proposedByOrgId: r.proposedByOrgId,
    }, weightTolerancePct);
    closed = await close(cmd, r, 'approved', updated.version);
    current = { ...loaded, m: updated };
  }
  if (closed.state !== 'open') {
    await cmd.audit({ chain: m.regionCode, entityType: 'manifest_revision', entityId: r.id, action: closed.state, after: { state: closed.state, appliedVersion: closed.appliedVersion } });
  }
  return revisionView(closed, decisions, current);
}

/** The proposer withdraws its open request; nothing else changes. */
export async function withdrawRevision(cmd: Command, manifestId: string, revisionId: string) {
  const { actor: { caller } } = cmd;
  const { loaded, r } = await loadRevision(cmd, manifestId, revisionId, 'withdraw');
  if (caller.orgId !== r.proposedByOrgId) throw ruleViolation('revision_party', 'Only the organisation that proposed the revision withdraws it');
  requireClientRole(caller, ...WRITE_ROLES);
  const closed = await close(cmd, r, 'withdrawn');
  await cmd.audit({ chain: loaded.m.regionCode, entityType: 'manifest_revision', entityId: r.id, action: 'withdraw', after: { state: 'withdrawn' } });
  return revisionView(closed, await decisionsOf(cmd.tx, [r.id]), loaded);
}

/** Every request of a manifest, newest first: to its parties and the regulators who see the manifest. */
export async function listRevisions(db: DbOrTx, caller: Caller, manifestId: string) {
  const loaded = await loadVisibleManifest(db, caller, manifestId);
  const rows = await db.select().from(manifestRevisions).where(eq(manifestRevisions.manifestId, manifestId))
    .orderBy(asc(manifestRevisions.createdAt), asc(manifestRevisions.id));
  const decisions = await decisionsOf(db, rows.map((r) => r.id));
  return { items: rows.reverse().map((r) => revisionView(r, decisions.filter((d) => d.revisionId === r.id), loaded)) };
}

/**
 * A regulator's list of the revision requests of the manifests leaving or entering its jurisdiction
 * (`prefix`), newest first: the generator's regulator sees every request without knowing the manifest.
 */
export async function supervisedRevisions(db: DbOrTx, prefix: string, state: string | undefined, limit: number) {
  const rows = await db.select({ r: manifestRevisions, m: manifests }).from(manifestRevisions)
    .innerJoin(manifests, eq(manifests.id, manifestRevisions.manifestId))
    .where(and(inRegions(prefix, manifests.regionCode, manifests.receiverRegionCode), state ? eq(manifestRevisions.state, state) : undefined))
    .orderBy(desc(manifestRevisions.createdAt), desc(manifestRevisions.id)).limit(limit);
  const parts = await loadManifestPartsOf(db, [...new Map(rows.map(({ m }) => [m.id, m])).values()]);
  const byManifest = new Map(parts.map((p) => [p.m.id, p]));
  const decisions = await decisionsOf(db, rows.map(({ r }) => r.id));
  return {
    items: rows.map(({ r, m }) => ({
      ...revisionView(r, decisions.filter((d) => d.revisionId === r.id), byManifest.get(m.id)!),
      manifestNumber: m.number, manifestRegionCode: m.regionCode,
    })),
  };
}
