// One JSON request to a service under benchmark: waits out 503 (load shedding, start-up) and
// throws on any other non-2xx, so a benchmark never measures error responses.
export async function json(base: string, method: string, p: string, token?: string, body?: unknown) {
  for (let attempt = 0; ; attempt++) {
    const res = await fetch(`${base}${p}`, {
      method, headers: { 'content-type': 'application/json', ...(token ? { authorization: `Bearer ${token}` } : {}) },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    if (res.status === 503 && attempt < 30) { await new Promise((r) => setTimeout(r, 500)); continue; }
    if (res.status >= 300) throw new Error(`${method} ${p}: ${res.status} ${await res.text()}`);
    return res.json() as Promise<any>;
  }
}
