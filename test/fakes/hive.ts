// A metastore in memory behind a fake `beeline` session: it takes the statements hbackup writes to
// Beeline's input and answers as HiveServer2 4.0.1 does in tsv2 (DESCRIBE FORMATTED in its
// sections, SHOW PARTITIONS with escaped names), refusals on standard error as Beeline prints them.
import type { Session, Stream } from '../../src/exec/session.js';
import type { Column, TableMeta } from '../../src/hive/tables.js';

export type FakeTable = Omit<TableMeta, 'database' | 'table'>;

/** Read a statement's tokens: `names`, 'literals' (unescaped), words and punctuation. */
function tokens(text: string): string[] {
  const out: string[] = [];
  for (let i = 0; i < text.length; ) {
    const c = text[i]!;
    if (/\s/.test(c)) i++;
    else if (c === '`') {
      let j = i + 1;
      let name = '';
      for (; j < text.length; j++) {
        if (text[j] === '`' && text[j + 1] === '`') {
          name += '`';
          j++;
        } else if (text[j] === '`') break;
        else name += text[j];
      }
      out.push(`\`${name}`);
      i = j + 1;
    } else if (c === "'") {
      let j = i + 1;
      let lit = '';
      for (; j < text.length && text[j] !== "'"; j++) {
        if (text[j] === '\\') {
          const n = text[++j]!;
          if (/[0-7]/.test(n)) {
            lit += String.fromCharCode(Number.parseInt(text.slice(j, j + 3), 8));
            j += 2;
          } else lit += n === 'n' ? '\n' : n === 'r' ? '\r' : n === 't' ? '\t' : n;
        } else lit += text[j];
      }
      out.push(`'${lit}`);
      i = j + 1;
    } else if (/[(),.=]/.test(c)) {
      out.push(c);
      i++;
    } else {
      const m = /^[^\s(),.=`']+/.exec(text.slice(i))!;
      out.push(m[0]);
      i += m[0].length;
    }
  }
  return out;
}

const value = (t: string) => t.slice(1);
// Hive's FileUtils escapes these (and control characters, which no test uses) as %XX.
const ESCAPE = /["#%'*/:=?\\{[\]^]/g;
const escapeName = (v: string) => v.replace(ESCAPE, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase().padStart(2, '0')}`);

/** A Beeline that could not connect: it prints these lines on standard error and ends before answering. */
export function refusedSession(stderr: string[]): Session {
  return {
    write: () => {},
    waitFor: async () => {
      throw new Error('beeline -u ended before it answered');
    },
    lines: (stream) => (stream === 'stderr' ? stderr : []),
    end: async () => ({ exitCode: 2, stdout: '', stderr: stderr.join('\n') }),
    kill: () => {},
    unref: () => {},
  };
}

export class FakeMetastore {
  readonly dbs = new Map<string, Map<string, FakeTable>>();
  /** Refuse scans of partitioned tables without a partition filter (hive.strict.checks.no.partition.filter). */
  strict = false;
  /** Every statement run, in order (markers left out). */
  readonly log: string[] = [];
  /** Set: the server refuses every connection, and Beeline says this (e.g. a refused Kerberos login). */
  refuse: string | undefined;

  put(db: string, name: string, t: FakeTable) {
    if (!this.dbs.has(db)) this.dbs.set(db, new Map());
    this.dbs.get(db)!.set(name, structuredClone(t));
  }

  get(db: string, name: string): FakeTable | undefined {
    return this.dbs.get(db)?.get(name);
  }

  /** Beeline kept running: it reads statements and `!sh echo` lines from its input, echoes them on standard error as Beeline does, and goes on past a refused statement. */
  session = (): Session => {
    if (this.refuse)
      return refusedSession([
        `Error: Could not open client transport with JDBC Uri: jdbc:hive2://fake:10000/default: ${this.refuse} (state=08S01,code=0)`,
      ]);
    const lines: Record<Stream, string[]> = { stdout: [], stderr: [] };
    const seen: Record<Stream, number> = { stdout: 0, stderr: 0 };
    let statement = '';
    let pending = '';
    return {
      write: (text) => {
        const parts = (pending + text).split('\n');
        pending = parts.pop() ?? '';
        for (const line of parts) {
          lines.stderr.push(`0: jdbc:hive2://fake:10000/default> ${line}`);
          const echo = /^!sh echo (.*)$/.exec(line);
          if (echo && !statement) {
            lines.stdout.push(echo[1]!);
            continue;
          }
          statement += `${line}\n`;
          if (!line.trimEnd().endsWith(';')) continue;
          const st = statement.trim().replace(/;$/, '');
          statement = '';
          try {
            lines.stdout.push(...this.run(st).map((r) => r.join('\t')));
          } catch (e) {
            lines.stderr.push(`Error: Error while compiling statement: FAILED: ${(e as Error).message} (state=42000,code=40000)`);
          }
        }
      },
      waitFor: async (re, _timeoutMs, stream = 'stdout') => {
        for (; seen[stream] < lines[stream].length; seen[stream]++)
          if (re.test(lines[stream][seen[stream]]!)) return lines[stream][seen[stream]++]!;
        throw new Error(`the fake beeline has nothing matching ${re} on ${stream}`);
      },
      lines: (stream) => lines[stream],
      end: async () => ({ exitCode: 0, stdout: lines.stdout.join('\n'), stderr: lines.stderr.join('\n') }),
      kill: () => {},
      unref: () => {},
    };
  };

  /** EXPLAIN EXTENDED SELECT * as HiveServer2 4.0.1 prints it: each partition's values, then its properties with its location. */
  private explain(db: string, name: string): string[][] {
    const t = this.table(db, name);
    if (this.strict && t.partitionKeys.length) {
      throw new Error(
        'SemanticException [Error 10056]: Queries against partitioned tables without a partition filter are disabled for safety reasons.',
      );
    }
    const rows = ['STAGE PLANS:', '  Stage: Stage-0', '    Fetch Operator', '      Partition Description:'];
    for (const p of t.partitions) {
      rows.push(
        '          Partition',
        '            partition values:',
        ...t.partitionKeys.map((k, i) => `              ${k.name} ${p.values[i]}`),
      );
      rows.push(
        '            properties:',
        `              columns ${t.columns.map((c) => c.name).join(',')}`,
        `              location ${p.location}`,
      );
      rows.push('              input format: x', '              properties:', `                location ${t.location}`);
    }
    return rows.map((r) => [r]);
  }

  private table(db: string, name: string): FakeTable {
    const t = this.get(db, name);
    if (!t) throw new Error(`SemanticException [Error 10001]: Table not found ${db}.${name}`);
    return t;
  }

  /** PARTITION ( `k` = 'v' , … ) from position i: the values in key order, and where it ends. */
  private spec(tk: string[], i: number): { values: string[]; end: number } {
    const values: string[] = [];
    let j = i + 2;
    for (; tk[j] !== ')'; j++) if (tk[j]!.startsWith("'")) values.push(value(tk[j]!));
    return { values, end: j + 1 };
  }

  private columns(tk: string[], i: number): { cols: Column[]; end: number } {
    const cols: Column[] = [];
    let j = i + 1;
    while (tk[j] !== ')') {
      const name = value(tk[j++]!);
      let type = '';
      let depth = 0;
      // A type runs to the next comma or parenthesis outside its own () and <>: decimal(10,2), map<string,int>.
      for (; depth > 0 || (tk[j] !== ',' && tk[j] !== ')' && tk[j] !== 'COMMENT'); j++) {
        const t = tk[j]!;
        depth += (t === '(' ? 1 : 0) - (t === ')' ? 1 : 0) + (t.match(/</g)?.length ?? 0) - (t.match(/>/g)?.length ?? 0);
        type += t;
      }
      const col: Column = { name, type };
      if (tk[j] === 'COMMENT') {
        col.comment = value(tk[j + 1]!);
        j += 2;
      }
      cols.push(col);
      if (tk[j] === ',') j++;
    }
    return { cols, end: j + 1 };
  }

  private props(tk: string[], i: number): { props: Record<string, string>; end: number } {
    const props: Record<string, string> = {};
    let j = i + 1;
    for (; tk[j] !== ')'; j++) {
      if (tk[j + 1] === '=') {
        props[value(tk[j]!)] = value(tk[j + 2]!);
        j += 2;
      }
    }
    return { props, end: j + 1 };
  }

  run(st: string): string[][] {
    const unknown = /^SELECT (\w+)$/.exec(st);
    if (unknown) throw new Error(`SemanticException [Error 10004]: Line 1:7 Invalid table alias or column reference '${unknown[1]}'`);
    this.log.push(st);
    const tk = tokens(st);
    const words = tk.filter((t) => !/^[`']/.test(t)).join(' ');
    if (words === 'SHOW DATABASES') return [...this.dbs.keys()].map((d) => [d]);
    if (words.startsWith('SHOW TABLES IN') || words.startsWith('SHOW VIEWS IN')) {
      const db = this.dbs.get(value(tk[3]!));
      if (!db) throw new Error(`SemanticException [Error 10072]: Database does not exist: ${value(tk[3]!)}`);
      const views = words.startsWith('SHOW VIEWS');
      return [...db.entries()].filter(([, t]) => !views || t.tableType === 'VIRTUAL_VIEW').map(([t]) => [t]);
    }
    const [db, name] = [value(tk.find((t) => t.startsWith('`')) ?? '`'), value(tk[tk.indexOf('.') + 1] ?? '`')];
    if (words.startsWith('CREATE DATABASE')) {
      if (!this.dbs.has(db)) this.dbs.set(db, new Map());
      return [];
    }
    if (words.startsWith('DROP TABLE')) {
      this.dbs.get(db)?.delete(name);
      return [];
    }
    if (words.startsWith('SHOW PARTITIONS')) {
      const t = this.table(db, name);
      if (!t.partitionKeys.length) throw new Error(`SemanticException Table ${name} is not a partitioned table`);
      return t.partitions.map((p) => [t.partitionKeys.map((k, i) => `${k.name}=${escapeName(p.values[i]!)}`).join('/')]);
    }
    if (words.startsWith('EXPLAIN EXTENDED SELECT')) return this.explain(db, name);
    if (words.startsWith('DESCRIBE FORMATTED')) return this.describe(db, name, tk);
    if (words.startsWith('CREATE EXTERNAL TABLE')) return this.create(db, name, tk);
    if (words.startsWith('ALTER TABLE')) return this.alter(db, name, tk, words);
    throw new Error(`ParseException: the fake metastore does not know ${st.slice(0, 60)}`);
  }

  private describe(db: string, name: string, tk: string[]): string[][] {
    const t = this.table(db, name);
    const rows: string[][] = t.columns.map((c) => [c.name, c.type, c.comment ?? '']);
    rows.push(['', 'NULL', 'NULL']);
    if (t.partitionKeys.length) {
      rows.push(['# Partition Information', 'NULL', 'NULL'], ['# col_name', 'data_type', 'comment']);
      rows.push(...t.partitionKeys.map((c) => [c.name, c.type, c.comment ?? '']), ['', 'NULL', 'NULL']);
    }
    const at = tk.indexOf('PARTITION');
    if (at >= 0) {
      const { values } = this.spec(tk, at);
      const p = t.partitions.find((x) => JSON.stringify(x.values) === JSON.stringify(values));
      if (!p) throw new Error('SemanticException [Error 10006]: Partition not found');
      rows.push(['# Detailed Partition Information', 'NULL', 'NULL'], ['Location:           ', p.location, 'NULL']);
      return rows;
    }
    rows.push(['# Detailed Table Information', 'NULL', 'NULL'], ['Database:           ', db, 'NULL']);
    rows.push(
      ['Location:           ', t.location, 'NULL'],
      ['Table Type:         ', t.tableType, 'NULL'],
      ['Table Parameters:', 'NULL', 'NULL'],
    );
    rows.push(...Object.entries({ ...t.params, transient_lastDdlTime: '1796210560' }).map(([k, v]) => ['', k.padEnd(20), v.padEnd(20)]));
    rows.push(['', 'NULL', 'NULL'], ['# Storage Information', 'NULL', 'NULL'], ['SerDe Library:      ', t.serde, 'NULL']);
    rows.push(['InputFormat:        ', t.inputFormat, 'NULL'], ['OutputFormat:       ', t.outputFormat, 'NULL']);
    rows.push(['Storage Desc Params:', 'NULL', 'NULL'], ...Object.entries(t.serdeParams).map(([k, v]) => ['', k.padEnd(20), v.padEnd(20)]));
    return rows;
  }

  private create(db: string, name: string, tk: string[]): string[][] {
    if (!this.dbs.has(db)) throw new Error(`SemanticException [Error 10072]: Database does not exist: ${db}`);
    if (this.get(db, name)) throw new Error(`AlreadyExistsException(message:Table ${db}.${name} already exists)`);
    const after = (word: string) => tk.indexOf(word);
    const cols = this.columns(tk, tk.indexOf('('));
    const parts = after('PARTITIONED') >= 0 ? this.columns(tk, after('PARTITIONED') + 2).cols : [];
    const serdeProps = after('SERDEPROPERTIES') >= 0 ? this.props(tk, after('SERDEPROPERTIES') + 1).props : {};
    const params = after('TBLPROPERTIES') >= 0 ? this.props(tk, after('TBLPROPERTIES') + 1).props : {};
    this.put(db, name, {
      tableType: 'EXTERNAL_TABLE',
      columns: cols.cols,
      partitionKeys: parts,
      location: value(tk[after('LOCATION') + 1]!),
      inputFormat: value(tk[after('INPUTFORMAT') + 1]!),
      outputFormat: value(tk[after('OUTPUTFORMAT') + 1]!),
      serde: value(tk[after('SERDE') + 1]!),
      serdeParams: serdeProps,
      params: { ...params, EXTERNAL: 'TRUE' },
      partitions: [],
    });
    return [];
  }

  private alter(db: string, name: string, tk: string[], words: string): string[][] {
    const t = this.table(db, name);
    // Every PARTITION ( … ) of the statement, with the LOCATION that follows it.
    const specs = tk.flatMap((w, i) => (w === 'PARTITION' ? [{ ...this.spec(tk, i) }] : []));
    const same = (a: string[], b: string[]) => JSON.stringify(a) === JSON.stringify(b);
    if (words.includes('ADD IF NOT EXISTS PARTITION')) {
      for (const { values, end } of specs) {
        if (!t.partitions.some((p) => same(p.values, values))) t.partitions.push({ values, location: value(tk[end + 1]!) });
      }
    } else if (words.includes('DROP IF EXISTS PARTITION')) {
      t.partitions = t.partitions.filter((p) => !specs.some((s) => same(p.values, s.values)));
    } else if (words.includes('SET LOCATION')) {
      const [{ values, end }] = specs as [{ values: string[]; end: number }];
      const p = t.partitions.find((x) => same(x.values, values));
      if (!p) throw new Error('SemanticException [Error 10006]: Partition not found');
      p.location = value(tk[end + 2]!);
    } else throw new Error(`ParseException: the fake metastore does not know ALTER TABLE … ${words.slice(0, 40)}`);
    return [];
  }
}
