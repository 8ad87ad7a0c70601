// The printed label as PDF (GET /api/v1/labels/{id}/print?format=pdf, or Accept: application/pdf):
// it parses, carries the digital code and the Chinese text in its embedded font, has one page of
// the label's size, and its QR — rasterised at the printer's resolution — decodes to the label's QR
// content, verifies at the public page, and has modules of a whole number of printer dots.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildTestApp, type TestApp } from '../support/test-app.js';
import { loginAdmin, type Client } from '../support/factories.js';
import { createSite, issueLabel, LABEL_BODY, type Site } from '../support/world.js';
import { dark, pdfPages, pdfText, rasterise, readPng, savePdf, zbar } from './pdf-tools.js';

let t: TestApp;
let admin: Client;
let site: Site;
let dir: string;

beforeAll(async () => {
  t = await buildTestApp();
  admin = await loginAdmin(t.app);
  site = await createSite(t.app, admin, { roles: ['generator'], name: '太原市迎泽区某某机械制造有限公司' });
  dir = mkdtempSync(join(tmpdir(), 'label-pdf-'));
});
afterAll(async () => {
  // KEEP_PDF=1 keeps the PDFs and their rasters in the temporary directory, to look at them.
  if (!process.env.KEEP_PDF) rmSync(dir, { recursive: true, force: true });
  await t.close();
});

const SMALL = { packaging: { type: 'drum', volumeL: 30 } }; // a 100 mm label by volume
const PT_PER_MM = 72 / 25.4;

async function verifiesPublicly(qrContent: string, digitalCode: string): Promise<void> {
  const res = await t.app.inject({ url: `/v/${qrContent.split('/v/')[1]}`, headers: { accept: 'application/json' } });
  expect(res.statusCode, res.body).toBe(200);
  expect(res.json()).toMatchObject({ genuine: true, label: { digitalCode } });
}

/**
 * The QR symbol's box on the raster (the dark pixels of the lower-right corner, below the digital
 * code's line and inside the border: the QR's white patch starts 62 % down the label at every size),
 * and the lengths of the dark runs along its rows and columns: each a whole number of modules of
 * `moduleDots` pixels when the modules sit on the printer's dots (on a raster at the printer's
 * resolution, a module of 5.6 dots makes runs of 5 and 6 pixels, and of 11, 17… for longer runs).
 */
function qrOnRaster(png: string, modules: number) {
  const img = readPng(png);
  const x0 = Math.floor(img.width * 0.62);
  const y0 = Math.floor(img.height * 0.622);
  const x1 = Math.floor(img.width * 0.98);
  const y1 = Math.floor(img.height * 0.98);
  let minX = Infinity; let minY = Infinity; let maxX = -1; let maxY = -1;
  for (let y = y0; y < y1; y++) {
    for (let x = x0; x < x1; x++) {
      if (!dark(img, x, y)) continue;
      minX = Math.min(minX, x); maxX = Math.max(maxX, x); minY = Math.min(minY, y); maxY = Math.max(maxY, y);
    }
  }
  const width = maxX - minX + 1;
  const height = maxY - minY + 1;
  const moduleDots = width / modules;
  const runs = new Set<number>();
  const scan = (len: number, at: (i: number) => boolean) => {
    let run = 0;
    for (let i = 0; i <= len; i++) {
      if (i < len && at(i)) { run++; continue; }
      if (run > 0) runs.add(run);
      run = 0;
    }
  };
  for (let y = minY; y <= maxY; y++) scan(width, (i) => dark(img, minX + i, y));
  for (let x = minX; x <= maxX; x++) scan(height, (i) => dark(img, x, minY + i));
  const uneven = [...runs].filter((r) => r % moduleDots !== 0);
  return { width, height, moduleDots, uneven };
}

async function printPdf(id: string, query: string, headers: Record<string, string> = {}) {
  const res = await site.client.get(`/api/v1/labels/${id}/print${query}`, headers);
  expect(res.statusCode, res.body.slice(0, 300)).toBe(200);
  expect(res.headers['content-type']).toBe('application/pdf');
  expect(String(res.headers['content-disposition'])).toMatch(/^inline; filename="label-[\w.-]+\.pdf"$/);
  return res.rawPayload;
}

