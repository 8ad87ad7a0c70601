// The one way the service writes CSV (the ledger export, the supervision exports).
import { pipeline, Readable } from 'node:stream';
import { stringify, type Options as CsvOptions } from 'csv-stringify';

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

/** One page of an export and the cursor of the next (null on the last). */
export type NextPage<Row> = (cursor?: string) => Promise<{ page: Row[]; nextCursor: string | null }>;

/**
 * A CSV stream that reads its rows one page at a time, so an export of a million rows holds one
 * page in memory. `bom` for files opened by spreadsheet programs (Chinese headings as UTF-8).
 */
export function csvStream<Row>(
  header: string[], nextPage: NextPage<Row>, toCells: (r: Row) => Array<string | number | boolean | null>, bom = false,
): Readable {
  async function* records() {
    let cursor: string | undefined;
    do {
      const { page, nextCursor } = await nextPage(cursor);
      for (const r of page) yield toCells(r);
      cursor = nextCursor ?? undefined;
    } while (cursor);
  }
  // pipeline: a page that fails to load destroys the CSV stream as well, so the response is cut off
  // rather than left hanging; the error reaches whoever reads the stream.
  return pipeline(Readable.from(records()), stringify({ ...CSV_OPTIONS, bom, header: true, columns: header }), () => {});
}

/** Rows per page of an export. */
export const EXPORT_PAGE = 1000;
