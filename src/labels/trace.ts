// The whole path of a container: its own steps, then (once consolidated) its parent's later steps,
// up the chain; a parent lists the containers consolidated into it. Each manifest that carried it
// comes with its own steps, so a refused container's return trip (a return manifest linked to the
// original, docs/regulations.md#return-trips) reads as the trip it was.
//
// One round trip (bench:reads, ten years of a city: the trace was its round trips, nine in a row
// before): a named statement reads the steps, the children, the parents up the chain with all their
// steps, and every manifest the trace may list with its steps and what its route is built from. The
// rules stay here: which of a parent's steps belong to the trace (those after the child went in),
// and so which manifests it lists, are worked out from those rows as before.
import type { DbOrTx } from '../db/database.js';
import { run, statement } from '../db/statements.js';
import type { LabelRow } from './label-view.js';

/** A timestamp as Date.toISOString() writes it (milliseconds truncated, as pg's Date parsing does). */
const iso = (col: string) => `to_char(${col} AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"')`;

const STEP = (s: string) => `json_build_object('seq', ${s}.seq, 'labelId', ${s}.label_id, 'occurredAt', ${iso(`${s}.occurred_at`)},
  'recordedAt', ${iso(`${s}.recorded_at`)}, 'action', ${s}.action, 'fromState', ${s}.from_state, 'toState', ${s}.to_state,
  'orgId', ${s}.org_id, 'clientId', ${s}.client_id, 'manifestId', ${s}.manifest_id, 'facilityId', ${s}.facility_id,
  'method', ${s}.method, 'lat', ${s}.lat, 'lng', ${s}.lng, 'details', ${s}.details)`;
const list = (expr: string, order: string, from: string) => `(SELECT coalesce(json_agg(${expr} ORDER BY ${order}), '[]') FROM ${from})`;

// $1 the label, $2 its parent (null when none), $3 the route's time margin in ms, $4 now.
// The manifests read are a superset of those the trace lists (every manifest of the label's and its
// parents' steps); fixes are read over a window covering every leg of them and cut in routesFromParts.
const LABEL_TRACE = statement('label_trace', `
  WITH RECURSIVE up AS (
    SELECT 1 AS depth, l.id, l.parent_id, l.digital_code, l.state FROM labels l WHERE l.id = $2::uuid
    UNION ALL
    SELECT up.depth + 1, p.id, p.parent_id, p.digital_code, p.state FROM up JOIN labels p ON p.id = up.parent_id WHERE up.depth < 20
  ),
  own AS (SELECT * FROM label_steps WHERE label_id = $1::uuid),
  above AS (SELECT * FROM label_steps WHERE label_id IN (SELECT id FROM up)),
  on_label AS (SELECT manifest_id FROM manifest_labels WHERE label_id = $1::uuid),
  candidates AS (
    SELECT m.id, m.number, m.state, m.kind, m.original_manifest_id, m.created_at, m.generator_id, m.receiver_id,
           m.planned_at, m.picked_up_at, m.delivered_at, m.id IN (SELECT manifest_id FROM on_label) AS on_label
    FROM manifests m
    WHERE m.id = ANY (ARRAY(SELECT manifest_id FROM on_label
                            UNION SELECT manifest_id FROM own WHERE manifest_id IS NOT NULL
                            UNION SELECT manifest_id FROM above WHERE manifest_id IS NOT NULL))
  ),
  carriers AS (
    SELECT c.manifest_id, c.position, c.org_id, c.took_over_at FROM manifest_carriers c WHERE c.manifest_id = ANY (ARRAY(SELECT id FROM candidates))
  ),
  span AS (
    SELECT min(c.took_over_at) - $3::int * interval '1 millisecond' AS from_at,
           max(greatest(c.took_over_at, m.delivered_at, CASE WHEN m.delivered_at IS NULL THEN $4::timestamptz END))
             + $3::int * interval '1 millisecond' AS to_at
    FROM carriers c JOIN candidates m ON m.id = c.manifest_id WHERE c.took_over_at IS NOT NULL
  )
  SELECT
    ${list(STEP('s'), 's.seq', 'own s')} AS own,
    ${list(`json_build_object('id', c.id, 'digitalCode', c.digital_code, 'state', c.state)`, 'c.digital_code', 'labels c WHERE c.parent_id = $1::uuid')} AS children,
    ${list(`json_build_object('id', up.id, 'digitalCode', up.digital_code, 'state', up.state, 'parentId', up.parent_id)`, 'up.depth', 'up')} AS parents,
    ${list(STEP('s'), 's.label_id, s.seq', 'above s')} AS above,
    ${list(`json_build_object('id', m.id, 'number', m.number, 'state', m.state, 'kind', m.kind, 'originalManifestId', m.original_manifest_id,
      'onLabel', m.on_label, 'generatorId', m.generator_id, 'receiverId', m.receiver_id,
      'plannedAt', ${iso('m.planned_at')}, 'pickedUpAt', ${iso('m.picked_up_at')}, 'deliveredAt', ${iso('m.delivered_at')},
      'steps', ${list(`json_build_object('action', x.action, 'fromState', x.from_state, 'toState', x.to_state, 'orgId', x.org_id, 'occurredAt', ${iso('x.occurred_at')})`,
        'x.id', 'manifest_steps x WHERE x.manifest_id = m.id')},
      'carriers', ${list(`json_build_object('position', c.position, 'orgId', c.org_id, 'tookOverAt', ${iso('c.took_over_at')})`, 'c.position', 'carriers c WHERE c.manifest_id = m.id')},
      'places', ${list(`json_build_object('action', p.action, 'lat', p.lat, 'lng', p.lng, 'at', ${iso('p.occurred_at')})`, 'p.id',
        'label_steps p WHERE p.manifest_id = m.id AND p.lat IS NOT NULL AND p.lng IS NOT NULL')},
      'fixes', ${list(`json_build_object('position', f.position, 'at', ${iso('f.at')}, 'latE6', f.lat_e6, 'lngE6', f.lng_e6)`, 'f.position, f.at',
        'track_fixes f WHERE f.manifest_id = m.id AND f.at >= (SELECT from_at FROM span) AND f.at <= (SELECT to_at FROM span) AND NOT f.implausible')})`,
    'm.created_at, m.id', 'candidates m')} AS manifests,
    ${list(`json_build_object('id', r.id, 'generatorId', r.generator_id, 'receiverId', r.receiver_id, 'name', r.name, 'path', r.path,
      'validFrom', r.valid_from, 'validTo', r.valid_to)`, 'r.created_at DESC', 'approved_routes r WHERE r.generator_id = ANY (ARRAY(SELECT generator_id FROM candidates))')} AS approved`);

