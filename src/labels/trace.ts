// The whole path of a container: its own steps, then (once consolidated) its parent's later steps,
// up the chain; a parent lists the containers consolidated into it. Each manifest that carried it
// comes with its own steps, so a refused container's return trip (a return manifest linked to the
// original, docs/regulations.md#return-trips) reads as the trip it was.
import { asc, eq, inArray } from 'drizzle-orm';
import type { DbOrTx } from '../db/database.js';
import { labels, labelSteps, manifestLabels, manifests, manifestSteps } from '../db/schema.js';
import type { LabelRow } from './label-view.js';

type StepRow = typeof labelSteps.$inferSelect;

const stepView = (s: StepRow, label: LabelRow, viaParent: boolean) => ({
  seq: s.seq,
  labelId: s.labelId,
  digitalCode: label.digitalCode,
  viaParent,
  occurredAt: s.occurredAt.toISOString(),
  recordedAt: s.recordedAt.toISOString(),
  action: s.action,
  fromState: s.fromState,
  toState: s.toState,
  orgId: s.orgId,
  clientId: s.clientId,
  manifestId: s.manifestId,
  facilityId: s.facilityId,
  method: s.method,
  location: s.lat !== null && s.lng !== null ? { lat: s.lat, lng: s.lng } : null,
  details: s.details as Record<string, unknown>,
});

export async function labelTrace(db: DbOrTx, label: LabelRow) {
  // The label's own steps, the containers consolidated into it and the manifests it is on do not
  // depend on each other: read together (bench:reads, ten years: the trace was its round trips).
  const [own, children, onManifests] = await Promise.all([
    db.select().from(labelSteps).where(eq(labelSteps.labelId, label.id)).orderBy(asc(labelSteps.seq)),
    db.select({ id: labels.id, digitalCode: labels.digitalCode, state: labels.state })
      .from(labels).where(eq(labels.parentId, label.id)).orderBy(asc(labels.digitalCode)),
    db.select(MANIFEST_REF)
      .from(manifestLabels).innerJoin(manifests, eq(manifests.id, manifestLabels.manifestId))
      .where(eq(manifestLabels.labelId, label.id)),
  ]);
  const steps = own.map((s) => stepView(s, label, false));

  // Follow the consolidation chain upwards: each parent's steps after the child went in.
  let child = label;
  let since = own.length ? own[own.length - 1].occurredAt : label.generatedAt;
  const parents: Array<{ id: string; digitalCode: string; state: string }> = [];
  for (let depth = 0; child.parentId && depth < 20; depth++) {
    const [parent] = await db.select().from(labels).where(eq(labels.id, child.parentId));
    if (!parent) break;
    parents.push({ id: parent.id, digitalCode: parent.digitalCode, state: parent.state });
    const later = (await db.select().from(labelSteps).where(eq(labelSteps.labelId, parent.id)).orderBy(asc(labelSteps.seq)))
      .filter((s) => s.occurredAt >= since && s.action !== 'issue');
    steps.push(...later.map((s) => stepView(s, parent, true)));
    if (later.length) since = later[later.length - 1].occurredAt;
    child = parent;
  }

  // Manifests that carried a parent with this container inside, which this label is not on itself.
  const known = new Set(onManifests.map((m) => m.id));
  const missing = [...new Set(steps.map((s) => s.manifestId).filter((m): m is string => Boolean(m) && !known.has(m!)))];
  const extra = missing.length
    ? await db.select(MANIFEST_REF).from(manifests).where(inArray(manifests.id, missing))
    : [];
  const byId = new Map([...onManifests, ...extra].map((m) => [m.id, m]));
  const carried = await withManifestSteps(db, [...byId.values()]);
  return { steps: steps.map((s, i) => ({ ...s, order: i + 1 })), parent: parents[0] ?? null, ancestors: parents, children, manifests: carried };
}

const MANIFEST_REF = {
  id: manifests.id, number: manifests.number, state: manifests.state, kind: manifests.kind, originalManifestId: manifests.originalManifestId,
};
type ManifestRef = { id: string; number: string | null; state: string; kind: string; originalManifestId: string | null };

/** Each manifest's own steps (submit, pickup, …, receive), in order, in one query. */
async function withManifestSteps(db: DbOrTx, refs: ManifestRef[]) {
  if (refs.length === 0) return [];
  const rows = await db.select().from(manifestSteps).where(inArray(manifestSteps.manifestId, refs.map((r) => r.id))).orderBy(asc(manifestSteps.id));
  return refs.map((r) => ({
    ...r,
    steps: rows.filter((s) => s.manifestId === r.id).map((s) => ({
      action: s.action, fromState: s.fromState, toState: s.toState, orgId: s.orgId, occurredAt: s.occurredAt.toISOString(),
    })),
  }));
}
