// The facts kept on each manifest (accepted_kg, waste_codes, categories; migrations/0028_manifest_facts.sql).
// In the service, triggers on manifest_labels and labels recompute them with every change. Here the
// tables are loaded by COPY on one connection each, so a trigger at the end of the containers' COPY
// would look for manifests and labels that other connections have not committed yet: the triggers
// are switched off for the load and the facts computed once afterwards, by the triggers' own function.
import type pg from 'pg';

const TRIGGERS = [
  ['manifest_labels', 'manifest_labels_facts_insert'], ['manifest_labels', 'manifest_labels_facts_update'],
  ['manifest_labels', 'manifest_labels_facts_delete'], ['labels', 'labels_facts_update'],
] as const;

export async function pauseFactTriggers(db: pg.ClientBase): Promise<void> {
  for (const [table, trigger] of TRIGGERS) await db.query(`ALTER TABLE ${table} DISABLE TRIGGER ${trigger}`);
}

/** Computes every manifest's facts (run once the load has ended), then re-enables the triggers. */
export async function writeManifestFacts(db: pg.ClientBase): Promise<number> {
  await db.query('ANALYZE manifests, manifest_labels, labels');
  await db.query('SELECT manifest_facts_refresh(ARRAY(SELECT id FROM manifests))');
  for (const [table, trigger] of TRIGGERS) await db.query(`ALTER TABLE ${table} ENABLE TRIGGER ${trigger}`);
  const { rows: [r] } = await db.query<{ n: number }>("SELECT count(*)::int AS n FROM manifests WHERE waste_codes <> '{}'");
  return r.n;
}
