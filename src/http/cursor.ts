// Opaque keyset cursors: (time, id) of the last item of a page, base64url-encoded.
import { invalid } from './errors.js';

export function encodeCursor(at: Date, id: string): string {
  return Buffer.from(`${at.toISOString()}|${id}`).toString('base64url');
}

export function decodeCursor(cursor: string): { at: Date; id: string } {
  const [iso, id] = Buffer.from(cursor, 'base64url').toString().split('|');
  const at = new Date(iso ?? '');
  if (!id || Number.isNaN(at.getTime()) || !/^[0-9a-f-]{36}$/.test(id)) {
    throw invalid('cursor is not one this API returned', [{ path: 'query.cursor', message: 'invalid cursor' }]);
  }
  return { at, id };
}
