// Sequential timed requests (one at a time, so a latency is the service's, not a queue's), their
// percentiles, and the peak resident memory of a process sampled from /proc while something runs.
import { readFileSync } from 'node:fs';

export interface Timing { name: string; target: string; ms: number[]; ok: (p50: number, p95: number) => boolean }

export const percentile = (xs: number[], p: number) => {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.max(0, Math.ceil(p * s.length) - 1)];
};

/** GETs each path in turn after `warmup` unmeasured ones; throws on anything but 200. */
export async function timeGets(base: string, token: string, paths: string[], warmup = 10): Promise<number[]> {
  const ms: number[] = [];
  for (const [i, p] of paths.entries()) {
    const t = performance.now();
    const res = await fetch(`${base}${p}`, { headers: { authorization: `Bearer ${token}` } });
    await res.arrayBuffer();
    if (res.status !== 200) throw new Error(`GET ${p}: ${res.status}`);
    if (i >= warmup) ms.push(performance.now() - t);
  }
  return ms;
}

export const rssKb = (pid: number) => Number(/VmRSS:\s+(\d+)/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1] ?? 0);

/** Runs `work` while sampling the process's VmRSS every `everyMs`; returns its result and the peak. */
export async function withPeakRss<T>(pid: number, work: () => Promise<T>, everyMs = 50) {
  const before = rssKb(pid);
  let peak = before;
  const timer = setInterval(() => { peak = Math.max(peak, rssKb(pid)); }, everyMs);
  try {
    const result = await work();
    return { result, beforeKb: before, peakKb: Math.max(peak, rssKb(pid)) };
  } finally {
    clearInterval(timer);
  }
}
