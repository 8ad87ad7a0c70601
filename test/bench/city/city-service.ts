// The service started on the generated city for the read benchmarks: the compiled build, no
// checkpoint job (it would sign the city's chains during the measurements), logged in with the
// city's benchmark clients.
import { ensureBuilt, freePort, startServer, stop, waitReady } from '../../support/server-process.js';
import { json } from '../http-json.js';
import { BENCH_SECRET } from './bench-clients.js';

export async function startCityService(url: string) {
  ensureBuilt();
  const port = await freePort();
  const child = startServer({
    ...process.env, DATABASE_URL: url, PORT: String(port), HOST: '127.0.0.1', LOG_LEVEL: 'warn',
    MAX_EVENT_LOOP_DELAY_MS: '0', AUDIT_CHECKPOINT_INTERVAL_S: '0',
  });
  try {
    await waitReady(port, child, 180_000);
  } catch (e) {
    await stop(child);
    throw e;
  }
  const base = `http://127.0.0.1:${port}`;
  const login = async (clientId: string) =>
    (await json(base, 'POST', '/api/v1/auth/token', undefined, { clientId, clientSecret: BENCH_SECRET })).accessToken as string;
  return { child, base, login, stop: () => stop(child) };
}
