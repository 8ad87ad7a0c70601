import { describe, it, expect } from 'vitest';
import { renderVerifyPage, STATE_NAMES, type PublicVerification } from '../../src/labels/verify-page.js';

const DIGITAL_CODE = '91140105MA0KXXXXX2' + '90004149' + '20261128' + '001';

// A fixed example: the page shows the dates it is given, whatever day the test runs on.
function genuine(over: Partial<NonNullable<PublicVerification['label']>> = {}): PublicVerification {
  return {
    genuine: true,
    label: {
      digitalCode: DIGITAL_CODE,
      wasteCode: '900-041-49',
      wasteName: '废弃的含油抹布、劳保用品',
      category: 'HW49',
      categoryName: '其他废物',
      hazards: ['T', 'In'],
      physicalForm: 'solid',
      generatingUnit: '太原市迎泽区某某机械制造有限公司',
      state: 'in_transit',
      manifestNumber: 'ZY1401052026112800012',
      generatedOn: '2026-11-28',
      ...over,
    },
  };
}

describe('renderVerifyPage', () => {
  it('is a self-contained mobile HTML5 page without scripts', () => {
    const html = renderVerifyPage(genuine());
    expect(html.startsWith('<!DOCTYPE html>')).toBe(true);
    expect(html).toContain('<html lang="zh-CN">');
    expect(html).toContain('<meta charset="utf-8">');
    expect(html).toMatch(/<meta name="viewport" content="width=device-width, initial-scale=1">/);
    expect(html).toContain('<style>');
    expect(html).not.toMatch(/<script/i);
    expect(html).not.toMatch(/\b(?:src|href)=/i);
    expect(html).not.toMatch(/@import|url\(/i);
  });

  it('shows a green banner and the public fields of a genuine label', () => {
    const html = renderVerifyPage(genuine());
    expect(html).toContain('✓ 真实有效的危险废物标签 / Genuine label');
    expect(html).toMatch(/class="banner ok"/);
    expect(html).not.toContain('无法验证');
    for (const [heading, value] of [
      ['数字识别码', DIGITAL_CODE],
      ['废物名称', '废弃的含油抹布、劳保用品'],
      ['废物代码', '900-041-49'],
      ['废物类别', 'HW49 其他废物'],
      ['危险特性', '毒性 (T)、感染性 (In)'],
      ['废物形态', '固态'],
      ['产生/收集单位', '太原市迎泽区某某机械制造有限公司'],
      ['产生日期', '2026-11-28'],
      ['当前状态', '转移中'],
      ['转移联单编号', 'ZY1401052026112800012'],
    ]) {
      expect(html).toMatch(new RegExp(`<th scope="row">${heading}</th><td[^>]*>${value.replace(/[()]/g, '\\$&')}</td>`));
    }
    expect(html).not.toContain('in_transit');
  });

  it('translates every state', () => {
    const expected = {
      issued: '已产生', stored: '贮存中', in_transit: '转移中', received: '已接收', rejected: '已拒收',
      treated: '已利用/处置', consolidated: '已合并', voided: '已作废',
    };
    expect(STATE_NAMES).toEqual(expected);
    for (const [state, zh] of Object.entries(expected)) {
      expect(renderVerifyPage(genuine({ state }))).toContain(`<td>${zh}</td>`);
    }
  });

  it('shows a dash when there is no manifest', () => {
    expect(renderVerifyPage(genuine({ manifestNumber: null }))).toContain('<th scope="row">转移联单编号</th><td>—</td>');
  });

  it('shows a red banner with the reason when the label cannot be verified', () => {
    const html = renderVerifyPage({ genuine: false, reason: 'signature does not verify' });
    expect(html).toContain('✗ 无法验证此标签 / This label could not be verified');
    expect(html).toMatch(/class="banner bad"/);
    expect(html).toContain('signature does not verify');
    expect(html).not.toContain('真实有效');
    expect(html).not.toContain('<table');
  });

  it('never shows label details when not genuine', () => {
    const html = renderVerifyPage({ ...genuine(), genuine: false, reason: 'label not found' });
    expect(html).not.toContain(DIGITAL_CODE);
    expect(html).not.toContain('太原市迎泽区');
    expect(html).toContain('label not found');
  });

  it('escapes all text', () => {
    const html = renderVerifyPage(genuine({ wasteName: '<script>alert("x")</script>', generatingUnit: `A&B 'Co'` }));
    expect(html).not.toContain('<script>');
    expect(html).toContain('&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;');
    expect(html).toContain('A&amp;B &#39;Co&#39;');
    const bad = renderVerifyPage({ genuine: false, reason: '<img src=x onerror=alert(1)>' });
    expect(bad).not.toContain('<img');
    expect(bad).toContain('&lt;img src=x onerror=alert(1)&gt;');
  });

  it('contains nothing that looks like a phone number', () => {
    const html = renderVerifyPage(genuine());
    // The digital code, dates and manifest number are long digit runs by design; everything else must not be.
    const rest = html.replace(DIGITAL_CODE, '').replace('ZY1401052026112800012', '').replace(/\d{4}-\d{2}-\d{2}/g, '');
    expect(rest).not.toMatch(/(?<!\d)1[3-9]\d{9}(?!\d)/); // mobile
    expect(rest).not.toMatch(/(?<!\d)0\d{2,3}-?\d{7,8}(?!\d)/); // landline
    expect(rest).not.toMatch(/联系人|联系方式|电话|手机/);
  });
});
