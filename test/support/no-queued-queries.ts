// Fails a test file in which a query was sent on a pg client already running one: pg 8 queues it
// with a deprecation warning, pg 9 refuses it. Reads that go together in a transaction take turns
// (src/db/read-together.ts). pg warns once per process, so the first file to do it fails.
import { afterAll, expect } from 'vitest';

const queued: string[] = [];
process.on('warning', (w) => {
  if (w.name === 'DeprecationWarning' && w.message.includes('already executing a query')) queued.push(w.stack ?? w.message);
});

afterAll(() => {
  expect(queued, 'a query sent on a pg client that was already running one').toEqual([]);
});
