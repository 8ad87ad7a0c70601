// A real webhook receiver for tests: a node:http server on 127.0.0.1 that verifies every delivery
// with the standardwebhooks library, as a subscriber would, and answers as the test tells it to.
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { Webhook } from 'standardwebhooks';

export interface Received {
  id: string;
  headers: Record<string, string>;
  body: string;
  event: { id: string; type: string; aggregate: { type: string; id: string }; sequence: number; regionCode: string };
  /** For each secret the receiver knows, in order: does the delivery verify with it? */
  verifiedWith: boolean[];
  /** The status answered. */
  answered: number;
}

export class WebhookReceiver {
  readonly received: Received[] = [];
  /** The status to answer (2xx: accepted). */
  status = 204;
  /** While true, requests are recorded (answered: 0) and never answered. */
  hang = false;
  secrets: string[] = [];
  private server?: http.Server;
  port = 0;

  async start(port = 0): Promise<this> {
    this.server = http.createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => {
        const body = Buffer.concat(chunks).toString('utf8');
        const headers = Object.fromEntries(Object.entries(req.headers).map(([k, v]) => [k, String(v)]));
        const verifiedWith = this.secrets.map((s) => {
          try {
            new Webhook(s).verify(body, headers);
            return true;
          } catch {
            return false;
          }
        });
        this.received.push({ id: headers['webhook-id'], headers, body, event: JSON.parse(body), verifiedWith, answered: this.hang ? 0 : this.status });
        if (!this.hang) res.writeHead(this.status).end();
      });
    });
    await new Promise<void>((resolve) => this.server!.listen(port, '127.0.0.1', () => resolve()));
    this.port = (this.server.address() as AddressInfo).port;
    return this;
  }

  get url(): string {
    return `http://127.0.0.1:${this.port}/hook`;
  }

  /** Stops listening (connections refused) until start(sameport) again. */
  async stop(): Promise<void> {
    const s = this.server;
    this.server = undefined;
    if (!s) return;
    s.closeAllConnections();
    await new Promise<void>((resolve) => s.close(() => resolve()));
  }

  /** The deliveries answered with a 2xx. */
  accepted(): Received[] {
    return this.received.filter((r) => r.answered >= 200 && r.answered < 300);
  }
}

/** Polls `check` until it returns true or the time is up. */
export async function eventually(check: () => boolean | Promise<boolean>, timeoutMs = 20_000, what = 'condition'): Promise<void> {
  const until = Date.now() + timeoutMs;
  while (Date.now() < until) {
    if (await check()) return;
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error(`timed out waiting for ${what}`);
}
