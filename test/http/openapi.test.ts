import fs from 'node:fs';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { documentText } from '../../src/scripts/openapi-document.js';
import { buildTestApp, type TestApp } from '../support/test-app.js';

let t: TestApp;
beforeAll(async () => { t = await buildTestApp(); });
afterAll(() => t.close());

it('the committed openapi/openapi.json is what the app serves (run `npm run openapi` after changing routes)', () => {
  const committed = fs.readFileSync(new URL('../../openapi/openapi.json', import.meta.url), 'utf8');
  expect(documentText(t.app)).toBe(committed);
});

it('every operation has an operationId and a response schema', () => {
  const doc = t.app.swagger() as { paths: Record<string, Record<string, { operationId?: string; responses?: object }>> };
  for (const [path, ops] of Object.entries(doc.paths)) {
    for (const [method, op] of Object.entries(ops)) {
      expect(op.operationId, `${method} ${path}`).toBeTruthy();
      expect(Object.keys(op.responses ?? {}).length, `${method} ${path}`).toBeGreaterThan(0);
    }
  }
});
