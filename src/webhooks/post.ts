// One delivery attempt over HTTP: a POST with a deadline, to an address the URL rules allow at
// connection time. Redirects are not followed (a 3xx is a failure): following one could lead to
// an address the rules refuse.
import http from 'node:http';
import https from 'node:https';
import net from 'node:net';
import { addressAllowed, guardedLookup, hostOf, type UrlPolicy } from './url-rules.js';

export interface AttemptResult {
  /** The response status, when one arrived. */
  status?: number;
  error?: string;
  latencyMs: number;
}

/** At most this much of a receiver's answer is read (and thrown away). */
const MAX_RESPONSE_BYTES = 64 * 1024;

export function postWebhook(url: string, headers: Record<string, string>, body: string, o: { timeoutMs: number; policy: UrlPolicy }): Promise<AttemptResult> {
  const started = performance.now();
  const latency = () => Math.round(performance.now() - started);
  return new Promise((resolve) => {
    const u = new URL(url);
    const host = hostOf(u);
    // Literal addresses are not looked up: checked here instead.
    if (net.isIP(host) && !addressAllowed(o.policy, host, host)) {
      resolve({ error: `${host} is an internal address not allowed by WEBHOOK_ALLOW_PRIVATE`, latencyMs: 0 });
      return;
    }
    const client = u.protocol === 'https:' ? https : http;
    const req = client.request(u, {
      method: 'POST',
      headers: { ...headers, 'content-length': String(Buffer.byteLength(body)), 'user-agent': 'hw-supervision-webhooks/1' },
      lookup: guardedLookup(o.policy),
      agent: false, // a fresh connection per attempt: each one's address is checked
    });
    const timer = setTimeout(() => req.destroy(new Error(`no response within ${o.timeoutMs} ms`)), o.timeoutMs);
    req.on('response', (res) => {
      const status = res.statusCode;
      let read = 0;
      res.on('data', (chunk: Buffer) => {
        read += chunk.length;
        if (read > MAX_RESPONSE_BYTES) res.destroy();
      });
      const done = () => { clearTimeout(timer); resolve({ status, latencyMs: latency() }); };
      res.on('end', done);
      res.on('close', done);
      res.on('error', done);
    });
    req.on('error', (err) => {
      clearTimeout(timer);
      resolve({ error: err.message || (err as NodeJS.ErrnoException).code || 'connection failed', latencyMs: latency() });
    });
    req.end(body);
  });
}
