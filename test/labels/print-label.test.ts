import { describe, it, expect } from 'vitest';
import QRCode from 'qrcode';
import jsQRModule from 'jsqr';
import { PNG } from 'pngjs';
import type { LabelRow } from '../../src/labels/label-view.js';
import {
  escapeXml, labelSizeMm, renderLabelSvg, shanghaiDate, textUnits, wrapText, type PrintableLabel,
} from '../../src/labels/print-label.js';

// jsqr is CommonJS: under NodeNext the default import is module.exports, whose .default is the function.
const jsQR = jsQRModule.default;

const USCC = '91140105MA0KXXXXX2';
const DIGITAL_CODE = `${USCC}90004149` + '20261128' + '001';
const QR_CONTENT = 'https://hw.example.cn/v/eyJhbGciOiJFZERTQSIsImtpZCI6ImxhYmVsLTEifQ'
  + '.eyJsaWQiOiI2YjJmMWMzZS0xYTJiLTRjNWQtOGU5Zi0wMTIzNDU2Nzg5YWIiLCJkYyI6IjkxMTQwMTA1TUEwS1hYWFhYMjkwMDA0MTQ5MjAyNjExMjgwMDEifQ'
  + '.Qx3m8y2Jc0mX7c1Jr9n0bq7v5l3s1pQx3m8y2Jc0mX7c1Jr9n0bq7v5l3s1pQx3m8y2Jc0mX7c1Jr9n0bq7v5l3s1pAA';

// A fixed example label: rendering prints the dates it is given, whatever day the test runs on.
function makeLabel(over: Partial<LabelRow> = {}): LabelRow {
  const generatorId = '0d6f3a52-4c1e-4f7a-9b2d-5e8c1a7b3f90';
  return {
    id: '6b2f1c3e-1a2b-4c5d-8e9f-0123456789ab',
    digitalCode: DIGITAL_CODE,
    qrToken: 'eyJhbGciOiJFZERTQSIsImtpZCI6ImxhYmVsLTEifQ.e30.sig',
    generatorId,
    holderId: generatorId,
    regionCode: '140105',
    wasteCode: '900-041-49',
    catalogueEdition: '2021',
    identificationReportNo: null,
    category: 'HW49',
    wasteName: '废弃的含油抹布、劳保用品',
    physicalForm: 'solid',
    hazards: ['T', 'In'],
    mainComponents: '棉纱、手套、矿物油',
    harmfulComponents: '废矿物油',
    precautions: '防渗漏，远离火源',
    quantityKg: 12.5,
    packagingType: '塑料桶',
    volumeL: 30,
    // 18:30 UTC on the 27th is already the 28th in Asia/Shanghai.
    generatedAt: new Date('2026-11-27T18:30:00Z'),
    generatedOn: '2026-11-28',
    sequence: 1,
    facilityId: null,
    remarks: '车间二次包装',
    state: 'issued',
    version: 1,
    stepCount: 1,
    parentId: null,
    openManifestId: null,
    hasLeftGenerator: false,
    holderRegionCode: '140105',
    heldSince: new Date('2026-11-27T18:30:00Z'),
    lastStepAt: new Date('2026-11-27T18:30:00Z'),
    createdAt: new Date('2026-11-27T18:30:05Z'),
    ...over,
  };
}

function printable(over: Partial<LabelRow> = {}, gen: Partial<PrintableLabel['generator']> = {}): PrintableLabel {
  return {
    label: makeLabel(over),
    generator: { name: '太原市迎泽区某某机械制造有限公司', contactName: '王建国', contactPhone: '0351-7654321', ...gen },
    qrContent: QR_CONTENT,
  };
}

