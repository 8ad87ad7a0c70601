// Whether a client is still enabled. Checked on every request, cached for a few seconds;
// a disable on this replica takes effect at once, on others within the TTL (see README).
import type { Db } from '../db/database.js';
import { run, statement } from '../db/statements.js';

const CLIENT_DISABLED_AT = statement('client_disabled_at', 'SELECT disabled_at FROM clients WHERE id = $1');

export class ClientStatus {
  private readonly cache = new Map<string, { enabled: boolean; until: number }>();
  constructor(private readonly db: Db, private readonly ttlMs = 5_000) {}

  async isEnabled(clientId: string): Promise<boolean> {
    const hit = this.cache.get(clientId);
    if (hit && hit.until > Date.now()) return hit.enabled;
    const [row] = await run<{ disabled_at: Date | null }>(this.db, CLIENT_DISABLED_AT, [clientId]);
    const enabled = Boolean(row) && row.disabled_at === null;
    if (this.cache.size > 50_000) this.cache.clear();
    this.cache.set(clientId, { enabled, until: Date.now() + this.ttlMs });
    return enabled;
  }

  forget(clientId: string): void {
    this.cache.delete(clientId);
  }
}
