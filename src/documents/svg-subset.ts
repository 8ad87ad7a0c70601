// Draws an SVG document written by our own label code onto a pdfkit page: the printed label has one
// drawing (src/labels/print-label.ts, medical-label.ts), and its PDF is that drawing, not a second
// layout kept in step by hand. Only the subset those files write is understood — svg with a
// viewBox, g with translate/scale transforms, rect, line, circle, polygon, path, text, title, desc,
// comments; presentation attributes fill, stroke, stroke-width, stroke-linejoin, font-size,
// font-weight, font-family, text-anchor, letter-spacing — and anything else is an error, so a new
// element in the label cannot silently go missing from the PDF.
import { FONT, type Pdf } from './pdf-document.js';

/** A uniform scale and a translation: page point = k × user unit + (tx, ty). */
export interface Placement { k: number; tx: number; ty: number }

export interface SvgHooks {
  /**
   * An element with this attribute is drawn by the hook instead, e.g. the QR modules, redrawn
   * snapped to the printer's dots. The hook draws in page points (the SVG's transform is undone
   * around it); `at` places the element's user units on the page.
   */
  replace?: { attribute: string; draw: (attrs: Record<string, string>, at: Placement) => void };
}

interface Style {
  fill: string;
  stroke: string;
  strokeWidth: number;
  lineJoin?: string;
  fontSize: number;
  bold: boolean;
  mono: boolean;
  anchor: string;
  letterSpacing: number;
}

interface Node { name: string; attrs: Record<string, string>; children: Node[]; text: string }