interface StepJson {
  seq: number; labelId: string; occurredAt: string; recordedAt: string; action: string; fromState: string | null; toState: string;
  orgId: string; clientId: string; manifestId: string | null; facilityId: string | null; method: string | null;
  lat: number | null; lng: number | null; details: Record<string, unknown>;
}
type LabelRef = { id: string; digitalCode: string; state: string };
interface ManifestJson {
  id: string; number: string | null; state: string; kind: string; originalManifestId: string | null; onLabel: boolean;
  generatorId: string; receiverId: string; plannedAt: string; pickedUpAt: string | null; deliveredAt: string | null;
  steps: Array<{ action: string; fromState: string | null; toState: string; orgId: string; occurredAt: string }>;
  carriers: Array<{ position: number; orgId: string; tookOverAt: string | null }>;
  places: Array<{ action: string; lat: number; lng: number; at: string }>;
  fixes: Array<{ position: number; at: string; latE6: number; lngE6: number }>;
}
interface ApprovedJson { id: string; generatorId: string; receiverId: string; name: string; path: Array<[number, number]>; validFrom: string; validTo: string | null }
interface TraceRow { own: StepJson[]; children: LabelRef[]; parents: Array<LabelRef & { parentId: string | null }>; above: StepJson[]; manifests: ManifestJson[]; approved: ApprovedJson[] }

const stepView = (s: StepJson, digitalCode: string, viaParent: boolean) => ({
  seq: s.seq,
  labelId: s.labelId,
  digitalCode,
  viaParent,
  occurredAt: s.occurredAt,
  recordedAt: s.recordedAt,
  action: s.action,
  fromState: s.fromState,
  toState: s.toState,
  orgId: s.orgId,
  clientId: s.clientId,
  manifestId: s.manifestId,
  facilityId: s.facilityId,
  method: s.method,
  location: s.lat !== null && s.lng !== null ? { lat: s.lat, lng: s.lng } : null,
  details: s.details,
});

const date = (s: string | null) => (s === null ? null : new Date(s));

export async function labelTrace(db: DbOrTx, label: LabelRow, trackMarginMinutes: number, now = new Date()) {
  const [row] = await run<TraceRow>(db, LABEL_TRACE, [label.id, label.parentId, trackMarginMinutes * 60_000, now]);
  const steps = row.own.map((s) => stepView(s, label.digitalCode, false));

  // Follow the consolidation chain upwards: each parent's steps after the child went in.
  let since = row.own.length ? Date.parse(row.own[row.own.length - 1].occurredAt) : label.generatedAt.getTime();
  const parents: LabelRef[] = [];
  for (const parent of row.parents) {
    parents.push({ id: parent.id, digitalCode: parent.digitalCode, state: parent.state });
    const later = row.above.filter((s) => s.labelId === parent.id && Date.parse(s.occurredAt) >= since && s.action !== 'issue');
    steps.push(...later.map((s) => stepView(s, parent.digitalCode, true)));
    if (later.length) since = Date.parse(later[later.length - 1].occurredAt);
  }

  // The manifests it is on, then those that carried a parent with this container inside.
  const carriedIn = new Set(steps.map((s) => s.manifestId));
  const listed = [...row.manifests.filter((m) => m.onLabel), ...row.manifests.filter((m) => !m.onLabel && carriedIn.has(m.id))];
  const manifests = listed.map((m) => ({
    id: m.id, number: m.number, state: m.state, kind: m.kind, originalManifestId: m.originalManifestId, steps: m.steps,
  }));
  const routeParts = listed.map((m) => ({
    id: m.id, generatorId: m.generatorId, receiverId: m.receiverId,
    plannedAt: new Date(m.plannedAt), pickedUpAt: date(m.pickedUpAt), deliveredAt: date(m.deliveredAt),
    carriers: m.carriers.map((c) => ({ position: c.position, orgId: c.orgId, tookOverAt: date(c.tookOverAt) })),
    places: m.places.map((p) => ({ action: p.action, lat: p.lat, lng: p.lng, at: new Date(p.at) })),
    fixes: m.fixes.map((f) => ({ position: f.position, at: new Date(f.at), latE6: f.latE6, lngE6: f.lngE6 })),
  }));
  return {
    steps: steps.map((s, i) => ({ ...s, order: i + 1 })), parent: parents[0] ?? null, ancestors: parents, children: row.children,
    manifests, routeParts, approvedRoutes: row.approved,
  };
}
