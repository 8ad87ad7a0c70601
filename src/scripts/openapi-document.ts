// The OpenAPI document as committed: generated from the route schemas of a fully built app.
import { buildApp } from '../app.js';
import { loadConfig } from '../config.js';
import { connect } from '../db/database.js';
import { generateKeyRing } from '../auth/keys.js';
import type { App } from '../context.js';

export function documentText(app: App): string {
  return `${JSON.stringify(app.swagger(), null, 2)}\n`;
}

/** Builds the app without touching a database (the pool never connects) and renders its document. */
export async function renderOpenapi(): Promise<string> {
  const database = connect('postgres://unused@127.0.0.1:1/unused', 1);
  const app = await buildApp({ config: loadConfig({ JOBS_ENABLED: 'false' }), database, keys: await generateKeyRing(), logger: false });
  try {
    return documentText(app);
  } finally {
    await app.close();
    await database.close();
  }
}