describe('the label PDF', () => {
  for (const size of [100, 150, 200] as const) {
    for (const dpi of [203, 300] as const) {
      it(`${size} mm at ${dpi} dpi: one page of the label's size, its text, and a QR that scans, verifies and sits on the printer's dots`, async () => {
        const label = await issueLabel(site.client, SMALL);
        const file = savePdf(dir, `${label.id}-${size}-${dpi}`, await printPdf(label.id, `?format=pdf&size=${size}&dpi=${dpi}`));

        const { pages, sizes } = pdfPages(file);
        expect(pages).toBe(1);
        expect(sizes[0].width).toBeCloseTo(size * PT_PER_MM, 1);
        expect(sizes[0].height).toBeCloseTo(size * PT_PER_MM, 1);

        // The label wraps long values over lines: compare without the line breaks.
        const text = pdfText(file).replace(/\s+/g, '');
        for (const s of ['危险废物标签', label.digitalCode, '废矿物油', '900-214-08', '太原市迎泽区某某机械制造有限公司', '危险特性', '毒性']) {
          expect(text, s).toContain(s);
        }

        const [png] = rasterise(file, dpi);
        expect(zbar(png)).toEqual([label.qrContent]);
        await verifiesPublicly(label.qrContent, label.digitalCode);

        // Snapped: the symbol is a whole number of dots per module, and no module edge falls inside a dot.
        const modules = Number(/data-qr-modules="(\d+)"/.exec((await site.client.get(`/api/v1/labels/${label.id}/print`)).body)![1]);
        const qr = qrOnRaster(png, modules);
        expect(qr.width).toBe(qr.height);
        expect(Number.isInteger(qr.moduleDots), `${qr.width} px for ${modules} modules`).toBe(true);
        expect(qr.moduleDots).toBeGreaterThanOrEqual(size === 100 && dpi === 203 ? 5 : 6);
        expect(qr.uneven).toEqual([]);
      }, 60_000);
    }
  }

  it('Accept: application/pdf gets the PDF at the size the container volume needs; the HJ 421 medical label too', async () => {
    const label = await issueLabel(site.client, { packaging: { type: 'drum', volumeL: 200 } }); // 150 mm
    const file = savePdf(dir, `${label.id}-accept`, await printPdf(label.id, '', { accept: 'application/pdf' }));
    expect(pdfPages(file).sizes[0].width).toBeCloseTo(150 * PT_PER_MM, 1);
    expect(pdfText(file)).toContain(label.digitalCode);

    const medical = await issueLabel(site.client, { wasteCode: '841-001-01', physicalForm: 'solid', packaging: { type: 'bag', volumeL: 10 } });
    const mfile = savePdf(dir, `${medical.id}-medical`, await printPdf(medical.id, '?format=pdf&dpi=300'));
    const mtext = pdfText(mfile);
    expect(mtext).toContain('医疗废物');
    expect(mtext).toContain(medical.digitalCode);
    expect(mtext).toContain('科室');
    expect(zbar(rasterise(mfile, 300)[0])).toEqual([medical.qrContent]);
  }, 60_000);

  it('a container over 450 L gets two pages, one for each opposite side; at 450 L one', async () => {
    for (const [volumeL, pages] of [[1000, 2], [450, 1]] as const) {
      const label = await issueLabel(site.client, { packaging: { type: 'IBC', volumeL } });
      const file = savePdf(dir, `${label.id}-sides`, await printPdf(label.id, '?format=pdf&dpi=203'));
      const info = pdfPages(file);
      expect(info.pages, `${volumeL} L`).toBe(pages);
      for (const s of info.sizes) expect(s.width).toBeCloseTo(200 * PT_PER_MM, 1);
      for (const png of rasterise(file, 203)) expect(zbar(png)).toEqual([label.qrContent]);
    }
  }, 60_000);

  it('without PDF asked for, the SVG answer is as before; format=svg wins over the Accept header; size applies to the SVG too', async () => {
    const label = await issueLabel(site.client, SMALL);
    const plain = await site.client.get(`/api/v1/labels/${label.id}/print`);
    expect(plain.statusCode).toBe(200);
    expect(plain.headers['content-type']).toMatch(/^image\/svg\+xml/);
    expect(plain.body).toMatch(/^<\?xml/);
    expect(plain.body).toContain('width="100mm"');
    expect(plain.headers.vary).toMatch(/Accept/); // the answer depends on the Accept header
    const svg = await site.client.get(`/api/v1/labels/${label.id}/print?format=svg`, { accept: 'application/pdf' });
    expect(svg.headers['content-type']).toMatch(/^image\/svg\+xml/);
    expect(svg.body).toBe(plain.body);
    // A larger label may be asked for as SVG too.
    const large = await site.client.get(`/api/v1/labels/${label.id}/print?size=200`);
    expect(large.body).toContain('width="200mm"');
    // A browser's Accept (*/*, image/*) is not a request for PDF.
    const browser = await site.client.get(`/api/v1/labels/${label.id}/print`, { accept: 'image/avif,image/webp,*/*;q=0.8' });
    expect(browser.body).toBe(plain.body);
  });

  it('a size or resolution outside the lists, or a label smaller than the container needs, is a 400; an unknown label a 404', async () => {
    const label = await issueLabel(site.client, { packaging: { type: 'drum', volumeL: 200 } }); // needs 150 mm
    for (const q of ['size=120', 'size=abc', 'dpi=600', 'dpi=0', 'format=png', 'size=100']) {
      const res = await site.client.get(`/api/v1/labels/${label.id}/print?format=pdf&${q}`.replace('format=pdf&format=png', 'format=png'));
      expect(res.statusCode, `${q}: ${res.body}`).toBe(400);
      expect(res.headers['content-type']).toMatch(/application\/problem\+json/);
    }
    const tooSmall = await site.client.get(`/api/v1/labels/${label.id}/print?format=pdf&size=100`);
    expect(tooSmall.json().detail).toMatch(/at least 150 mm/);
    const unknown = await site.client.get('/api/v1/labels/00000000-0000-4000-8000-000000000000/print?format=pdf');
    expect(unknown.statusCode).toBe(404);
    expect(unknown.headers['content-type']).toMatch(/application\/problem\+json/);
  });
});
