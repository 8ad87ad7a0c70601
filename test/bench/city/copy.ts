// COPY ... FROM STDIN in PostgreSQL's text format, one stream per table, so that millions of
// rows load at disk speed instead of one INSERT round trip each. Rows are buffered into chunks and
// written with backpressure: the generator awaits `drained()` once per simulated day.
import pg from 'pg';
import { from as copyFrom } from 'pg-copy-streams';

export type Cell = string | number | boolean | null | undefined | Date | string[] | object;

// Text format: backslash escapes for the four characters that would end a field or a row.
const escape = (s: string) => (/[\\\t\n\r]/.test(s) ? s.replace(/[\\\t\n\r]/g, (c) => ({ '\\': '\\\\', '\t': '\\t', '\n': '\\n', '\r': '\\r' })[c]!) : s);

/** A text[] literal: every element quoted, so commas, braces and spaces inside need no thought. */
const arrayLiteral = (a: string[]) => `{${a.map((e) => `"${e.replace(/["\\]/g, (c) => `\\${c}`)}"`).join(',')}}`;

function cell(v: Cell): string {
  if (v === null || v === undefined) return '\\N';
  if (typeof v === 'string') return escape(v);
  if (typeof v === 'number') return String(v);
  if (typeof v === 'boolean') return v ? 't' : 'f';
  if (v instanceof Date) return v.toISOString();
  if (Array.isArray(v)) return escape(arrayLiteral(v));
  return escape(JSON.stringify(v)); // jsonb
}

const CHUNK = 1 << 16;

export class CopyTable {
  rows = 0;
  private buf = '';
  private stream!: ReturnType<typeof copyFrom>;
  private done!: Promise<void>;
  private constructor(private readonly client: pg.Client, readonly table: string) {}

  static async open(url: string, table: string, columns: string[]): Promise<CopyTable> {
    const client = new pg.Client({ connectionString: url });
    await client.connect();
    // Nothing waits for these commits: losing the load to a crash only means running it again.
    await client.query('SET synchronous_commit = off');
    const t = new CopyTable(client, table);
    t.stream = client.query(copyFrom(`COPY ${table} (${columns.map((c) => `"${c}"`).join(', ')}) FROM STDIN`));
    t.done = new Promise((resolve, reject) => { t.stream.on('finish', resolve); t.stream.on('error', reject); });
    t.done.catch(() => {}); // reported by end() or drained()
    return t;
  }

  write(cells: Cell[]): void {
    this.rows++;
    this.buf += `${cells.map(cell).join('\t')}\n`;
    if (this.buf.length >= CHUNK) this.flush();
  }

  private flush(): void {
    if (this.buf) this.stream.write(this.buf);
    this.buf = '';
  }

  /** Resolves once PostgreSQL has taken what was written so far (bounded memory). */
  async drained(): Promise<void> {
    this.flush();
    if (this.stream.writableNeedDrain) {
      await Promise.race([new Promise((r) => this.stream.once('drain', r)), this.done]);
    }
  }

  async end(): Promise<void> {
    this.flush();
    this.stream.end();
    await this.done;
    await this.client.end();
  }
}
