// The bare stack the HTTP benchmark compares the service with: fastify + pg, no auth, no
// validation, no ORM, the same shape of work per custody step in one transaction of six round
// trips (BEGIN, lock the label, write label + step + ledger, lock the region's audit head, append
// the audit entry and move the head, COMMIT). Started by http-steps.ts as a child process:
//   BARE_DATABASE_URL  the database (its own tables, created here)   BARE_PORT  the port
import Fastify from 'fastify';
import pg from 'pg';

const pool = new pg.Pool({ connectionString: process.env.BARE_DATABASE_URL, max: 10 });
pool.on('error', () => {});

async function setUp(labels: number, regions: number): Promise<void> {
  await pool.query(`
    DROP TABLE IF EXISTS bare_labels, bare_steps, bare_ledger, bare_heads, bare_audit;
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

await app.listen({ port: Number(process.env.BARE_PORT), host: '127.0.0.1' });
process.on('SIGTERM', () => { void app.close().then(() => pool.end()).then(() => process.exit(0)); });
