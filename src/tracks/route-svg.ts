// route.svg: the legs, stops and places of a route on a plain projected canvas (equirectangular,
// x scaled by cos(latitude)), with a scale bar and a legend. No map tiles: the service has no
// internet. Long legs are simplified (Douglas–Peucker, half a pixel) so a leg of thousands of fixes
// draws as the few hundred points the eye can tell apart.
import { KM_PER_DEGREE, simplify, type LatLng } from './geo.js';
import type { Route } from './route.js';

const W = 960;
const H = 680;
const PAD = 40;
const LEGEND_H = 110;
const MAP_H = H - LEGEND_H;
const ALERT_RED = '#d00000';
const LEG_COLOURS = ['#1f6fd1', '#d1731f', '#2a9d4b', '#8e44ad', '#c0392b', '#16a085'];
const PLACE_STYLE = {
  pickup: { fill: '#2a9d4b', label: 'Pickup' },
  handover: { fill: '#e6a700', label: 'Handover' },
  delivery: { fill: '#c0392b', label: 'Delivery' },
} as const;

/** Text drawn over the legs, on a white outline (a copy underneath: simple renderers ignore paint-order). */
function haloText(x: number, y: number, text: string, attrs: string): string {
  const at = `x="${x.toFixed(1)}" y="${y.toFixed(1)}" ${attrs}`;
  return `<text ${at} stroke="#ffffff" stroke-width="4" stroke-linejoin="round">${text}</text><text ${at}>${text}</text>`;
}
const esc = (s: string) => s.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
const f1 = (v: number) => v.toFixed(1);

/** 1, 2 or 5 × a power of ten km: the longest not beyond maxKm. */
function niceKm(maxKm: number): number {
  const p = 10 ** Math.floor(Math.log10(maxKm));
  return [5, 2, 1].map((m) => m * p).find((v) => v <= maxKm) ?? p;
}

function canvas(points: LatLng[]) {
  // A loop, not Math.min(...): a leg of 100,000 fixes would overflow the argument list.
  let [minLat, maxLat, minLng, maxLng] = [Infinity, -Infinity, Infinity, -Infinity];
  for (const p of points) {
    if (p.lat < minLat) minLat = p.lat;
    if (p.lat > maxLat) maxLat = p.lat;
    if (p.lng < minLng) minLng = p.lng;
    if (p.lng > maxLng) maxLng = p.lng;
  }
  const cos = Math.cos(((minLat + maxLat) / 2) * Math.PI / 180);
  // At least 1 km across, so that a single point or a stand-still still draws.
  const spanX = Math.max((maxLng - minLng) * cos, 1 / KM_PER_DEGREE);
  const spanY = Math.max(maxLat - minLat, 1 / KM_PER_DEGREE);
  const scale = Math.min((W - 2 * PAD) / spanX, (MAP_H - 2 * PAD) / spanY); // px per projected degree
  const ox = PAD + ((W - 2 * PAD) - (maxLng - minLng) * cos * scale) / 2;
  const oy = PAD + ((MAP_H - 2 * PAD) - (maxLat - minLat) * scale) / 2;
  return {
    scale,
    pxPerKm: scale / KM_PER_DEGREE,
    x: (p: LatLng) => ox + (p.lng - minLng) * cos * scale,
    y: (p: LatLng) => oy + (maxLat - p.lat) * scale,
  };
}

