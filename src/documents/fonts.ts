// The CJK font every printed document embeds: Noto Sans SC (SIL Open Font License), shipped through
// npm by @expo-google-fonts/noto-sans-sc, so the service needs no system font and no internet.
// Each TTF is about 10 MB: it is read once per process and kept; a document embeds only the subset
// of glyphs it uses (pdfkit subsets TrueType fonts), so a label PDF stays a few tens of kB.
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';

const require = createRequire(import.meta.url);

const FILES = {
  regular: '@expo-google-fonts/noto-sans-sc/400Regular/NotoSansSC_400Regular.ttf',
  bold: '@expo-google-fonts/noto-sans-sc/700Bold/NotoSansSC_700Bold.ttf',
} as const;

export type FontWeight = keyof typeof FILES;

const cache = new Map<FontWeight, Buffer>();

/** The TTF bytes of a weight, read on first use and shared by every later document of the process. */
export function cjkFont(weight: FontWeight): Buffer {
  let buf = cache.get(weight);
  if (!buf) {
    buf = readFileSync(require.resolve(FILES[weight]));
    cache.set(weight, buf);
  }
  return buf;
}
