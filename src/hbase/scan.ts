/**
 * A full scan of tables in one HBase shell session: every row and every cell is read (no filter,
 * nothing cached in the block cache), so a store file that cannot be read fails it. Each table says
 * `hbackup:scanned <table> <rows> <cells>` or `hbackup:unreadable <table> <why>`.
 */
import { rubyString } from './tables.js';

const SCAN_SETUP = `$hbackup_conn = org.apache.hadoop.hbase.client.ConnectionFactory.createConnection(@hbase.configuration)
def hbackup_scan(table)
  t = $hbackup_conn.getTable(org.apache.hadoop.hbase.TableName.valueOf(table))
  scan = org.apache.hadoop.hbase.client.Scan.new
  scan.setCaching(1000)
  scan.setCacheBlocks(false)
  rows = 0
  cells = 0
  scanner = t.getScanner(scan)
  begin
    while (r = scanner.next)
      rows += 1
      cells += r.size
    end
  ensure
    scanner.close
    t.close
  end
  puts "hbackup:scanned #{table} #{rows} #{cells}"
rescue Exception => e
  puts "hbackup:unreadable #{table} #{e.message.to_s.lines.first.to_s.strip}"
end
`;

/** The session's input: scan each table in turn. */
export const scanInput = (tables: string[]): string =>
  `${SCAN_SETUP}${tables.map((t) => `hbackup_scan(${rubyString(t)})\n`).join('')}$hbackup_conn.close\nexit\n`;

export type ScanResult = { table: string; rows: number; cells: number } | { table: string; problem: string };

/** What the session said of each table (a table it said nothing of did not get scanned). */
export function parseScans(output: string, tables: string[]): ScanResult[] {
  return tables.map((table) => {
    for (const line of output.split('\n')) {
      const ok = /^hbackup:scanned (\S+) (\d+) (\d+)$/.exec(line.trim());
      if (ok && ok[1] === table) return { table, rows: Number(ok[2]), cells: Number(ok[3]) };
      const bad = /^hbackup:unreadable (\S+) ?(.*)$/.exec(line.trim());
      if (bad && bad[1] === table) return { table, problem: bad[2] || 'unreadable' };
    }
    return { table, problem: 'the shell ended before it was scanned' };
  });
}
