/**
 * The HBase shell (`hbase shell -n`), kept running for the moment of a backup: it connects first,
 * then takes every table's snapshot at once (`Admin.snapshotAsync`) when told to, and says when each
 * one exists. Statements for other work (delete, clone, restore) go through one session too.
 */
import { rubyString } from './tables.js';

/** Marker lines the session prints (the shell echoes its input, so markers start a line). */
export const READY = /^hbackup:ready$/;
export const FIRED = /^hbackup:fired$/;

/** Connect once, define the trigger, say ready. */
export const SESSION_SETUP = `$hbackup_conn = org.apache.hadoop.hbase.client.ConnectionFactory.createConnection(@hbase.configuration)
$hbackup_admin = $hbackup_conn.getAdmin
def hbackup_fire(list)
  futures = list.map do |table, name|
    begin
      [name, $hbackup_admin.snapshotAsync(org.apache.hadoop.hbase.client.SnapshotDescription.new(name, org.apache.hadoop.hbase.TableName.valueOf(table), org.apache.hadoop.hbase.client.SnapshotType::FLUSH))]
    rescue Exception => e
      puts "hbackup:failed #{name} #{e.message.to_s.lines.first.to_s.strip}"
      nil
    end
  end
  futures.compact.each do |name, future|
    begin
      future.get
      puts "hbackup:done #{name}"
    rescue Exception => e
      puts "hbackup:failed #{name} #{e.message.to_s.lines.first.to_s.strip}"
    end
  end
  puts 'hbackup:fired'
end
puts 'hbackup:ready'
`;

/** The line that takes every snapshot at once. */
export const fireLine = (snapshots: { table: string; name: string }[]): string =>
  `hbackup_fire([${snapshots.map((s) => `[${rubyString(s.table)}, ${rubyString(s.name)}]`).join(', ')}])\n`;

export const SESSION_END = '$hbackup_conn.close\nexit\n';

/** `hbackup:done <name>` / `hbackup:failed <name> <why>`. */
export function parseOutcome(line: string): { name: string; ok: boolean; why?: string } | undefined {
  const m = /^hbackup:(done|failed) (\S+)(?: (.*))?$/.exec(line);
  if (!m) return undefined;
  return m[1] === 'done' ? { name: m[2]!, ok: true } : { name: m[2]!, ok: false, why: (m[3] ?? '').trim() };
}

/** Shell statements, as a flow plans and runs them. */
export const statements = {
  snapshot: (table: string, name: string) => `snapshot ${rubyString(table)}, ${rubyString(name)}`,
  deleteSnapshot: (name: string) => `delete_snapshot ${rubyString(name)}`,
  clone: (name: string, table: string) => `clone_snapshot ${rubyString(name)}, ${rubyString(table)}, {RESTORE_ACL => true}`,
  disable: (table: string) => `disable ${rubyString(table)}`,
  /** Disable a table that may be disabled already (a clean-up after a killed run). */
  disableIfEnabled: (table: string) => `disable ${rubyString(table)} if is_enabled(${rubyString(table)})`,
  restore: (name: string) => `restore_snapshot ${rubyString(name)}, {RESTORE_ACL => true}`,
  enable: (table: string) => `enable ${rubyString(table)}`,
  drop: (table: string) => `drop ${rubyString(table)}`,
  createNamespace: (ns: string) => `create_namespace ${rubyString(ns)}`,
  dropNamespaceIfEmpty: (ns: string) => `drop_namespace ${rubyString(ns)} if list_namespace_tables(${rubyString(ns)}).empty?`,
};

/** The first error the shell printed for a batch of statements (it stops there with -n), if any. */
export function shellError(output: string): string | undefined {
  const line = output.split('\n').find((l) => /^ERROR[: ]|^\S*Exception: /.test(l.trim()));
  return line?.trim();
}
