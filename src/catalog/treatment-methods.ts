// Treatment / utilisation method codes in the style of HJ 1033 appendix F.
// R = utilisation (利用), D = disposal (处置), C = other routes (e.g. co-processing).

export type MethodKind = 'utilisation' | 'disposal' | 'other';

export interface MethodInfo {
  kind: MethodKind;
  name: string;
}

/** Regex source usable as a JSON-schema `pattern`. */
export const METHOD_CODE_PATTERN = '^(R|D|C)\\d{1,2}$';

export const METHOD_KINDS: Readonly<Record<string, MethodInfo>> = Object.freeze({
  R1: { kind: 'utilisation', name: '作为燃料（直接燃烧除外）或以其他方式产生能量' },
  R2: { kind: 'utilisation', name: '溶剂回收/再生（如蒸馏、萃取等）' },
  R3: { kind: 'utilisation', name: '再循环/再利用不是用作溶剂的有机物' },
  R4: { kind: 'utilisation', name: '再循环/再利用金属和金属化合物（金属回收）' },
  R5: { kind: 'utilisation', name: '再循环/再利用其他无机物' },
  R6: { kind: 'utilisation', name: '再生酸或碱' },
  R7: { kind: 'utilisation', name: '回收污染减除剂的组分' },
  R8: { kind: 'utilisation', name: '回收催化剂组分' },
  R9: { kind: 'utilisation', name: '废油再提炼或其他废油的再利用' },
  R10: { kind: 'utilisation', name: '生产肥料' },
  R11: { kind: 'utilisation', name: '用于土壤处理以改善土壤' },
  R12: { kind: 'utilisation', name: '生产建筑材料' },
  R13: { kind: 'utilisation', name: '清洗包装容器' },
  R14: { kind: 'utilisation', name: '利用前的预处理' },
  R15: { kind: 'utilisation', name: '其他利用方式' },
  D1: { kind: 'disposal', name: '填埋' },
  D9: { kind: 'disposal', name: '物理化学处理' },
  D10: { kind: 'disposal', name: '焚烧' },
  D16: { kind: 'disposal', name: '其他处置方式' },
  C1: { kind: 'other', name: '水泥窑协同处置' },
  C2: { kind: 'other', name: '生产建筑材料' },
  C3: { kind: 'other', name: '清洗（包装容器）' },
  C4: { kind: 'other', name: '预处理后转移' },
  C5: { kind: 'other', name: '其他' },
});

/** Kind of a known method code; undefined for unknown codes (even if well-formed). */
export function methodKind(code: string): MethodKind | undefined {
  return Object.hasOwn(METHOD_KINDS, code) ? METHOD_KINDS[code].kind : undefined;
}
