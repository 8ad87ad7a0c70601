// Slows down secret guessing without letting a stranger lock a client out: failed attempts are
// counted per (client id, client address), so only the address that guesses is refused. Kept in
// process memory: each replica counts its own, which multiplies an attacker's budget by the number
// of replicas but needs no shared state on the login path (documented in README "Operations").

export interface ThrottleSettings { maxFailures: number; windowMs: number; maxKeys: number }

const DEFAULTS: ThrottleSettings = { maxFailures: 10, windowMs: 15 * 60_000, maxKeys: 100_000 };

interface Window { failures: number; resetAt: number }

export class LoginThrottle {
  private readonly windows = new Map<string, Window>();
  constructor(private readonly s: ThrottleSettings = DEFAULTS) {}

  private key(clientId: string, address: string): string {
    return `${address}\u0000${clientId}`;
  }

  /** Seconds to wait before this address may try this client again; undefined when it may now. */
  retryAfterS(clientId: string, address: string, now = Date.now()): number | undefined {
    const w = this.windows.get(this.key(clientId, address));
    if (!w || w.resetAt <= now || w.failures < this.s.maxFailures) return undefined;
    return Math.ceil((w.resetAt - now) / 1000);
  }

  failed(clientId: string, address: string, now = Date.now()): void {
    const key = this.key(clientId, address);
    const w = this.windows.get(key);
    if (w && w.resetAt > now) {
      w.failures++;
      return;
    }
    // Bounded memory under a spray of made-up client ids: the oldest windows go first.
    if (this.windows.size >= this.s.maxKeys) this.windows.delete(this.windows.keys().next().value as string);
    this.windows.set(key, { failures: 1, resetAt: now + this.s.windowMs });
  }

  succeeded(clientId: string, address: string): void {
    this.windows.delete(this.key(clientId, address));
  }
}
