/**
 * Which rows one cluster's table holds that another's lacks: every cell written at or after a time
 * on this site's table, looked for — same column, same timestamp, same value — in the table of the
 * same name on the other cluster (reached by its cluster key, from this site's HBase shell). A
 * failback lists so the writes an old primary took that the new primary never got: those made after
 * the failover, and those its replication had not shipped. Cells only; deletes are not compared.
 */
import { ToolError } from '../errors.js';
import type { Command, RunOptions, RunResult } from '../exec/runner.js';
import { rubyString } from './tables.js';

/** At most this many cells are compared (a table written hard since the point is listed in part). */
export const COMPARE_LIMIT = 200_000;

/** The Ruby that compares `table` here with `table` on the cluster of `key`, from `sinceMs` on. */
export const compareScript = (table: string, key: string, sinceMs: number, limit = COMPARE_LIMIT): string =>
  `$hbackup_name = org.apache.hadoop.hbase.TableName.valueOf(${rubyString(table)})
$hbackup_here = org.apache.hadoop.hbase.client.ConnectionFactory.createConnection(@hbase.configuration)
$hbackup_there = org.apache.hadoop.hbase.client.ConnectionFactory.createConnection(org.apache.hadoop.hbase.HBaseConfiguration.createClusterConf(@hbase.configuration, ${rubyString(key)}))
$hbackup_missing = !$hbackup_there.getAdmin.tableExists($hbackup_name)
$hbackup_cells = 0
$hbackup_rows = 0
$hbackup_full = false
scan = org.apache.hadoop.hbase.client.Scan.new
scan.setTimeRange(${sinceMs}, java.lang.Long::MAX_VALUE)
scan.readAllVersions
dst = $hbackup_missing ? nil : $hbackup_there.getTable($hbackup_name)
u = org.apache.hadoop.hbase.CellUtil
b = org.apache.hadoop.hbase.util.Bytes
key = lambda { |c| [b.toStringBinary(u.cloneFamily(c)), b.toStringBinary(u.cloneQualifier(c)), c.getTimestamp, b.toStringBinary(u.cloneValue(c))] }
$hbackup_here.getTable($hbackup_name).getScanner(scan).each do |r|
  cells = r.rawCells
  lost = $hbackup_missing
  unless lost
    g = org.apache.hadoop.hbase.client.Get.new(r.getRow)
    g.setTimeRange(${sinceMs}, java.lang.Long::MAX_VALUE)
    g.readAllVersions
    have = {}
    (dst.get(g).rawCells || []).each { |c| have[key.call(c)] = true }
    lost = cells.any? { |c| !have[key.call(c)] }
  end
  $hbackup_cells += cells.length
  $hbackup_rows += 1
  puts "hbackup:lost #{b.toStringBinary(r.getRow)}" if lost
  if $hbackup_cells >= ${limit}
    $hbackup_full = true
    break
  end
end
$hbackup_here.close
$hbackup_there.close
puts "hbackup:compared #{$hbackup_rows} #{$hbackup_cells} #{$hbackup_full} #{$hbackup_missing}"
`;

export interface Comparison {
  /** Rows (printable keys) with a cell the other side lacks. */
  lost: string[];
  rows: number;
  cells: number;
  /** The limit was reached: rows past it were not compared. */
  partial: boolean;
  /** The other side has no such table. */
  missingThere: boolean;
}

/** What compareScript printed; undefined when it did not finish. */
export function parseComparison(out: string): Comparison | undefined {
  const done = /^hbackup:compared (\d+) (\d+) (true|false) (true|false)$/m.exec(out);
  if (!done) return undefined;
  const lost = [...out.matchAll(/^hbackup:lost (.+)$/gm)].map((m) => m[1]!);
  return { lost, rows: Number(done[1]), cells: Number(done[2]), partial: done[3] === 'true', missingThere: done[4] === 'true' };
}

/** Compare, by one run of this site's HBase shell (`shell`: `hbase shell -n` of the site). */
export async function compareTables(
  run: (cmd: Command, opts: RunOptions) => Promise<RunResult>,
  shell: Command,
  what: { table: string; key: string; sinceMs: number },
): Promise<Comparison> {
  const r = await run(shell, { input: compareScript(what.table, what.key, what.sinceMs), timeoutMs: 600_000 });
  const c = r.exitCode === 0 ? parseComparison(r.stdout) : undefined;
  if (!c) throw new ToolError(shell.argv, r.exitCode, `${r.stdout}\n${r.stderr}`, `comparing ${what.table} with the other cluster's`);
  return c;
}
