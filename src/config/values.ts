/**
 * The values the two file formats are made of, each checked where it is read: names, commands and
 * programs, endpoints, HDFS paths (within HDFS's own limits) and HBase table names.
 */
import { z } from 'zod';

export const clusterName = z
  .string()
  .regex(/^[A-Za-z][A-Za-z0-9_-]*$/, 'a cluster name starts with a letter, then letters, digits, "-" or "_"');

export const argv = z
  .array(z.string())
  .min(1, { error: 'a command is a non-empty list: [program, arg, ...]', abort: true })
  .refine((a) => a[0] !== undefined && a[0].trim() !== '', 'the program (the first item) is empty')
  .refine((a) => !a[0]?.startsWith('-'), 'the first item is the program, not an option (it starts with "-")');

/** A program to run: a name or a path, never an option (it would be read as one). */
export const program = (example: string) =>
  z
    .string()
    .min(1)
    .refine((t) => !t.startsWith('-'), `a program's name or path, e.g. ${example}, not an option (it starts with "-")`)
    .refine((t) => !/[\n\r\0]/.test(t), 'one line: no line breaks or NUL in a program path');

/** A hook's time limit: Node cannot wait longer than about 24 days, and a day is plenty. */
export const hookTimeout = z.number().positive().max(86_400, 'at most 86400 seconds (a day)').default(300);

