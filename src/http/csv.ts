// The one way the service writes CSV (the ledger export, the supervision exports).
import type { Options as CsvOptions } from 'csv-stringify';

/**
 * How every CSV of the service is written (csv-stringify): RFC 4180 quoting, CRLF line ends, and
 * no cell a spreadsheet would run as a formula. The ledger opens in Excel, and names, remarks and
 * codes are what users typed: a text cell starting with =, +, -, @, a tab or a carriage return (or
 * the full-width ＝ ＋ － ＠) gets a leading apostrophe (OWASP "CSV injection"), so
 * `=HYPERLINK("http://x")` reads '=HYPERLINK("http://x"). Numbers are written as numbers and never
 * prefixed: they come from numeric columns, not from what someone typed, and a weight correction of
 * -5 kg must stay -5. Text is text: a name typed as "-5" comes out as '-5. Booleans are written
 * true/false, null as an empty cell.
 */
export const CSV_OPTIONS: CsvOptions = {
  record_delimiter: 'windows',
  quote_record_delimiter: true, // a lone \n or \r inside a cell is quoted too
  escape_formulas: true,
  cast: { boolean: (v) => String(v) },
};
