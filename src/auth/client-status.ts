// Whether a client may still call: enabled, and (after a secret rotation) holding a token issued
// since. Checked on every request, cached for a few seconds; a change on this replica takes effect
// at once, on others within the TTL (see README).
import type { Db } from '../db/database.js';
import { run, statement } from '../db/statements.js';

const CLIENT_STATUS = statement('client_status', 'SELECT disabled_at, secret_rotated_at FROM clients WHERE id = $1');

interface Status { enabled: boolean; tokensIssuedBefore: number; until: number }

export class ClientStatus {
  private readonly cache = new Map<string, Status>();
  constructor(private readonly db: Db, private readonly ttlMs = 5_000) {}

  /** Why a token of this client, issued at `iat` (seconds), may not be used; undefined if it may. */
  async refusal(clientId: string, iat: number): Promise<string | undefined> {
    let hit = this.cache.get(clientId);
    if (!hit || hit.until <= Date.now()) {
      const [row] = await run<{ disabled_at: Date | null; secret_rotated_at: Date | null }>(this.db, CLIENT_STATUS, [clientId]);
      hit = {
        enabled: Boolean(row) && row.disabled_at === null,
        // JWT iat has whole seconds: tokens of the rotation's own second stay valid, so that a new
        // token fetched right after rotating works at once (the old secret is refused from then on).
        tokensIssuedBefore: row?.secret_rotated_at ? Math.floor(row.secret_rotated_at.getTime() / 1000) : 0,
        until: Date.now() + this.ttlMs,
      };
      if (this.cache.size > 50_000) this.cache.clear();
      this.cache.set(clientId, hit);
    }
    if (!hit.enabled) return 'This client is disabled';
    if (iat < hit.tokensIssuedBefore) return 'The client\'s secret was rotated after this token was issued; get a new token';
    return undefined;
  }

  forget(clientId: string): void {
    this.cache.delete(clientId);
  }
}
