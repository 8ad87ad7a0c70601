// Reading the PDFs the service prints, with Debian's poppler-utils (pdftotext, pdfinfo, pdftoppm)
// and zbar-tools (zbarimg), which .ci/run installs: the text a PDF carries, its page sizes, its
// pages rasterised at a printer's resolution, and the QR codes read off them.
import { spawnSync } from 'node:child_process';
import { readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { PNG } from 'pngjs';
import { expect } from 'vitest';

function run(cmd: string, args: string[]): { status: number | null; stdout: string; stderr: string } {
  const r = spawnSync(cmd, args, { encoding: 'utf8', timeout: 60_000 });
  if (r.error) throw new Error(`${cmd} is not installed (Debian: apt-get install poppler-utils zbar-tools): ${r.error.message}`);
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

/** Writes the PDF bytes into dir under name; checks they start as a PDF. */
export function savePdf(dir: string, name: string, bytes: Buffer): string {
  expect(bytes.subarray(0, 5).toString('latin1')).toBe('%PDF-');
  const file = join(dir, `${name}.pdf`);
  writeFileSync(file, bytes);
  return file;
}

/** The text of every page, as pdftotext extracts it (so: what the PDF's fonts map back to Unicode). */
export function pdfText(file: string): string {
  const r = run('pdftotext', ['-enc', 'UTF-8', file, '-']);
  expect(r.status, r.stderr).toBe(0);
  return r.stdout;
}

/** Page count and the size of each page in points, as pdfinfo reports them. */
export function pdfPages(file: string): { pages: number; sizes: Array<{ width: number; height: number }> } {
  const info = run('pdfinfo', ['-f', '1', '-l', '1000', file]);
  expect(info.status, info.stderr).toBe(0);
  const pages = Number(/^Pages:\s+(\d+)/m.exec(info.stdout)![1]);
  const sizes = [...info.stdout.matchAll(/^Page\s+\d+ size:\s+([\d.]+) x ([\d.]+) pts/gm)].map((m) => ({ width: Number(m[1]), height: Number(m[2]) }));
  return { pages, sizes };
}

/** Rasterises every page at dpi into PNG files; returns their paths in page order. */
export function rasterise(file: string, dpi: number): string[] {
  const prefix = file.replace(/\.pdf$/, `-${dpi}`);
  const r = run('pdftoppm', ['-r', String(dpi), '-png', file, prefix]);
  expect(r.status, r.stderr).toBe(0);
  const dir = prefix.slice(0, prefix.lastIndexOf('/'));
  const base = prefix.slice(prefix.lastIndexOf('/') + 1);
  return readdirSync(dir).filter((f) => f.startsWith(`${base}-`) && f.endsWith('.png')).sort().map((f) => join(dir, f));
}

/** What zbarimg reads from a picture (one symbol per line), or [] when it finds none. */
export function zbar(png: string): string[] {
  const r = run('zbarimg', ['--raw', '-q', png]);
  if (r.status === 4) return [];
  expect(r.status, r.stderr).toBe(0);
  return r.stdout.split('\n').filter((l) => l !== '');
}

export function readPng(file: string): PNG {
  return PNG.sync.read(readFileSync(file));
}

/** Is the pixel at (x, y) dark (luminance under half)? */
export function dark(png: PNG, x: number, y: number): boolean {
  const i = (y * png.width + x) * 4;
  return 0.299 * png.data[i] + 0.587 * png.data[i + 1] + 0.114 * png.data[i + 2] < 128;
}

export function grey(png: PNG, x: number, y: number): number {
  const i = (y * png.width + x) * 4;
  return Math.round(0.299 * png.data[i] + 0.587 * png.data[i + 1] + 0.114 * png.data[i + 2]);
}
