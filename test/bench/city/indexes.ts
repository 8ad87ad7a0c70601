// Loading into bare tables and indexing afterwards is several times faster than maintaining every
// index row by row. The definitions are read from the freshly migrated database and put back
// verbatim, and the schema is compared before and after, so the result is exactly what the
// migrations produce.
import type pg from 'pg';

interface Saved { constraints: Array<{ table: string; name: string; def: string; type: string }>; indexes: string[] }

/** Every index and constraint of the public schema, as text: equal texts mean the same schema. */
export async function schemaFingerprint(db: pg.ClientBase): Promise<string> {
  const { rows } = await db.query<{ line: string }>(`
    SELECT 'index ' || indexdef AS line FROM pg_indexes WHERE schemaname = 'public'
    UNION ALL
    SELECT 'constraint ' || conrelid::regclass || ' ' || conname || ' ' || pg_get_constraintdef(oid) || ' valid=' || convalidated
      FROM pg_constraint WHERE connamespace = 'public'::regnamespace
    UNION ALL
    SELECT 'column ' || table_name || '.' || column_name || ' ' || data_type || ' ' || is_nullable || ' ' || coalesce(column_default, '')
        || ' ' || is_identity || ' ' || coalesce(identity_generation, '')
      FROM information_schema.columns WHERE table_schema = 'public'
    UNION ALL
    SELECT 'trigger ' || tgrelid::regclass || ' ' || tgname FROM pg_trigger WHERE NOT tgisinternal
    ORDER BY 1`);
  return rows.map((r) => r.line).join('\n');
}

/**
 * Drops every primary key, unique and foreign key constraint and every index; returns how to rebuild them.
 * On a partitioned table (track_fixes) only the parent's are dropped and rebuilt: a partition's
 * inherited key or index cannot be dropped on its own, goes with the parent's, and comes back
 * (same name) when the parent's is created again.
 */
export async function dropIndexes(db: pg.ClientBase): Promise<Saved> {
  const { rows: constraints } = await db.query<{ table: string; name: string; def: string; type: string }>(`
    SELECT conrelid::regclass::text AS table, conname AS name, pg_get_constraintdef(oid) AS def, contype AS type
    FROM pg_constraint WHERE connamespace = 'public'::regnamespace AND contype IN ('p', 'u', 'f') AND conparentid = 0`);
  const { rows: indexes } = await db.query<{ def: string; name: string }>(`
    SELECT indexdef AS def, indexname AS name FROM pg_indexes i WHERE schemaname = 'public'
      AND NOT EXISTS (SELECT 1 FROM pg_constraint c WHERE c.conindid = (quote_ident(i.schemaname) || '.' || quote_ident(i.indexname))::regclass
                      AND c.contype IN ('p', 'u'))
      AND NOT EXISTS (SELECT 1 FROM pg_inherits h WHERE h.inhrelid = (quote_ident(i.schemaname) || '.' || quote_ident(i.indexname))::regclass)`);
  for (const c of constraints.filter((c) => c.type === 'f')) await db.query(`ALTER TABLE ${c.table} DROP CONSTRAINT "${c.name}"`);
  for (const c of constraints.filter((c) => c.type !== 'f')) await db.query(`ALTER TABLE ${c.table} DROP CONSTRAINT "${c.name}"`);
  for (const i of indexes) await db.query(`DROP INDEX "${i.name}"`);
  return { constraints, indexes: indexes.map((i) => i.def) };
}

/**
 * Rebuilds in dependency order (keys, then the foreign keys that need them), the independent
 * statements on two connections at once: index builds are CPU-bound and the machine has two cores.
 */
export async function restoreIndexes(conns: pg.ClientBase[], saved: Saved, log: (s: string) => void): Promise<void> {
  const keys = saved.constraints.filter((c) => c.type !== 'f').map((c) => `ALTER TABLE ${c.table} ADD CONSTRAINT "${c.name}" ${c.def}`);
  const fks = saved.constraints.filter((c) => c.type === 'f').map((c) => `ALTER TABLE ${c.table} ADD CONSTRAINT "${c.name}" ${c.def}`);
  for (const phase of [[...keys, ...saved.indexes], fks]) {
    const queue = [...phase];
    await Promise.all(conns.map(async (db) => {
      for (let q = queue.shift(); q; q = queue.shift()) {
        const t = performance.now();
        await db.query(q);
        const s = (performance.now() - t) / 1000;
        if (s > 5) log(`  ${s.toFixed(0).padStart(4)} s  ${q.slice(0, 110)}`);
      }
    }));
  }
}
