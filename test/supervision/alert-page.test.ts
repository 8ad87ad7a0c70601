// The alerts page's order and cursor (src/supervision/alert-page.ts), on lists made up here: every
// alert once in order across pages, and a cursor that stays exact when alerts come and go between
// two requests (each request computes the list anew).
import { describe, expect, it } from 'vitest';
import { alertCursor, alertOrder, alertPage } from '../../src/supervision/alert-page.js';
import type { Alert } from '../../src/supervision/alerts.js';

const alert = (deadline: string, entityId: string, type: Alert['type'] = 'receipt_overdue'): Alert => ({
  type, severity: 'medium', entityType: 'manifest', entityId, orgId: 'o', regionCode: '140105',
  deadline, lateBy: null, summary: '', details: {},
});
const ids = (alerts: Alert[]) => alerts.map((a) => `${a.deadline.slice(8, 10)} ${a.entityId} ${a.type}`);

/** Every page, asking each time for the list `now()` gives then. */
function walk(now: () => Alert[], limit: number): Alert[][] {
  const pages: Alert[][] = [];
  let cursor: string | null = null;
  do {
    const page = alertPage([...now()].sort(alertOrder), limit, alertCursor(cursor ?? undefined));
    pages.push(page.items);
    cursor = page.nextCursor;
  } while (cursor);
  return pages;
}

describe('alerts in pages', () => {
  const list = [
    alert('2026-01-03T00:00:00.000Z', 'b'), alert('2026-01-01T00:00:00.000Z', 'z'),
    alert('2026-01-02T00:00:00.000Z', 'a'), alert('2026-01-02T00:00:00.000Z', 'a', 'refusal'),
    alert('2026-01-02T00:00:00.000Z', 'A'), alert('2026-01-04T00:00:00.000Z', 'c'),
  ];

  it('orders by deadline, then entity, then type, by code unit; pages walk every alert once', () => {
    const sorted = [...list].sort(alertOrder);
    expect(ids(sorted)).toEqual(['01 z receipt_overdue', '02 A receipt_overdue', '02 a receipt_overdue', '02 a refusal', '03 b receipt_overdue', '04 c receipt_overdue']);
    for (const limit of [1, 2, 4, 6, 10]) {
      const pages = walk(() => list, limit);
      expect(pages.flat(), `limit ${limit}`).toEqual(sorted);
      expect(pages.every((p) => p.length <= limit)).toBe(true);
    }
  });

  it('a cursor resumes after its key when alerts before it close and others open', () => {
    let current = [...list];
    let requests = 0;
    const pages = walk(() => {
      requests += 1;
      // Between the first page and the second: the first alert closes, one opens before the
      // cursor (the reader has moved past it) and one after it.
      if (requests === 2) current = [...current.filter((a) => a.entityId !== 'z'), alert('2026-01-01T12:00:00.000Z', 'new-before'), alert('2026-01-05T00:00:00.000Z', 'new-after')];
      return current;
    }, 2);
    expect(pages.map(ids)).toEqual([
      ['01 z receipt_overdue', '02 A receipt_overdue'],
      ['02 a receipt_overdue', '02 a refusal'],
      ['03 b receipt_overdue', '04 c receipt_overdue'],
      ['05 new-after receipt_overdue'],
    ]);
  });

  it('a cursor is refused unless it is three strings or numbers the API could have issued', () => {
    for (const bad of ['x', Buffer.from('{"a":1}').toString('base64url'), Buffer.from('["a","b"]').toString('base64url')]) {
      expect(() => alertCursor(bad), bad).toThrow(/cursor/);
    }
  });
});
