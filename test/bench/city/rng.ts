// A seeded generator (sfc32), so that the same scale builds the same city on every run.
export class Rng {
  private a = 0x9e3779b9; private b = 0x243f6a88; private c = 0xb7e15162; private d: number;
  constructor(seed: number) {
    this.d = seed >>> 0;
    for (let i = 0; i < 15; i++) this.next();
  }
  next(): number {
    const t = (((this.a + this.b) | 0) + this.d) | 0;
    this.d = (this.d + 1) | 0;
    this.a = this.b ^ (this.b >>> 9);
    this.b = (this.c + (this.c << 3)) | 0;
    this.c = (this.c << 21) | (this.c >>> 11);
    this.c = (this.c + t) | 0;
    return (t >>> 0) / 4294967296;
  }
  between(lo: number, hi: number): number { return lo + (hi - lo) * this.next(); }
  int(lo: number, hi: number): number { return Math.floor(this.between(lo, hi + 1)); }
  chance(p: number): boolean { return this.next() < p; }
  pick<T>(xs: readonly T[]): T { return xs[Math.floor(this.next() * xs.length)]; }
  /** Index drawn with the given cumulative weights (last element = total). */
  weighted(cumulative: number[]): number {
    const x = this.next() * cumulative[cumulative.length - 1];
    let lo = 0; let hi = cumulative.length - 1;
    while (lo < hi) { const mid = (lo + hi) >> 1; if (cumulative[mid] > x) hi = mid; else lo = mid + 1; }
    return lo;
  }
  /** A random v4-shaped UUID from this generator (randomUUID would not be reproducible). */
  uuid(): string {
    const h = (n: number) => Math.floor(this.next() * 16 ** n).toString(16).padStart(n, '0');
    return `${h(8)}-${h(4)}-4${h(3)}-${(8 + Math.floor(this.next() * 4)).toString(16)}${h(3)}-${h(8)}${h(4)}`;
  }
}

export const cumulative = (weights: number[]) => weights.reduce<number[]>((acc, w) => [...acc, (acc.at(-1) ?? 0) + w], []);