/** The authority of an endpoint: a host and a port that exists, nothing else (no credentials in files). */
export const authority = (what: string, example: string) =>
  z.string().superRefine((u, ctx) => {
    const m = /^([a-z]+):\/\/([^/\s?#\\]+)\/?$/.exec(u);
    if (!m) ctx.addIssue({ code: 'custom', message: `${what}, e.g. ${example} (no path, query or fragment)` });
    else if (m[2]!.includes('@'))
      ctx.addIssue({ code: 'custom', message: `no user or password in ${what.split(' is ')[0]}: hbackup acts as "user"` });
    else {
      const port = /:(\d+)$/.exec(m[2]!)?.[1];
      if (port !== undefined && (Number(port) < 1 || Number(port) > 65535))
        ctx.addIssue({ code: 'custom', message: `port ${port} does not exist (1-65535)` });
    }
  });

export const httpUrl = authority('a WebHDFS endpoint is http(s)://host:port', 'http://nn1.example.com:9870').refine(
  (u) => /^https?:/.test(u),
  'a WebHDFS endpoint is http:// or https://',
);

export const rmUrl = authority('a ResourceManager endpoint is http(s)://host:port', 'http://rm1.example.com:8088').refine(
  (u) => /^https?:/.test(u),
  'a ResourceManager endpoint is http:// or https://',
);

/** `host:port`, as a DataNode address is written. */
export const hostPort = z
  .string()
  .regex(/^(?:[A-Za-z0-9](?:[A-Za-z0-9.-]*[A-Za-z0-9])?|\[[0-9A-Fa-f:.]+\]):\d{1,5}$/, 'a DataNode address is host:port, e.g. dn1:9864');

export const hdfsPath = z
  .string()
  .regex(/^\//, 'an HDFS path must be absolute, e.g. /data/orders')
  .refine(
    (p) =>
      p === '/' ||
      (!p.endsWith('/') &&
        !p
          .split('/')
          .slice(1)
          .some((s) => s === '' || s === '.' || s === '..')),
    'write the path normalised: no "//", ".", ".." or trailing "/"',
  )
  .refine((p) => !p.split('/').includes('.snapshot'), 'name the directory itself, not a path inside .snapshot')
  // HDFS's own limits (dfs.namenode.fs-limits.max-component-length, and its longest path).
  .refine((p) => p.length <= 8000, { error: 'an HDFS path is at most 8000 characters long', abort: true })
  .refine(
    (p) => p.split('/').every((c) => Buffer.byteLength(c) <= 255),
    'each name in an HDFS path is at most 255 bytes (dfs.namenode.fs-limits.max-component-length)',
  )
  // biome-ignore lint/suspicious/noControlCharactersInRegex: control characters are what is refused
  .refine((p) => !/[\u0000-\u001f\u007f\u202a-\u202e\u2066-\u2069:]/.test(p), 'no control characters, bidi controls or ":" in an HDFS path')
  // Data sets swap sides at a failover: neither side may be the root or hbackup's own directory.
  .refine(
    (p) => p !== '/' && p !== '/.hbackup' && !p.startsWith('/.hbackup/'),
    'not / nor /.hbackup (a full copy would delete what else is there)',
  );

/** `namespace:table` or `table` (the default namespace), as HBase allows them; not HBase's own tables. */
export const TABLE_NAME = /^(?:([A-Za-z0-9_]+):)?([A-Za-z0-9_][A-Za-z0-9_.-]*)$/;
export const tableName = z
  .string()
  .regex(
    TABLE_NAME,
    'an HBase table is namespace:table or table, e.g. orders:events (letters, digits, "_", and "." or "-" after the first)',
  )
  .refine((t) => !t.startsWith('hbase:'), "the hbase namespace holds HBase's own tables; name a table of the service");

/** `database.table`, as Hive names tables (it keeps them in lower case). */
export const hiveTable = z
  .string()
  .regex(
    /^[A-Za-z0-9_]+\.([A-Za-z0-9_]+|\*)$/,
    'a Hive table is database.table, e.g. sales.orders (letters, digits and "_"), or database.* for every table of a database',
  )
  .transform((t) => t.toLowerCase());

const SPAN_UNITS: Record<string, number> = { s: 1, m: 60, h: 3600, d: 86_400, w: 604_800 };

/** A span as written in a policy ("90m", "1h", "30d"), in seconds; undefined when it is not one. */
export function parseSpan(text: string): number | undefined {
  const m = /^(\d+)([smhdw])$/.exec(text.trim());
  return m ? Number(m[1]) * SPAN_UNITS[m[2]!]! : undefined;
}

/** A span in a policy: written "90m", "1h", "30d", "4w"; read as seconds. */
export const span = z
  .string()
  .refine((v) => parseSpan(v) !== undefined, 'a span: a whole number and s, m, h, d or w, e.g. 90m, 1h, 30d')
  .transform((v) => parseSpan(v)!);

const BYTE_UNITS: Record<string, number> = { '': 1, b: 1, kib: 1024, mib: 1024 ** 2, gib: 1024 ** 3, kb: 1e3, mb: 1e6, gb: 1e9 };

/** A size as written in a policy ("64MiB", "512 KiB", "1GB", or bytes), in bytes; undefined when it is not one. */
export function parseBytes(text: string | number): number | undefined {
  if (typeof text === 'number') return Number.isInteger(text) && text >= 0 ? text : undefined;
  const m = /^(\d+(?:\.\d+)?)\s*([KMG]i?B|B)?$/i.exec(text.trim());
  const unit = BYTE_UNITS[(m?.[2] ?? '').toLowerCase()];
  return m && unit ? Math.round(Number(m[1]) * unit) : undefined;
}

/** A size in a policy: bytes, or a number and KiB, MiB, GiB (KB, MB, GB); read as bytes. */
export const byteSize = z
  .union([z.string(), z.number()])
  .refine((v) => parseBytes(v) !== undefined, 'a size: bytes, or a number and KiB, MiB or GiB, e.g. 64MiB')
  .transform((v) => parseBytes(v)!);

const periods = z.int().min(0).max(1000);

/** How many restore points a side keeps: the newest N, or a thinning by age. */
export const keep = z.union([
  z.int().min(1),
  z
    .strictObject({
      within: span.optional().describe('Every restore point younger than this is kept, e.g. 1h.'),
      minutely: periods.optional().describe('Then the newest point of each of the last N minutes that have one.'),
      hourly: periods.optional().describe('… of each of the last N hours.'),
      daily: periods.optional().describe('… of each of the last N days (UTC).'),
      weekly: periods.optional().describe('… of each of the last N ISO weeks.'),
      monthly: periods.optional().describe('… of each of the last N months.'),
    })
    .describe(
      'A thinning: e.g. {within: 1h, hourly: 24, daily: 30} keeps every point of the last hour, one an hour for a day, one a day for a month.',
    ),
]);
