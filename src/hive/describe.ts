/**
 * Reading a table's metadata from what HiveServer2 answers (Beeline's tsv2 output, one row a line,
 * values padded with spaces): `DESCRIBE FORMATTED` for the table, `SHOW PARTITIONS` for its
 * partitions (their values escaped as in directory names), `DESCRIBE FORMATTED … PARTITION` for
 * each partition's location.
 */
import type { Column, TableMeta } from './tables.js';

type Row = string[];

/** A padded value: trailing spaces dropped (a value of spaces alone, such as a space delimiter, kept as one). */
const value = (raw: string | undefined, key = ''): string => {
  const v = (raw ?? '').replace(/ +$/, '');
  return v === '' && raw && /delim$/.test(key.trim()) ? ' ' : v;
};
const isNull = (v: string | undefined) => v === undefined || v === 'NULL';

/** Sections of DESCRIBE FORMATTED: the columns first, then `# <title>` blocks. */
function sections(rows: Row[]): Map<string, Row[]> {
  const out = new Map<string, Row[]>();
  let current = '# columns';
  out.set(current, []);
  for (const r of rows) {
    const head = r[0] ?? '';
    if (head.startsWith('# ') && head !== '# col_name' && isNull(r[1])) {
      current = head.trim();
      out.set(current, []);
    } else if (head !== '# col_name') out.get(current)!.push(r);
  }
  return out;
}

const columns = (rows: Row[] = []): Column[] =>
  rows
    .filter((r) => (r[0] ?? '').trim() !== '')
    .map((r) => {
      const comment = value(r[2]);
      return { name: (r[0] ?? '').trim(), type: value(r[1]), ...(comment && comment !== 'NULL' ? { comment } : {}) };
    });

/** `Key:  value` rows, with the key/value rows that follow `Table Parameters:` and the like as sub-maps. */
function fields(rows: Row[] = []): { single: Record<string, string>; maps: Record<string, Record<string, string>> } {
  const single: Record<string, string> = {};
  const maps: Record<string, Record<string, string>> = {};
  let map: Record<string, string> | undefined;
  for (const r of rows) {
    const head = (r[0] ?? '').trim();
    if (head === '') {
      if (map && !isNull(r[1])) map[(r[1] ?? '').trim()] = value(r[2], r[1]);
      continue;
    }
    const key = head.replace(/:$/, '');
    if (isNull(r[1])) {
      map = {};
      maps[key] = map;
    } else {
      map = undefined;
      single[key] = value(r[1]);
    }
  }
  return { single, maps };
}

/** The table as DESCRIBE FORMATTED says it (partitions are read apart). */
export function parseDescribe(rows: Row[], database: string, name: string): Omit<TableMeta, 'partitions'> {
  const s = sections(rows);
  const table = fields(s.get('# Detailed Table Information'));
  const storage = fields(s.get('# Storage Information'));
  return {
    database,
    table: name,
    tableType: table.single['Table Type'] ?? '',
    columns: columns(s.get('# columns')),
    partitionKeys: columns(s.get('# Partition Information')),
    location: table.single.Location ?? '',
    inputFormat: storage.single.InputFormat ?? '',
    outputFormat: storage.single.OutputFormat ?? '',
    serde: storage.single['SerDe Library'] ?? '',
    serdeParams: storage.maps['Storage Desc Params'] ?? {},
    params: table.maps['Table Parameters'] ?? {},
  };
}

/** A partition's location from DESCRIBE FORMATTED … PARTITION. */
export const parsePartitionLocation = (rows: Row[]): string =>
  fields(sections(rows).get('# Detailed Partition Information')).single.Location ?? '';

/** Hive's escaping of partition values in names (FileUtils.escapePathName): %XX. */
const unescapeName = (text: string) => text.replace(/%([0-9A-Fa-f]{2})/g, (_, h: string) => String.fromCharCode(Number.parseInt(h, 16)));

/** One line of SHOW PARTITIONS (`day=2024-01-01/region=e%2Fu`) → its values, in key order. */
export const parsePartitionName = (line: string): string[] =>
  line.split('/').map((part) => unescapeName(part.slice(part.indexOf('=') + 1)));

/**
 * Every partition's values and location from EXPLAIN EXTENDED SELECT * FROM the table: its plan
 * describes each partition it would read (`partition values:` then one `key value` line per key,
 * then `properties:` with the partition's `location`) — every partition in one statement, where
 * DESCRIBE FORMATTED takes one per partition.
 */
export function parseExplainLocations(rows: Row[]): { values: string[]; location: string }[] {
  const out: { values: string[]; location: string }[] = [];
  let values: string[] | undefined;
  let reading = false;
  for (const row of rows) {
    const line = row.join('\t').replace(/^\s+/, '');
    if (line.trimEnd() === 'partition values:') {
      values = [];
      reading = true;
    } else if (reading && line.trimEnd() === 'properties:') reading = false;
    else if (reading) values!.push(/^\S+ ?(.*)$/s.exec(line)?.[1] ?? '');
    else if (values && line.startsWith('location ')) {
      out.push({ values, location: line.slice('location '.length).trimEnd() });
      values = undefined;
    }
  }
  return out;
}
