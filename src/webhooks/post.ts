// One delivery attempt over HTTP: a POST with a deadline, to an address the URL rules allow at
// connection time. Redirects are not followed (a 3xx is a failure): following one could lead to
// an address the rules refuse. Connections are kept alive for a few seconds between deliveries
// (one connection per attempt would halve the relay's rate); each new connection's address is
// checked, and a kept-alive one is at most KEEP_ALIVE_MS old.
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

/** Idle connections are closed after this, before a receiver's own keep-alive timeout (5 s in Node) ends them under us. */
const KEEP_ALIVE_MS = 4_000;
const agents = {
  'http:': new http.Agent({ keepAlive: true, timeout: KEEP_ALIVE_MS }),
  'https:': new https.Agent({ keepAlive: true, timeout: KEEP_ALIVE_MS }),
};

/** At most this much of a receiver's answer is read (and thrown away). */
const MAX_RESPONSE_BYTES = 64 * 1024;

export async function postWebhook(url: string, headers: Record<string, string>, body: string, o: { timeoutMs: number; policy: UrlPolicy }): Promise<AttemptResult> {
  const first = await postOnce(url, headers, body, o);
  // A kept-alive connection the receiver closed just as we reused it: the request never reached
  // it, so it is sent again at once on a new connection rather than counted as a failed attempt.
  return first.staleConnection ? postOnce(url, headers, body, o) : first;
}

function postOnce(url: string, headers: Record<string, string>, body: string, o: { timeoutMs: number; policy: UrlPolicy }): Promise<AttemptResult & { staleConnection?: boolean }> {
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
    const https_ = u.protocol === 'https:';
    const req = (https_ ? https : http).request(u, {
      method: 'POST',
      headers: { ...headers, 'content-length': String(Buffer.byteLength(body)), 'user-agent': 'hw-supervision-webhooks/1' },
      lookup: guardedLookup(o.policy),
      agent: https_ ? agents['https:'] : agents['http:'],
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
      const code = (err as NodeJS.ErrnoException).code;
      resolve({ error: err.message || code || 'connection failed', latencyMs: latency(), staleConnection: req.reusedSocket && code === 'ECONNRESET' });
    });
    req.end(body);
  });
}
