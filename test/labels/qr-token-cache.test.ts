import { describe, it, expect } from 'vitest';
import { generateKeyRing } from '../../src/auth/keys.js';
import { AppError } from '../../src/core/errors.js';
import { LabelTokenCache, signLabelToken, verifyLabelToken } from '../../src/labels/qr-token.js';

const label = { lid: '0b9f3c52-8a57-4c1e-9a8e-1f2d3c4b5a69', dc: '91140105MA0KXXXXX29000414920261128001' };
// A short token names the label by its id alone.
const claims = { lid: label.lid };
const labelNo = (n: number) => ({ ...label, lid: `${label.lid.slice(0, -1)}${n}` });

// The parts of a short token: key character, label id, signature.
const PARTS: Array<[number, number]> = [[0, 1], [1, 23], [23, 109]];

/** The token with one character of its part `i` (0 key, 1 label id, 2 signature) changed. */
function alter(token: string, i: number): string {
  const [from, to] = PARTS[i];
  const at = Math.floor((from + to - 1) / 2);
  return token.slice(0, at) + (token[at] === 'A' ? 'B' : 'A') + token.slice(at + 1);
}

async function refusal(p: Promise<unknown>): Promise<string> {
  try {
    await p;
  } catch (e) {
    expect(e).toBeInstanceOf(AppError);
    return (e as AppError).code;
  }
  throw new Error('the token was accepted');
}

describe('verifyLabelToken cache', () => {
  it('refuses an altered token even after the genuine one was cached', async () => {
    const keys = await generateKeyRing();
    const cache = new LabelTokenCache();
    const token = await signLabelToken(keys, label);
    expect(await verifyLabelToken(keys, token, cache)).toEqual(claims);
    expect(cache.size).toBe(1);
    expect(await verifyLabelToken(keys, token, cache)).toEqual(claims); // from the cache
    for (const part of [0, 1, 2]) {
      const altered = alter(token, part);
      expect(altered).not.toBe(token);
      expect(await refusal(verifyLabelToken(keys, altered, cache))).toBe('QR_INVALID');
      // Refused again: a failure is never cached as a success.
      expect(await refusal(verifyLabelToken(keys, altered, cache))).toBe('QR_INVALID');
    }
    expect(cache.size).toBe(1);
  });

  it('does not accept a token cached under another key ring', async () => {
    const [mine, theirs] = [await generateKeyRing(), await generateKeyRing()];
    const token = await signLabelToken(theirs, label);
    expect(await verifyLabelToken(theirs, token)).toEqual(claims); // cached for `theirs`
    expect(await refusal(verifyLabelToken(mine, token))).toBe('QR_INVALID');
  });

  it('hands out copies: a caller changing its claims does not change later scans', async () => {
    const keys = await generateKeyRing();
    const cache = new LabelTokenCache();
    const token = await signLabelToken(keys, label);
    (await verifyLabelToken(keys, token, cache)).lid = 'changed';
    (await verifyLabelToken(keys, token, cache)).lid = 'changed';
    expect(await verifyLabelToken(keys, token, cache)).toEqual(claims);
  });

  it('is bounded, dropping the oldest token first', async () => {
    const keys = await generateKeyRing();
    const cache = new LabelTokenCache(3);
    const tokens = await Promise.all([0, 1, 2, 3, 4].map((n) => signLabelToken(keys, labelNo(n))));
    for (const t of tokens) await verifyLabelToken(keys, t, cache);
    expect(cache.size).toBe(3);
    expect(cache.get(tokens[0])).toBeUndefined();
    expect(cache.get(tokens[1])).toBeUndefined();
    expect(cache.get(tokens[4])?.lid.endsWith('4')).toBe(true);
    // An evicted token is verified again, and still accepted.
    expect((await verifyLabelToken(keys, tokens[0], cache)).lid.endsWith('0')).toBe(true);
    expect(cache.size).toBe(3);
  });
});
