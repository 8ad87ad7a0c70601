// The bare stack the HTTP benchmark compares the service with: fastify + pg, no auth, no
// validation, no ORM, the same shape of work per custody step in one transaction of six round
// trips (BEGIN, lock the label, write label + step + ledger, lock the region's audit head, append
// the audit entry and move the head, COMMIT), and the same shape of the other scenarios: a label
// read (scan), a label with its steps (trace), a page of 50 (search), every ledger row as CSV
// (export), n labels with their steps and audit entries in one transaction (issuance).
// Started by http.ts as a child process:
//   BARE_DATABASE_URL  the database (its own tables, created here)   BARE_PORT  the port
import Fastify from 'fastify';
import pg from 'pg';

const pool = new pg.Pool({ connectionString: process.env.BARE_DATABASE_URL, max: 10 });
pool.on('error', () => {});

async function setUp(labels: number, regions: number): Promise<void> {
  await pool.query(`
    DROP TABLE IF EXISTS bare_labels, bare_steps, bare_ledger, bare_heads, bare_audit;
    DROP SEQUENCE IF EXISTS bare_label_ids;
    CREATE SEQUENCE bare_label_ids START 100000000;
    CREATE TABLE bare_labels (id int PRIMARY KEY, region int NOT NULL, state text NOT NULL, version int NOT NULL);
    CREATE TABLE bare_steps (id bigserial PRIMARY KEY, label_id int NOT NULL, seq int NOT NULL, action text NOT NULL, at timestamptz NOT NULL);
    CREATE TABLE bare_ledger (id bigserial PRIMARY KEY, label_id int NOT NULL, step_id bigint NOT NULL, kind text NOT NULL);
    CREATE TABLE bare_heads (region int PRIMARY KEY, seq bigint NOT NULL, hash text NOT NULL);
    CREATE TABLE bare_audit (id bigserial PRIMARY KEY, region int NOT NULL, seq bigint NOT NULL, prev text NOT NULL, hash text NOT NULL, body jsonb NOT NULL);
    INSERT INTO bare_labels SELECT g, g % ${regions}, 'issued', 1 FROM generate_series(0, ${labels - 1}) g;
    INSERT INTO bare_heads SELECT g, 0, repeat('0', 64) FROM generate_series(0, ${regions - 1}) g;`);
}

const app = Fastify({ logger: false });
app.post('/setup', async (req) => {
  const { labels, regions } = req.body as { labels: number; regions: number };
  await setUp(labels, regions);
  return { ok: true };
});
app.post('/steps/:id', async (req, reply) => {
  const id = Number((req.params as { id: string }).id);
  const client = await pool.connect();
  try {
    await client.query('BEGIN');
    const { rows: [l] } = await client.query('SELECT id, region, state, version FROM bare_labels WHERE id = $1 FOR UPDATE', [id]);
    if (!l || l.state !== 'issued') { await client.query('ROLLBACK'); return reply.code(409).send({ error: 'state' }); }
    await client.query(`WITH u AS (UPDATE bare_labels SET state = 'stored', version = version + 1 WHERE id = $1 RETURNING version),
      s AS (INSERT INTO bare_steps (label_id, seq, action, at) SELECT $1, version, 'store', now() FROM u RETURNING id)
      INSERT INTO bare_ledger (label_id, step_id, kind) SELECT $1, id, 'HWRK' FROM s`, [id]);
    const { rows: [h] } = await client.query('SELECT seq, hash FROM bare_heads WHERE region = $1 FOR UPDATE', [l.region]);
    await client.query(`WITH a AS (INSERT INTO bare_audit (region, seq, prev, hash, body) VALUES ($1, $2, $3, md5($3 || $4), $4::jsonb) RETURNING seq, hash)
      UPDATE bare_heads SET seq = a.seq, hash = a.hash FROM a WHERE region = $1`, [l.region, Number(h.seq) + 1, h.hash, JSON.stringify({ id, action: 'store' })]);
    await client.query('COMMIT');
    return { id, state: 'stored', version: l.version + 1 };
  } catch (e) {
    await client.query('ROLLBACK').catch(() => {});
    throw e;
  } finally {
    client.release();
  }
});

app.get('/labels/:id', async (req) => {
  const { rows: [l] } = await pool.query('SELECT id, region, state, version FROM bare_labels WHERE id = $1', [Number((req.params as { id: string }).id)]);
  return l;
});
app.get('/trace/:id', async (req) => {
  const id = Number((req.params as { id: string }).id);
  const { rows: [label] } = await pool.query('SELECT id, region, state, version FROM bare_labels WHERE id = $1', [id]);
  const { rows: steps } = await pool.query('SELECT id, seq, action, at FROM bare_steps WHERE label_id = $1 ORDER BY seq', [id]);
  return { label, steps };
});
app.get('/search', async () => {
  const { rows } = await pool.query('SELECT id, region, state, version FROM bare_labels WHERE region = 0 ORDER BY id LIMIT 50');
  return { items: rows };
});
app.get('/export', async (req, reply) => {
  const { rows } = await pool.query('SELECT id, label_id, step_id, kind FROM bare_ledger ORDER BY id');
  return reply.type('text/csv').send(rows.map((r) => `${r.id},${r.label_id},${r.step_id},${r.kind}`).join('\n'));
});
app.post('/issue/:n', async (req) => {
  const n = Number((req.params as { n: string }).n);
  const client = await pool.connect();
  try {
    await client.query('BEGIN');
    const { rows } = await client.query(`WITH l AS (INSERT INTO bare_labels SELECT nextval('bare_label_ids'), 0, 'issued', 1 FROM generate_series(1, $1) RETURNING id)
      INSERT INTO bare_steps (label_id, seq, action, at) SELECT id, 1, 'issue', now() FROM l RETURNING label_id`, [n]);
    const { rows: [h] } = await client.query('SELECT seq, hash FROM bare_heads WHERE region = 0 FOR UPDATE');
    await client.query(`WITH a AS (INSERT INTO bare_audit (region, seq, prev, hash, body)
        SELECT 0, $1 + i, $2, md5($2 || i), jsonb_build_object('id', id, 'action', 'issue') FROM unnest($3::int[]) WITH ORDINALITY AS u(id, i)
        RETURNING seq, hash)
      UPDATE bare_heads SET seq = (SELECT max(seq) FROM a), hash = (SELECT max(hash) FROM a) WHERE region = 0`, [Number(h.seq), h.hash, rows.map((r) => r.label_id)]);
    await client.query('COMMIT');
    return { items: rows };
  } catch (e) {
    await client.query('ROLLBACK').catch(() => {});
    throw e;
  } finally {
    client.release();
  }
});

await app.listen({ port: Number(process.env.BARE_PORT), host: '127.0.0.1' });
process.on('SIGTERM', () => { void app.close().then(() => pool.end()).then(() => process.exit(0)); });
