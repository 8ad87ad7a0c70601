// When the next attempt of a failing delivery runs: exponential backoff with "equal jitter" (half
// the delay fixed, half random), so subscriptions that failed together do not retry together.
export function retryDelayMs(attempt: number, baseMs: number, maxMs: number, random = Math.random()): number {
  const delay = Math.min(maxMs, baseMs * 2 ** Math.min(attempt - 1, 30));
  return Math.round(delay / 2 + (delay / 2) * random);
}