export function routeSvg(route: Route, title: string, carrierNames: Map<string, string>): string {
  const all: LatLng[] = [...route.legs.flatMap((l) => l.points), ...route.stops, ...route.places, ...(route.approved?.points ?? [])];
  const out: string[] = [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${W}" height="${H}" viewBox="0 0 ${W} ${H}" font-family="'Noto Sans SC', 'Source Han Sans SC', 'Microsoft YaHei', 'PingFang SC', sans-serif" font-size="13">`,
    `<title>${esc(title)}</title>`,
    `<rect x="0" y="0" width="${W}" height="${H}" fill="#ffffff"/>`,
    `<rect x="0.5" y="0.5" width="${W - 1}" height="${MAP_H - 1}" fill="#f7f7f4" stroke="#cccccc"/>`,
    `<text x="${PAD}" y="24" font-size="16" font-weight="bold">${esc(title)}</text>`,
  ];
  if (all.length === 0) {
    out.push(`<text x="${W / 2}" y="${MAP_H / 2}" text-anchor="middle" fill="#666666">No track recorded for this manifest</text>`);
  } else {
    const c = canvas(all);
    const pt = (p: LatLng) => `${f1(c.x(p))},${f1(c.y(p))}`;
    if (route.approved) {
      out.push(`<polyline class="approved-route" points="${route.approved.points.map(pt).join(' ')}" fill="none" stroke="#2a9d4b" stroke-opacity="0.45" stroke-width="9" stroke-linejoin="round" stroke-linecap="round"/>`);
    }
    route.legs.forEach((leg, i) => {
      const colour = LEG_COLOURS[i % LEG_COLOURS.length];
      if (leg.points.length >= 2) {
        // The straight corridor between the leg's ends (unless a route is approved), then the road taken.
        if (!route.approved) out.push(`<line class="corridor" x1="${f1(c.x(leg.points[0]))}" y1="${f1(c.y(leg.points[0]))}" x2="${f1(c.x(leg.points.at(-1)!))}" y2="${f1(c.y(leg.points.at(-1)!))}" stroke="${colour}" stroke-opacity="0.35" stroke-width="1.5" stroke-dasharray="6 5"/>`);
        const projected = leg.points.map((p) => ({ x: c.x(p), y: c.y(p) }));
        const kept = simplify(projected, 0.5);
        out.push(`<polyline class="leg" data-position="${leg.position}" data-fixes="${leg.points.length}" points="${kept.map((k) => `${f1(projected[k].x)},${f1(projected[k].y)}`).join(' ')}" fill="none" stroke="${colour}" stroke-width="3" stroke-linejoin="round" stroke-linecap="round"/>`);
      } else if (leg.points.length === 1) {
        out.push(`<circle class="leg" data-position="${leg.position}" data-fixes="1" cx="${f1(c.x(leg.points[0]))}" cy="${f1(c.y(leg.points[0]))}" r="3" fill="${colour}"/>`);
      }
    });
    for (const s of route.stops) {
      const r = Math.min(14, 5 + Math.sqrt(s.minutes) / 1.5);
      const ink = s.alerting ? ALERT_RED : '#333333';
      out.push(`<circle class="stop${s.alerting ? ' alerting' : ''}" cx="${f1(c.x(s))}" cy="${f1(c.y(s))}" r="${f1(r)}" fill="#ffffff" fill-opacity="0.8" stroke="${ink}" stroke-width="${s.alerting ? 3 : 2}"/>`);
      out.push(haloText(c.x(s) + r + 3, c.y(s) + 4, `${s.minutes} min`, `class="stop-label" fill="${ink}"${s.alerting ? ' font-weight="bold"' : ''}`));
    }
    // A label per place, but one for places drawn on top of each other (the two fixes of a handover).
    const labelled: Array<[number, number]> = [];
    for (const p of route.places) {
      const style = PLACE_STYLE[p.kind];
      const [x, y] = [c.x(p), c.y(p)];
      const crowded = labelled.some(([lx, ly]) => Math.hypot(lx - x, ly - y) < 24);
      out.push(p.kind === 'handover'
        ? `<polygon class="place ${p.kind}" points="${f1(x)},${f1(y - 8)} ${f1(x + 8)},${f1(y)} ${f1(x)},${f1(y + 8)} ${f1(x - 8)},${f1(y)}" fill="${style.fill}" stroke="#ffffff" stroke-width="1.5"/>`
        : `<rect class="place ${p.kind}" x="${f1(x - 7)}" y="${f1(y - 7)}" width="14" height="14" fill="${style.fill}" stroke="#ffffff" stroke-width="1.5"/>`);
      if (!crowded) {
        labelled.push([x, y]);
        out.push(haloText(x + 10, y - 9, style.label, `font-weight="bold" fill="${style.fill}"`));
      }
    }
    // Scale bar: a round length near a fifth of the width, bottom left of the map.
    const km = niceKm((W / 5) / c.pxPerKm);
    const len = km * c.pxPerKm;
    const sy = MAP_H - 18;
    out.push(`<g class="scale-bar"><line x1="${PAD}" y1="${sy}" x2="${f1(PAD + len)}" y2="${sy}" stroke="#000000" stroke-width="3"/>`,
      `<line x1="${PAD}" y1="${sy - 6}" x2="${PAD}" y2="${sy + 2}" stroke="#000000" stroke-width="2"/><line x1="${f1(PAD + len)}" y1="${sy - 6}" x2="${f1(PAD + len)}" y2="${sy + 2}" stroke="#000000" stroke-width="2"/>`,
      `<text x="${f1(PAD + len + 8)}" y="${sy + 4}">${km} km</text></g>`);
    out.push(`<text x="${W - PAD}" y="${PAD}" text-anchor="end" font-size="16" font-weight="bold">N ↑</text>`);
  }
  // Legend: one row per leg, then the symbols.
  const ly = MAP_H + 22;
  out.push('<g class="legend">');
  route.legs.forEach((leg, i) => {
    const colour = LEG_COLOURS[i % LEG_COLOURS.length];
    const y = ly + i * 20;
    const name = carrierNames.get(leg.carrierOrgId) ?? leg.carrierOrgId;
    out.push(`<line x1="${PAD}" y1="${y - 4}" x2="${PAD + 28}" y2="${y - 4}" stroke="${colour}" stroke-width="3"/>`,
      `<text x="${PAD + 36}" y="${y}">Leg ${leg.position + 1}: ${esc(name)} — ${leg.distanceKm.toFixed(1)} km, ${leg.points.length} fixes</text>`);
  });
  const sx = W / 2 + 60;
  out.push(`<circle cx="${sx + 7}" cy="${ly - 4}" r="6" fill="#ffffff" stroke="#333333" stroke-width="2"/><text x="${sx + 20}" y="${ly}">Stop (duration)</text>`);
  out.push(`<circle cx="${sx + 157}" cy="${ly + 36}" r="6" fill="#ffffff" stroke="${ALERT_RED}" stroke-width="3"/><text x="${sx + 170}" y="${ly + 40}">Long stop away from known places</text>`);
  Object.values(PLACE_STYLE).forEach((s, i) => {
    const y = ly + (i + 1) * 20;
    out.push(`<rect x="${sx}" y="${y - 11}" width="14" height="14" fill="${s.fill}"/><text x="${sx + 20}" y="${y}">${s.label}</text>`);
  });
  out.push(`<line x1="${sx + 150}" y1="${ly - 4}" x2="${sx + 178}" y2="${ly - 4}" stroke="#555555" stroke-dasharray="6 5"/><text x="${sx + 186}" y="${ly}">Straight corridor</text>`);
  if (route.approved) out.push(`<line x1="${sx + 150}" y1="${ly + 16}" x2="${sx + 178}" y2="${ly + 16}" stroke="#2a9d4b" stroke-opacity="0.45" stroke-width="9"/><text x="${sx + 186}" y="${ly + 20}">Approved route: ${esc(route.approved.name)}</text>`);
  out.push('</g></svg>');
  return out.join('\n');
}
