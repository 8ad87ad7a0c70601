// The demo talks to the real app through HTTP (app.inject), so every rule and the audit trail apply.
import type { App } from '../context.js';

export class DemoRequestError extends Error {}

type Method = 'GET' | 'POST' | 'PATCH' | 'PUT';

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

export class DemoApi {
  /** Requests sent, for the summary. */
  requests = 0;
  /** Requests answered 412 (a transaction lost a race, e.g. a deadlock) or 503, and sent again. */
  retries = 0;

  constructor(private readonly app: App) {}

  async call<T = any>(token: string | undefined, method: Method, url: string, body?: unknown, expected: number[] = [200, 201]): Promise<T> {
    const send = () => this.app.inject({
      method,
      url,
      headers: token ? { authorization: `Bearer ${token}` } : {},
      ...(body === undefined ? {} : { payload: body as object }),
    });
    let res = await send();
    this.requests++;
    // The demo sends no If-Match: a 412 means the transaction was rolled back by the database
    // (deadlock, serialization failure) and is safe to send again, as the problem says; so is a 503.
    for (let attempt = 1; (res.statusCode === 412 || res.statusCode === 503) && attempt <= 8; attempt++) {
      this.retries++;
      await sleep(20 * attempt + Math.random() * 80 * attempt);
      res = await send();
      this.requests++;
    }
    if (!expected.includes(res.statusCode)) {
      throw new DemoRequestError(`${method} ${url} answered ${res.statusCode}: ${res.body.slice(0, 2000)}`);
    }
    const type = String(res.headers['content-type'] ?? '');
    return (type.includes('json') ? res.json() : res.body) as T;
  }

  get<T = any>(token: string, url: string): Promise<T> {
    return this.call<T>(token, 'GET', url);
  }

  post<T = any>(token: string | undefined, url: string, body: unknown): Promise<T> {
    return this.call<T>(token, 'POST', url, body);
  }

  /** Exchanges client credentials for an access token. */
  async login(clientId: string, clientSecret: string): Promise<string> {
    const res = await this.call<{ accessToken: string }>(undefined, 'POST', '/api/v1/auth/token', { clientId, clientSecret }, [200]);
    return res.accessToken;
  }
}

/** The claims of a token this app issued (no verification: the app just signed it). */
export function tokenClaims(token: string): { sub: string; org: string; roles: string[]; region: string } {
  return JSON.parse(Buffer.from(token.split('.')[1], 'base64url').toString('utf8'));
}

/** Runs tasks with at most `n` in flight; the first failure rejects once the others have settled. */
export async function inParallel(tasks: Array<() => Promise<unknown>>, n: number): Promise<void> {
  let next = 0;
  const errors: unknown[] = [];
  const worker = async () => {
    while (next < tasks.length && errors.length === 0) {
      const task = tasks[next++];
      try {
        await task();
      } catch (e) {
        errors.push(e);
      }
    }
  };
  await Promise.all(Array.from({ length: Math.min(n, tasks.length) }, worker));
  if (errors.length) throw errors[0];
}
