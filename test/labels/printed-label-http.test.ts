// The printed label through GET /api/v1/labels/{id}/print: character heights by label size, the
// two-sides note over 450 L, and the HJ 421 medical-waste label of HW01 containers
// (docs/regulations.md#label-size, #medical-label).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildTestApp, type TestApp } from '../support/test-app.js';
import { loginAdmin, type Client } from '../support/factories.js';
import { createSite, issueLabel, LABEL_BODY, type Site } from '../support/world.js';
import { shanghaiDate } from '../../src/labels/label-svg.js';

let t: TestApp;
let admin: Client;
let site: Site;

beforeAll(async () => {
  t = await buildTestApp();
  admin = await loginAdmin(t.app);
  site = await createSite(t.app, admin, { roles: ['generator'] });
});
afterAll(() => t.close());

async function printed(body: Record<string, unknown>): Promise<{ label: { id: string; digitalCode: string; qrContent: string; generatedAt: string }; svg: string }> {
  const label = await issueLabel(site.client, { ...LABEL_BODY, ...body });
  const res = await site.client.get(`/api/v1/labels/${label.id}/print`);
  expect(res.statusCode, res.body).toBe(200);
  expect(res.headers['content-type']).toMatch(/image\/svg\+xml/);
  return { label, svg: res.body };
}

const volume = (volumeL: number) => ({ packaging: { type: 'drum', volumeL } });

const unescape = (s: string) => s.replace(/&lt;/g, '<').replace(/&gt;/g, '>').replace(/&quot;/g, '"').replace(/&#39;/g, "'").replace(/&amp;/g, '&');

interface PrintedText { text: string; heightMm: number }

/**
 * Every <text> of the SVG with the printed height of its characters in mm: its font size (its own,
 * or the nearest enclosing element's), times the scale() of the enclosing groups, times the mm per
 * user unit of the root (width in mm over the viewBox width).
 */
function printedTexts(svg: string): PrintedText[] {
  const root = /<svg\b[^>]*\bwidth="([\d.]+)mm"[^>]*\bviewBox="0 0 ([\d.]+) [\d.]+"/.exec(svg);
  if (!root) throw new Error('no root <svg> with a width in mm and a viewBox');
  const mmPerUnit = Number(root[1]) / Number(root[2]);
  const out: PrintedText[] = [];
  const stack: Array<{ name: string; fontSize?: number; scale: number }> = [];
  const tag = /<(\/?)([A-Za-z][\w:.-]*)([^>]*?)(\/?)>|([^<]+)/g;
  for (const m of svg.replace(/<\?xml[^>]*\?>|<!--[\s\S]*?-->/g, '').matchAll(tag)) {
    const [, closing, name, attrs, selfClosing, content] = m;
    if (content !== undefined) {
      const top = stack[stack.length - 1];
      if (top?.name === 'text' && content.trim() !== '') {
        const fontSize = [...stack].reverse().find((e) => e.fontSize !== undefined)?.fontSize;
        if (fontSize === undefined) throw new Error(`no font size for "${content}"`);
        const scale = stack.reduce((k, e) => k * e.scale, 1);
        out.push({ text: unescape(content), heightMm: fontSize * scale * mmPerUnit });
      }
      continue;
    }
    if (closing) { stack.pop(); continue; }
    const fs = /\bfont-size="([\d.]+)"/.exec(attrs)?.[1];
    const sc = /\btransform="[^"]*\bscale\(([\d.]+)/.exec(attrs)?.[1];
    if (!selfClosing) stack.push({ name, fontSize: fs === undefined ? undefined : Number(fs), scale: sc === undefined ? 1 : Number(sc) });
  }
  return out;
}

describe('character heights on the printed label (HJ 1276: 3 / 5 / 6 mm)', () => {
  for (const [volumeL, sizeMm, minMm] of [[30, 100, 3], [200, 150, 5], [1000, 200, 6]] as const) {
    it(`${volumeL} L: a ${sizeMm} mm label whose every character is at least ${minMm} mm high`, async () => {
      for (const wasteCode of ['900-214-08', '841-001-01']) { // the HJ 1276 label and the HJ 421 one
        const { label, svg } = await printed({ wasteCode, ...volume(volumeL) });
        expect(svg).toMatch(new RegExp(`width="${sizeMm}mm" height="${sizeMm}mm"`));
        const texts = printedTexts(svg);
        expect(texts.map((x) => x.text)).toContain(label.digitalCode);
        expect(texts.length).toBeGreaterThan(8);
        for (const x of texts) expect(x.heightMm, `${wasteCode} "${x.text}"`).toBeGreaterThanOrEqual(minMm);
      }
    });
  }
});

describe('the two-sides note (HJ 1276: containers over 450 L)', () => {
  it('appears above 450 L only; 450 L gets the 200 mm label without it', async () => {
    for (const [volumeL, sizeMm, twoSides] of [[449, 150, false], [450, 200, false], [450.5, 200, true], [1000, 200, true]] as const) {
      const { svg } = await printed(volume(volumeL));
      expect(svg).toMatch(new RegExp(`width="${sizeMm}mm"`));
      if (twoSides) {
        expect(svg, `${volumeL} L`).toMatch(/<desc>[^<]*两个侧面[^<]*<\/desc>/);
        expect(svg).toContain('two opposite sides');
      } else {
        expect(svg, `${volumeL} L`).not.toContain('两个侧面');
        expect(svg).not.toContain('two opposite sides');
      }
    }
  });
});

describe('the medical-waste label (HJ 421) of HW01 containers', () => {
  it('shows the 医疗废物 warning sign, institution, department, date, category and special notes, with the digital code and QR', async () => {
    const { label, svg } = await printed({
      wasteCode: '841-002-01', physicalForm: 'solid', mainComponents: '针头、刀片', harmfulComponents: '病原微生物',
      precautions: '利器盒封闭，防刺伤', remarks: '门诊注射室', ...volume(5),
    });
    const texts = printedTexts(svg).map((x) => x.text);
    expect(svg).toMatch(/<title>医疗废物 [0-9A-Z]{37}<\/title>/);
    expect(svg).toContain('data-warning-sign="医疗废物"');
    expect(texts).toContain('医疗废物');
    expect(texts).not.toContain('危险废物标签');
    for (const field of ['产生单位', '科室', '产生日期', '类别', '特别说明', '数字识别码']) expect(texts, field).toContain(`${field}：`);
    expect(texts).toContain(site.org.name);
    expect(texts).toContain(shanghaiDate(new Date(label.generatedAt)));
    expect(texts).toContain('损伤性废物'); // the catalogue's kind of 841-002-01
    expect(texts).toContain('利器盒封闭，防刺伤；门诊注射室');
    expect(texts).toContain(label.digitalCode);
    // The department is not on the record: a line to write it on.
    expect(svg).toMatch(/<text[^>]*>科室：<\/text>\n<line /);
    // The same QR as any label: its module count is that of the label's QR content.
    expect(svg).toMatch(/<path data-qr-modules="\d+" d="M/);
    expect(label.qrContent.length).toBeLessThanOrEqual(140);
  });

  it('other categories keep the HJ 1276 label', async () => {
    const { svg } = await printed({});
    const texts = printedTexts(svg).map((x) => x.text);
    expect(texts).toContain('危险废物标签');
    expect(texts).not.toContain('医疗废物');
  });
});
