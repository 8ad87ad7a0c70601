// 数字识别码 (docs/regulations.md#digital-code, project reading): USCC (18) + waste code without dashes (8)
// + generation date YYYYMMDD in Asia/Shanghai (8) + sequence 001..999 per unit, code and day (3).
export const MAX_DAILY_SEQUENCE = 999;

export function digitalCode(uscc: string, wasteCode: string, generatedOn: string, sequence: number): string {
  if (sequence < 1 || sequence > MAX_DAILY_SEQUENCE) throw new RangeError(`sequence ${sequence} out of 1..${MAX_DAILY_SEQUENCE}`);
  return `${uscc}${wasteCode.replace(/-/g, '')}${generatedOn.replace(/-/g, '')}${String(sequence).padStart(3, '0')}`;
}

export const DIGITAL_CODE_PATTERN = '^[0-9A-HJ-NPQRTUWXY]{18}\\d{8}\\d{8}\\d{3}$';
