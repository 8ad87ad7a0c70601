// The QR of the printed label scans in the field (docs/regulations.md#qr-code): the label SVG from
// GET /api/v1/labels/{id}/print, rasterised by ImageMagick and degraded the way a worn print or a
// cheap printer degrades it, is decoded by zbarimg, and what it reads verifies at the public page.
// ImageMagick and zbar-tools are Debian packages; .ci/run installs them.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { importJWK, SignJWT, type JWK } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildTestApp, type TestApp } from '../support/test-app.js';
import { loginAdmin } from '../support/factories.js';
import { createSite, issueLabel, LABEL_BODY, type Site } from '../support/world.js';

let t: TestApp;
let site: Site;
let dir: string;

beforeAll(async () => {
  t = await buildTestApp();
  site = await createSite(t.app, await loginAdmin(t.app), { roles: ['generator'] });
  dir = mkdtempSync(join(tmpdir(), 'label-scan-'));
});
afterAll(async () => {
  rmSync(dir, { recursive: true, force: true });
  await t.close();
});

function run(cmd: string, args: string[]): { status: number | null; stdout: string; stderr: string } {
  const r = spawnSync(cmd, args, { encoding: 'utf8', timeout: 60_000 });
  if (r.error) throw new Error(`${cmd} is not installed (Debian: apt-get install imagemagick zbar-tools): ${r.error.message}`);
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

// ImageMagick 7 is `magick`, Debian's 6 is `convert`.
const magick = spawnSync('magick', ['-version']).status === 0 ? ['magick'] : ['convert'];

function im(args: string[]): void {
  const r = run(magick[0], args);
  expect(r.status, r.stderr).toBe(0);
}

/** What zbarimg reads from a picture, or null when it finds no code. */
function zbar(png: string): string | null {
  const r = run('zbarimg', ['--raw', '-q', png]);
  if (r.status === 4) return null; // no symbol found
  expect(r.status, r.stderr).toBe(0);
  return r.stdout.replace(/\n$/, '');
}

// The label rasterised at a density (dots per inch), then degraded. The 100 mm label (the smallest
// QR) is the one scanned. Blur is 1.5 px on the 300 dpi raster: on a 150 dpi raster the short
// content still reads about 19 times in 20, too close to the edge for a test that must not flake.
const DEGRADATIONS: Array<{ name: string; dpi: number; ops: string[] }> = [
  { name: 'plain, 300 dpi', dpi: 300, ops: [] },
  { name: 'blurred by 1.5 px at 300 dpi', dpi: 300, ops: ['-blur', '0x1.5'] },
  { name: 'downscaled from 300 to 100 dpi', dpi: 300, ops: ['-resize', '33.333%'] },
  { name: 'printed at 100 dpi', dpi: 100, ops: [] },
  { name: 'rotated 3° at 100 dpi', dpi: 100, ops: ['-background', 'white', '-rotate', '3'] },
  { name: 'rotated 5° at 100 dpi', dpi: 100, ops: ['-background', 'white', '-rotate', '5'] },
  { name: 'rotated 4° at 150 dpi', dpi: 150, ops: ['-background', 'white', '-rotate', '4'] },
  { name: 'blurred by 1.5 px and rotated 4° at 300 dpi', dpi: 300, ops: ['-blur', '0x1.5', '-background', 'white', '-rotate', '4'] },
];
const byName = (name: string) => DEGRADATIONS.find((d) => d.name === name)!;

async function printedSvg(labelId: string): Promise<string> {
  const res = await site.client.get(`/api/v1/labels/${labelId}/print`);
  expect(res.statusCode, res.body).toBe(200);
  return res.body;
}

/**
 * Rasterises the printed SVG through ImageMagick's SVG reader (once per density), degrades the
 * raster, and decodes it.
 */
function scan(svg: string, name: string, d: { dpi: number; ops: string[] }): string | null {
  const svgFile = join(dir, `${name}.svg`);
  const raster = join(dir, `${name}-${d.dpi}.png`);
  if (!existsSync(raster)) {
    writeFileSync(svgFile, svg);
    im(['-density', String(d.dpi), svgFile, '-background', 'white', '-flatten', raster]);
  }
  if (d.ops.length === 0) return zbar(raster);
  const degraded = join(dir, `${name}-${d.dpi}-${d.ops.join('_').replace(/[^\w.]/g, '')}.png`);
  im([raster, ...d.ops, degraded]);
  return zbar(degraded);
}

async function verifiesPublicly(qrContent: string, digitalCode: string): Promise<void> {
  const token = qrContent.split('/v/')[1];
  const res = await t.app.inject({ url: `/v/${token}`, headers: { accept: 'application/json' } });
  expect(res.statusCode, res.body).toBe(200);
  expect(res.json()).toMatchObject({ genuine: true, label: { digitalCode } });
}

describe('the printed QR scans under field degradations', () => {
  for (const [kind, body] of [
    ['HJ 1276 label, 100 mm', { packaging: { type: 'drum', volumeL: 30 } }],
    ['HJ 421 medical label, 100 mm', { wasteCode: '841-001-01', physicalForm: 'solid', packaging: { type: 'bag', volumeL: 10 } }],
  ] as const) {
    it(`${kind}: zbarimg reads it plain, blurred, downscaled and rotated, and what it reads verifies`, async () => {
      const label = await issueLabel(site.client, { ...LABEL_BODY, ...body });
      expect(label.qrContent.length).toBeLessThanOrEqual(140);
      const svg = await printedSvg(label.id);
      for (const d of DEGRADATIONS) expect(scan(svg, label.id, d), d.name).toBe(label.qrContent);
      await verifiesPublicly(label.qrContent, label.digitalCode);
    }, 180_000);
  }

  it('a label printed with the earlier 344-character content still verifies, but does not read at 100 dpi turned a few degrees', async () => {
    const label = await issueLabel(site.client, { ...LABEL_BODY, packaging: { type: 'drum', volumeL: 30 } });
    const { rows: [key] } = await t.database.pool.query('SELECT kid, private_jwk FROM signing_keys ORDER BY created_at LIMIT 1');
    const old = await new SignJWT({ lid: label.id, dc: label.digitalCode })
      .setProtectedHeader({ alg: 'EdDSA', kid: key.kid, typ: 'hw-label+jwt' })
      .sign(await importJWK(key.private_jwk as JWK, 'EdDSA'));
    await t.database.pool.query('UPDATE labels SET qr_token = $2 WHERE id = $1', [label.id, old]);
    const content = `https://hw.test/v/${old}`;
    const svg = await printedSvg(label.id);
    expect(scan(svg, `${label.id}-old`, byName('plain, 300 dpi'))).toBe(content);
    await verifiesPublicly(content, label.digitalCode);
    // Why the token is short now: the long content's smaller modules do not survive these.
    expect(scan(svg, `${label.id}-old`, byName('rotated 3° at 100 dpi'))).toBeNull();
    expect(scan(svg, `${label.id}-old`, byName('rotated 5° at 100 dpi'))).toBeNull();
  }, 180_000);
});
