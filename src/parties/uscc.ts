// Unified social credit code (统一社会信用代码), GB 32100-2015: 18 characters, the last a check character.
const ALPHABET = '0123456789ABCDEFGHJKLMNPQRTUWXY';
const WEIGHTS = [1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28];

export const USCC_PATTERN = '^[0-9A-HJ-NPQRTUWXY]{18}$';

/** The check character for the first 17 characters, or undefined if they hold an invalid character. */
export function usccCheckCharacter(first17: string): string | undefined {
  let sum = 0;
  for (let i = 0; i < 17; i++) {
    const v = ALPHABET.indexOf(first17[i]);
    if (v < 0) return undefined;
    sum += v * WEIGHTS[i];
  }
  const check = (31 - (sum % 31)) % 31; // 31 maps to 0
  return ALPHABET[check];
}

export type UsccProblem = 'format' | 'check';

/** undefined when valid; otherwise what is wrong with it. */
export function usccProblem(code: string): UsccProblem | undefined {
  if (!new RegExp(USCC_PATTERN).test(code)) return 'format';
  return usccCheckCharacter(code.slice(0, 17)) === code[17] ? undefined : 'check';
}

/** Completes 17 characters into a valid code (bootstrap, demo data, tests). */
export function withCheckCharacter(first17: string): string {
  const c = usccCheckCharacter(first17);
  if (!c) throw new Error(`not a USCC prefix: ${first17}`);
  return first17 + c;
}
