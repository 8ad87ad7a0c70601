// Public verification page opened by a phone camera from the label's QR code (docs/regulations.md#qr-code).
// Self-contained HTML5: inline CSS, no scripts, no external resources. It only receives public
// fields (never contact persons, phone numbers or client details) and escapes all of them.
import { escapeXml, hazardName, physicalFormName } from './print-label.js';

export interface PublicVerification {
  genuine: boolean;
  reason?: string;
  label?: {
    digitalCode: string;
    wasteCode: string;
    wasteName: string;
    category: string;
    categoryName: string;
    hazards: string[];
    physicalForm: string;
    generatingUnit: string;
    state: string;
    manifestNumber: string | null;
    generatedOn: string;
  };
}

export const STATE_NAMES: Readonly<Record<string, string>> = {
  issued: '已产生',
  stored: '贮存中',
  in_transit: '转移中',
  received: '已接收',
  rejected: '已拒收',
  treated: '已利用/处置',
  consolidated: '已合并',
  voided: '已作废',
};

export function stateName(s: string): string {
  return Object.hasOwn(STATE_NAMES, s) ? STATE_NAMES[s] : s;
}

const CSS = `
*{box-sizing:border-box}
html{-webkit-text-size-adjust:100%}
body{margin:0;background:#f4f5f7;color:#1f2328;font:16px/1.5 -apple-system,BlinkMacSystemFont,"PingFang SC","Hiragino Sans GB","Microsoft YaHei","Noto Sans CJK SC",sans-serif}
main{max-width:640px;margin:0 auto;padding:16px}
.banner{border-radius:10px;padding:16px;margin:0 0 16px;color:#fff;font-size:1.15rem;font-weight:700}
.ok{background:#1a7f37}
.bad{background:#cf222e}
.banner h1{margin:0;font-size:inherit}
.reason{margin:8px 0 0;font-size:.95rem;font-weight:400}
table{width:100%;border-collapse:collapse;background:#fff;border-radius:10px;overflow:hidden}
th,td{padding:10px 12px;border-bottom:1px solid #e5e7eb;text-align:left;vertical-align:top}
tr:last-child th,tr:last-child td{border-bottom:0}
th{width:34%;color:#57606a;font-weight:600;white-space:nowrap}
td{word-break:break-word}
.code{font-family:ui-monospace,SFMono-Regular,Menlo,Consolas,monospace;word-break:break-all}
footer{margin:16px 0 0;color:#6e7781;font-size:.8rem}
`.trim();

function row(heading: string, value: string, cls?: string): string {
  return `<tr><th scope="row">${escapeXml(heading)}</th><td${cls ? ` class="${cls}"` : ''}>${escapeXml(value)}</td></tr>`;
}

export function renderVerifyPage(v: PublicVerification): string {
  const body: string[] = [];
  if (v.genuine) {
    body.push('<h1 class="banner ok" role="status">✓ 真实有效的危险废物标签 / Genuine label</h1>');
    const l = v.label;
    if (l) {
      const hazards = l.hazards.map((h) => `${hazardName(h)} (${h})`).join('、');
      body.push('<table>');
      body.push([
        row('数字识别码', l.digitalCode, 'code'),
        row('废物名称', l.wasteName),
        row('废物代码', l.wasteCode),
        row('废物类别', l.categoryName ? `${l.category} ${l.categoryName}` : l.category),
        row('危险特性', hazards),
        row('废物形态', physicalFormName(l.physicalForm)),
        row('产生/收集单位', l.generatingUnit),
        row('产生日期', l.generatedOn),
        row('当前状态', stateName(l.state)),
        row('转移联单编号', l.manifestNumber ?? '—'),
      ].join('\n'));
      body.push('</table>');
    }
  } else {
    // Nothing about the label is shown when it cannot be verified, even if some was passed in.
    body.push('<div class="banner bad" role="alert">');
    body.push('<h1>✗ 无法验证此标签 / This label could not be verified</h1>');
    if (v.reason) body.push(`<p class="reason">${escapeXml(v.reason)}</p>`);
    body.push('</div>');
  }
  body.push('<footer>危险废物标签验证（HJ 1276-2022）。本页仅显示标签的公开信息。</footer>');

  return [
    '<!DOCTYPE html>',
    '<html lang="zh-CN">',
    '<head>',
    '<meta charset="utf-8">',
    '<meta name="viewport" content="width=device-width, initial-scale=1">',
    '<meta name="robots" content="noindex, nofollow">',
    '<meta name="referrer" content="no-referrer">',
    '<title>危险废物标签验证</title>',
    `<style>${CSS}</style>`,
    '</head>',
    '<body>',
    '<main>',
    ...body,
    '</main>',
    '</body>',
    '</html>',
    '',
  ].join('\n');
}