/** Tiny well-formedness check: balanced tags, one root, no raw '<' or stray '&' in text or attributes. */
function assertWellFormed(xml: string): void {
  let s = xml.replace(/^<\?xml[^?]*\?>\s*/, '');
  expect(s).not.toMatch(/<\?/);
  s = s.replace(/<!--[\s\S]*?-->/g, (c) => {
    expect(c.slice(4, -3)).not.toContain('--');
    return '';
  });
  const tagRe = /<(\/?)([A-Za-z_][\w:.-]*)((?:\s+[\w:.-]+\s*=\s*(?:"[^"<]*"|'[^'<]*'))*)\s*(\/?)>/g;
  const entity = /&(?:amp|lt|gt|quot|apos|#\d+|#x[0-9a-fA-F]+);/g;
  const stack: string[] = [];
  let roots = 0;
  let last = 0;
  for (let m = tagRe.exec(s); m; m = tagRe.exec(s)) {
    const between = s.slice(last, m.index);
    expect(between, `raw '<' before ${m[0]}`).not.toContain('<');
    expect(between.replace(entity, ''), 'stray & in text').not.toContain('&');
    expect(m[3].replace(entity, ''), 'stray & in attributes').not.toContain('&');
    if (stack.length === 0 && between.trim() !== '') throw new Error('text outside the root element');
    last = tagRe.lastIndex;
    const [, closing, name, , selfClosing] = m;
    if (closing) {
      expect(stack.pop(), `unbalanced </${name}>`).toBe(name);
    } else {
      if (stack.length === 0) roots++;
      if (!selfClosing) stack.push(name);
    }
  }
  expect(s.slice(last).trim()).toBe('');
  expect(stack).toEqual([]);
  expect(roots).toBe(1);
}

/** Text content of every <text> element, unescaped. */
function texts(svg: string): string[] {
  return [...svg.matchAll(/<text\b[^>]*>([^<]*)<\/text>/g)].map((m) => m[1]
    .replace(/&lt;/g, '<').replace(/&gt;/g, '>').replace(/&quot;/g, '"').replace(/&#39;/g, "'").replace(/&amp;/g, '&'));
}

/** Rasterises the QR embedded in the label (the filled path of its dark modules), via PNG, and decodes it. */
function decodeEmbeddedQr(svg: string): string | null {
  const m = /<path data-qr-modules="(\d+)" d="([^"]+)"\/>/.exec(svg);
  if (!m) throw new Error('no QR module path');
  const n = Number(m[1]) + 4; // the modules and the 2-module quiet zone the path is offset by
  const dark = new Uint8Array(n * n);
  for (const [, x, y, run] of m[2].matchAll(/M(\d+) (\d+)h(\d+)v1h-\3z/g)) {
    for (let i = 0; i < Number(run); i++) dark[Number(y) * n + Number(x) + i] = 1;
  }
  const scale = 6;
  const quiet = 2; // extra white border, like the white patch behind the code on the label
  const w = (n + 2 * quiet) * scale;
  const png = new PNG({ width: w, height: w });
  for (let py = 0; py < w; py++) {
    for (let px = 0; px < w; px++) {
      const mx = Math.floor(px / scale) - quiet;
      const my = Math.floor(py / scale) - quiet;
      const on = mx >= 0 && my >= 0 && mx < n && my < n && dark[my * n + mx] === 1;
      const o = (py * w + px) * 4;
      png.data[o] = png.data[o + 1] = png.data[o + 2] = on ? 0 : 255;
      png.data[o + 3] = 255;
    }
  }
  const decoded = PNG.sync.read(PNG.sync.write(png));
  return jsQR(new Uint8ClampedArray(decoded.data), decoded.width, decoded.height)?.data ?? null;
}

describe('renderLabelSvg', () => {
  it('is a standalone SVG document with the title bar and the digital code as <title>', async () => {
    expect(DIGITAL_CODE).toHaveLength(37);
    const svg = await renderLabelSvg(printable());
    expect(svg.startsWith('<?xml version="1.0" encoding="UTF-8"')).toBe(true);
    expect(svg).toMatch(/<svg xmlns="http:\/\/www\.w3\.org\/2000\/svg"[^>]* width="100mm" height="100mm" viewBox="0 0 100 100"/);
    expect(svg).toMatch(new RegExp(`<title>[^<]*${DIGITAL_CODE}[^<]*</title>`));
    expect(texts(svg)).toContain('危险废物标签');
    assertWellFormed(svg);
  });

  it('prints every HJ 1276 field with its value', async () => {
    const svg = await renderLabelSvg(printable());
    const t = texts(svg);
    for (const label of ['废物名称', '废物类别', '废物代码', '废物形态', '主要成分', '有害成分', '注意事项',
      '数字识别码', '产生/收集单位', '联系人', '联系方式', '产生日期', '废物重量', '备注']) {
      expect(t, label).toContain(`${label}：`);
    }
    expect(t).toContain('危险特性');
    const values = [
      '废弃的含油抹布、劳保用品', 'HW49 其他废物', '900-041-49', '固态', '棉纱、手套、矿物油', '废矿物油',
      '防渗漏，远离火源', DIGITAL_CODE, '王建国', '0351-7654321',
      '2026-11-28', '12.5 kg', '车间二次包装', '毒性', '感染性',
    ];
    for (const v of values) expect(t, v).toContain(v);
    // The unit's name wraps onto a second line at the 3 mm type.
    const unit = t.indexOf('产生/收集单位：');
    expect(t.slice(unit + 1).join('')).toContain('太原市迎泽区某某机械制造有限公司');
    // Only the label's hazards are drawn.
    expect(t).not.toContain('腐蚀性');
    expect(t).not.toContain('易燃性');
  });

  it('translates every physical form and hazard characteristic', async () => {
    const forms = { solid: '固态', semi_solid: '半固态', liquid: '液态', gas: '气态' };
    for (const [form, zh] of Object.entries(forms)) {
      expect(texts(await renderLabelSvg(printable({ physicalForm: form })))).toContain(zh);
    }
    const svg = await renderLabelSvg(printable({ hazards: ['In', 'R', 'I', 'C', 'T'] }));
    const t = texts(svg);
    for (const zh of ['毒性', '腐蚀性', '易燃性', '反应性', '感染性']) expect(t).toContain(zh);
    expect(svg.match(/<polygon points="0,-4.5 /g)).toHaveLength(5);
    assertWellFormed(svg);
  });

  it('formats the generation date in Asia/Shanghai', async () => {
    expect(shanghaiDate(new Date('2026-11-27T15:59:59Z'))).toBe('2026-11-27');
    expect(shanghaiDate(new Date('2026-11-27T16:00:00Z'))).toBe('2026-11-28');
    const t = texts(await renderLabelSvg(printable({ generatedAt: new Date('2026-03-01T02:00:00Z') })));
    expect(t).toContain('2026-03-01');
  });

  it('embeds the real QR code of qrContent as filled vector paths', async () => {
    const svg = await renderLabelSvg(printable());
    const reference = QRCode.create(QR_CONTENT, { errorCorrectionLevel: 'M' });
    expect(svg).toContain(`data-qr-modules="${reference.modules.size}"`);
    expect(svg).not.toContain('<image');
    expect(decodeEmbeddedQr(svg)).toBe(QR_CONTENT);
  });

  it('sizes the label by container volume', async () => {
    expect(labelSizeMm(null)).toBe(100);
    expect(labelSizeMm(49)).toBe(100);
    expect(labelSizeMm(50)).toBe(100);
    expect(labelSizeMm(50.1)).toBe(150);
    expect(labelSizeMm(200)).toBe(150);
    expect(labelSizeMm(449.9)).toBe(150);
    expect(labelSizeMm(450)).toBe(200);
    expect(labelSizeMm(1000)).toBe(200);
    for (const [volumeL, mm, twoSides] of [[49, 100, false], [200, 150, false], [450, 200, false], [451, 200, true], [null, 100, false]] as const) {
      const svg = await renderLabelSvg(printable({ volumeL }));
      expect(svg).toContain(`width="${mm}mm" height="${mm}mm" viewBox="0 0 100 100"`);
      if (twoSides) expect(svg).toMatch(/<desc>[^<]*两个侧面[^<]*<\/desc>/);
      else expect(svg).not.toContain('两个侧面');
      assertWellFormed(svg);
    }
  });

  it('escapes user text', async () => {
    expect(escapeXml(`A&B <x> "q" 'a'`)).toBe('A&amp;B &lt;x&gt; &quot;q&quot; &#39;a&#39;');
    expect(escapeXml('a\u0000b\u0007c')).toBe('abc');
    const svg = await renderLabelSvg(printable(
      { wasteName: 'A&B <x>', remarks: `"quoted" & 'single'`, precautions: '</text><script>alert(1)</script>' },
      { name: 'O\'Neil & Sons <Ltd>', contactName: '李"四"' },
    ));
    expect(svg).toContain('A&amp;B &lt;x&gt;');
    expect(svg).not.toContain('A&B <x>');
    expect(svg).not.toContain('<script');
    expect(svg).toContain('O&#39;Neil &amp; Sons &lt;Ltd&gt;');
    const t = texts(svg);
    expect(t).toContain('A&B <x>');
    expect(t).toContain('李"四"');
    assertWellFormed(svg);
  });

  it('wraps long text and truncates what does not fit', async () => {
    const long = '含有或沾染毒性、感染性危险废物的废弃包装物、容器、过滤吸附介质以及实验室产生的其他各类废物'.repeat(3);
    const svg = await renderLabelSvg(printable({ precautions: long }));
    const t = texts(svg);
    const at = t.indexOf('注意事项：');
    const lines = t.slice(at + 1, at + 3);
    expect(t[at + 3]).toBe('危险特性'); // two lines at most (3 mm type), then the hazard column
    expect(lines.join('').replace(/…$/, '')).toBe(long.slice(0, lines.join('').length - 1));
    expect(lines[1].endsWith('…')).toBe(true);
    for (const ln of lines) expect(textUnits(ln)).toBeLessThanOrEqual(30);
    assertWellFormed(svg);
  });
});

describe('wrapText', () => {
  it('counts CJK characters double width', () => {
    expect(textUnits('abc')).toBe(3);
    expect(textUnits('危险废物')).toBe(8);
    expect(textUnits('HW49 其他')).toBe(9);
    expect(wrapText('危险废物危险废物', 8, 5)).toEqual(['危险废物', '危险废物']);
    expect(wrapText('abcdefgh', 8, 5)).toEqual(['abcdefgh']);
    expect(wrapText('ab危险废物', 8, 5)).toEqual(['ab危险废', '物']);
  });

  it('breaks Latin text at spaces and honours newlines', () => {
    expect(wrapText('waste oil drums sealed', 10, 5)).toEqual(['waste oil', 'drums', 'sealed']);
    expect(wrapText('第一行\n第二行', 20, 5)).toEqual(['第一行', '第二行']);
    expect(wrapText('', 10, 2)).toEqual([]);
  });

  it('truncates with an ellipsis that still fits', () => {
    const lines = wrapText('危险废物'.repeat(10), 8, 2);
    expect(lines).toEqual(['危险废物', '危险废…']);
    expect(textUnits(lines[1])).toBeLessThanOrEqual(8);
  });
});