const ENTITIES: Record<string, string> = { amp: '&', lt: '<', gt: '>', quot: '"', '#39': "'", apos: "'" };
const unescape = (s: string) => s.replace(/&(amp|lt|gt|quot|#39|apos);/g, (_, e: string) => ENTITIES[e]);

/** Parses the well-formed, attribute-quoted XML our label code writes into a tree. */
export function parseSvg(svg: string): Node {
  const root: Node = { name: '#root', attrs: {}, children: [], text: '' };
  const stack: Node[] = [root];
  const token = /<!--[\s\S]*?-->|<\?[\s\S]*?\?>|<\/([\w:-]+)\s*>|<([\w:-]+)((?:\s+[\w:-]+="[^"]*")*)\s*(\/?)>|([^<]+)/g;
  let m: RegExpExecArray | null;
  let at = 0;
  while ((m = token.exec(svg)) !== null) {
    if (m.index !== at) throw new Error(`unparsed SVG at ${at}`);
    at = token.lastIndex;
    const top = stack[stack.length - 1];
    if (m[1] !== undefined) {
      if (top.name !== m[1]) throw new Error(`</${m[1]}> closes <${top.name}>`);
      stack.pop();
    } else if (m[2] !== undefined) {
      const attrs: Record<string, string> = {};
      for (const a of m[3].matchAll(/([\w:-]+)="([^"]*)"/g)) attrs[a[1]] = unescape(a[2]);
      const node: Node = { name: m[2], attrs, children: [], text: '' };
      top.children.push(node);
      if (m[4] !== '/') stack.push(node);
    } else if (m[5] !== undefined) {
      top.text += unescape(m[5]);
    }
  }
  if (at !== svg.length || stack.length !== 1) throw new Error('unterminated SVG');
  const svgEl = root.children.find((c) => c.name === 'svg');
  if (!svgEl) throw new Error('no <svg> element');
  return svgEl;
}

const num = (v: string | undefined, dflt = 0): number => (v === undefined ? dflt : Number(v));

function styleOf(parent: Style, a: Record<string, string>): Style {
  return {
    fill: a.fill ?? parent.fill,
    stroke: a.stroke ?? parent.stroke,
    strokeWidth: a['stroke-width'] !== undefined ? Number(a['stroke-width']) : parent.strokeWidth,
    lineJoin: a['stroke-linejoin'] ?? parent.lineJoin,
    fontSize: a['font-size'] !== undefined ? Number(a['font-size']) : parent.fontSize,
    bold: a['font-weight'] !== undefined ? a['font-weight'] === 'bold' : parent.bold,
    mono: a['font-family'] !== undefined ? /mono|courier|consolas/i.test(a['font-family']) : parent.mono,
    anchor: a['text-anchor'] ?? parent.anchor,
    letterSpacing: a['letter-spacing'] !== undefined ? Number(a['letter-spacing']) : parent.letterSpacing,
  };
}

/** translate(x y) and scale(k) in any order, as our label code writes them. */
function applyTransform(doc: Pdf, at: Placement, transform: string | undefined): Placement {
  if (!transform) return at;
  let p = at;
  for (const t of transform.matchAll(/(translate|scale)\(\s*([-\d.e]+)(?:[\s,]+([-\d.e]+))?\s*\)/g)) {
    const a = Number(t[2]);
    if (t[1] === 'translate') {
      const b = Number(t[3] ?? 0);
      doc.translate(a, b);
      p = { k: p.k, tx: p.tx + p.k * a, ty: p.ty + p.k * b };
    } else {
      if (t[3] !== undefined && Number(t[3]) !== a) throw new Error('non-uniform scale');
      doc.scale(a);
      p = { k: p.k * a, tx: p.tx, ty: p.ty };
    }
  }
  return p;
}

function paint(doc: Pdf, s: Style): void {
  const fill = s.fill !== 'none';
  const stroke = s.stroke !== 'none';
  if (stroke) {
    doc.lineWidth(s.strokeWidth);
    if (s.lineJoin === 'round' || s.lineJoin === 'bevel' || s.lineJoin === 'miter') doc.lineJoin(s.lineJoin);
  }
  if (fill && stroke) doc.fillAndStroke(s.fill, s.stroke);
  else if (fill) doc.fill(s.fill);
  else if (stroke) doc.stroke(s.stroke);
}

function drawText(doc: Pdf, node: Node, s: Style): void {
  const opts = { lineBreak: false, baseline: 'alphabetic' as const, characterSpacing: s.letterSpacing };
  doc.font(s.mono ? FONT.mono : s.bold ? FONT.bold : FONT.regular).fontSize(s.fontSize).fillColor(s.fill === 'none' ? '#000000' : s.fill);
  const w = s.anchor === 'start' ? 0 : doc.widthOfString(node.text, opts);
  const x = num(node.attrs.x) - (s.anchor === 'middle' ? w / 2 : s.anchor === 'end' ? w : 0);
  doc.text(node.text, x, num(node.attrs.y), opts);
}

function drawNode(doc: Pdf, node: Node, parent: Style, at: Placement, hooks: SvgHooks): void {
  const a = node.attrs;
  if (hooks.replace && a[hooks.replace.attribute] !== undefined) {
    doc.save();
    doc.transform(1 / at.k, 0, 0, 1 / at.k, -at.tx / at.k, -at.ty / at.k);
    hooks.replace.draw(a, at);
    doc.restore();
    return;
  }
  const s = styleOf(parent, a);
  switch (node.name) {
    case 'title': doc.info.Title = node.text; return;
    case 'desc': doc.info.Subject = node.text; return;
    case 'g': {
      doc.save();
      const inner = applyTransform(doc, at, a.transform);
      for (const c of node.children) drawNode(doc, c, s, inner, hooks);
      doc.restore();
      return;
    }
    case 'rect': doc.rect(num(a.x), num(a.y), num(a.width), num(a.height)); break;
    case 'line': doc.moveTo(num(a.x1), num(a.y1)).lineTo(num(a.x2), num(a.y2)); paint(doc, { ...s, fill: 'none' }); return;
    case 'circle': doc.circle(num(a.cx), num(a.cy), num(a.r)); break;
    case 'polygon': {
      const pts = a.points.trim().split(/\s+/).map((p) => p.split(',').map(Number) as [number, number]);
      doc.polygon(...pts);
      break;
    }
    case 'path': doc.path(a.d); break;
    case 'text': drawText(doc, node, s); return;
    default: throw new Error(`<${node.name}> is not in the SVG subset the PDF draws`);
  }
  paint(doc, s);
}

/**
 * Draws `svg` into the box (x, y, width) of the current page, in points: its viewBox is scaled to
 * the width (uniformly). Returns the placement of the viewBox's user units on the page.
 */
export function drawSvg(doc: Pdf, svg: string, box: { x: number; y: number; width: number }, hooks: SvgHooks = {}): Placement {
  const root = parseSvg(svg);
  const [vx, vy, vw] = (root.attrs.viewBox ?? '0 0 100 100').split(/\s+/).map(Number);
  const k = box.width / vw;
  const at: Placement = { k, tx: box.x - k * vx, ty: box.y - k * vy };
  const base: Style = styleOf({
    fill: '#000000', stroke: 'none', strokeWidth: 1, fontSize: 16, bold: false, mono: false, anchor: 'start', letterSpacing: 0,
  }, root.attrs);
  doc.save();
  doc.translate(at.tx, at.ty).scale(k);
  for (const c of root.children) drawNode(doc, c, base, at, hooks);
  doc.restore();
  return at;
}
