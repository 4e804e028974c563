/**
 * The one source of truth for hbackup's two file formats: the clusters file and the policy.
 * TypeScript types, validation and the published JSON Schemas (schema/*.json) all come from here.
 */
import { z } from 'zod';
import { intervalSeconds } from './schedule.js';
import {
  argv,
  authority,
  byteSize,
  clusterName,
  hdfsPath,
  hiveTable,
  hookTimeout,
  hostPort,
  httpUrl,
  keep,
  program,
  rmUrl,
  TABLE_NAME,
  tableName,
} from './values.js';

export { TABLE_NAME };

export const ClusterSchema = z
  .strictObject({
    role: z.enum(['primary', 'secondary']).describe('The role this cluster starts with.'),
    webhdfs: z
      .union([httpUrl, z.array(httpUrl).min(1)])
      .describe('NameNode HTTP endpoint(s); several for an HA pair (the active one is used).'),
    fs: authority('fs is the filesystem URI DistCp uses', 'hdfs://nameservice1')
      .refine((u) => /^(hdfs|webhdfs|swebhdfs):/.test(u), 'fs is an hdfs://, webhdfs:// or swebhdfs:// URI, e.g. hdfs://nameservice1')
      .describe("Filesystem URI of this cluster as its tools and the other cluster's tools reach it."),
    user: z
      .string()
      .min(1)
      .default('hdfs')
      .describe('The user to act as (simple authentication; with kerberos, the principal is who acts).'),
    timeoutSeconds: z
      .number()
      .positive()
      .max(3600, 'at most 3600 seconds')
      .default(30)
      .describe('How long one WebHDFS call to this cluster may take.'),
    tools: z
      .strictObject({
        hadoop: program('/opt/hadoop/bin/hadoop').default('hadoop'),
        hdfs: program('/opt/hadoop/bin/hdfs').default('hdfs'),
        hbase: program('/opt/hbase/bin/hbase').default('hbase'),
        beeline: program('/opt/hive/bin/beeline').default('beeline'),
        env: z
          .record(
            z.string().regex(/^[A-Za-z_][A-Za-z0-9_]*$/, 'an environment variable name is letters, digits and "_"'),
            z.string().regex(/^[^\n\r\0]*$/, 'one line: no line breaks or NUL in an environment value'),
          )
          .default({}),
        ssh: z
          .string()
          .regex(
            /^(?:[A-Za-z0-9._-]+@)?[A-Za-z0-9][A-Za-z0-9.-]*$/,
            'an ssh destination is host or user@host, e.g. hbackup@edge1.example.com',
          )
          .optional()
          .describe('Run the tools on this edge node (user@host) through ssh.'),
        sshOptions: z
          .array(z.string())
          .default([])
          .describe('Extra ssh arguments before the destination, e.g. [-p, "2222", -i, /etc/hbackup/id_ed25519].'),
        prefix: z
          .array(
            z
              .string()
              .min(1)
              .refine((arg) => !/[\n\r]/.test(arg) && !arg.includes('\0'), 'one line: no line breaks or NUL in a prefix argument'),
          )
          .min(1, 'a prefix names at least its program, e.g. [docker, exec, -i, namenode]')
          .refine((a) => !a[0]?.startsWith('-'), 'the first item of a prefix is its program, e.g. docker, not an option')
          .optional()
          .describe(
            'Run the tools through this argument list, e.g. [docker, exec, -i, namenode] or [kubectl, exec, -i, -n, hadoop, pod/edge, --]; its standard input must reach the tool (-i). After ssh when both are set.',
          ),
      })
      .default({ hadoop: 'hadoop', hdfs: 'hdfs', hbase: 'hbase', beeline: 'beeline', env: {}, sshOptions: [] }),
    kerberos: z
      .strictObject({
        principal: z
          .string()
          .regex(/^[^\s@/]+(?:\/[^\s@]+)?@[^\s@]+$/, 'a principal is name@REALM or name/host@REALM, e.g. hbackup@EXAMPLE.COM')
          .optional()
          .describe('The principal hbackup acts as (with keytab).'),
        keytab: z
          .string()
          .regex(/^\//, 'keytab is an absolute path, e.g. /etc/security/keytabs/hbackup.keytab')
          .optional()
          .describe("The principal's keytab: the cluster's tools log in from it."),
        ticketCache: z
          .string()
          .regex(/^\//, 'ticketCache is an absolute path, e.g. /tmp/krb5cc_1000')
          .optional()
          .describe('A ticket cache kinit filled (KRB5CCNAME), instead of a keytab.'),
      })
      .refine((k) => Boolean(k.keytab) !== Boolean(k.ticketCache), 'give either keytab (with principal) or ticketCache')
      .refine((k) => !k.keytab || Boolean(k.principal), 'a keytab needs its principal')
      .optional()
      .describe(
        'This cluster is Kerberized: hbackup gets a delegation token with its tools (hadoop dtutil) for WebHDFS and for the tools themselves; Beeline logs in from the keytab or ticket cache itself.',
      ),
    tls: z
      .strictObject({
        ca: z
          .string()
          .regex(/^\//, 'tls.ca is an absolute path to a PEM file, e.g. /etc/hbackup/cluster-ca.pem')
          .optional()
          .describe("The PEM file of the CA that signed this cluster's certificates (instead of the system's CAs)."),
        insecure: z.boolean().default(false).describe('true: do not verify certificates at all (every run says so). Only for tests.'),
      })
      .optional()
      .describe('How https:// endpoints of this cluster are verified; verification is on by default.'),
    dataNodes: z
      .record(hostPort, hostPort)
      .optional()
      .describe(
        'DataNode addresses as the NameNode names them (host:port) → as this host reaches them, for clusters in containers: e.g. {"dn1:9864": "localhost:19864"}. Only the host and port of a DataNode Location are rewritten.',
      ),
    hbase: z
      .strictObject({
        rootdir: z
          .string()
          .regex(/^[a-z]+:\/\/[^/]+\/\S*$/, 'hbase.rootdir is a URI on this cluster, e.g. hdfs://nn1:8020/hbase')
          .optional()
          .describe("The cluster's hbase.rootdir; needed to back up HBase tables."),
        zookeeper: z.string().min(1).optional(),
        znodeParent: z
          .string()
          .regex(/^\/\S*$/, 'znodeParent is a ZooKeeper path, e.g. /hbase')
          .optional()
          .describe(
            "The cluster's zookeeper.znode.parent (default /hbase): with zookeeper, the cluster key other clusters replicate to it by.",
          ),
        masterInfo: httpUrl.optional(),
        owner: z.string().min(1).optional().describe('The user HBase runs as here: files exported to this cluster are given to it.'),
        group: z.string().min(1).optional().describe('The group exported files get on this cluster.'),
      })
      .optional(),
    hive: z
      .strictObject({
        jdbcUrl: z
          .string()
          .regex(/^jdbc:hive2:\/\/[^\s;]+(;[^\s;=]+=[^\s;]*)*$/, 'a HiveServer2 JDBC URL, e.g. jdbc:hive2://hs2.example.com:10000/default')
          .refine(
            (u) => !/;[^;=]*password=/i.test(u),
            'no password in the JDBC URL (it would show on command lines and in logs): Beeline authenticates with Kerberos or as the user',
          )
          .describe("HiveServer2's JDBC URL, as the cluster's beeline takes it (Kerberos: ;principal=hive/_HOST@REALM)."),
        user: z.string().min(1).optional().describe('The user Beeline connects as (-n), without Kerberos.'),
      })
      .optional()
      .describe("This cluster's Hive, reached through its beeline tool: Hive tables' metadata is read and written there."),
    yarn: z
      .strictObject({
        resourceManager: z
          .union([rmUrl, z.array(rmUrl).min(1)])
          .describe('ResourceManager web endpoint(s), e.g. http://rm1.example.com:8088; several for an HA pair.'),
        queue: z.string().min(1).optional().describe("The queue hbackup's DistCp jobs are submitted to."),
      })
      .optional()
      .describe(
        "This cluster's YARN, where its DistCp jobs run: hbackup tags them, shows their progress, and stops a job an interrupted run left writing into a target.",
      ),
    hooks: z
      .strictObject({
        fence: z
          .array(argv)
          .default([])
          .describe('Commands that stop the applications writing to this cluster when it stops being the primary.'),
        onPromote: z.array(argv).default([]).describe('Commands run once this cluster is the primary: switch DNS, restart services, …'),
        timeoutSeconds: hookTimeout,
      })
      .default({ fence: [], onPromote: [], timeoutSeconds: 300 })
      .describe(
        'Argument lists run on the control host at a failover, with HBACKUP_SITE, HBACKUP_ROLE, HBACKUP_EPOCH and HBACKUP_FS_DEFAULTFS set.',
      ),
  })
  .describe('One Hadoop cluster hbackup talks to.');

export const ClustersFileSchema = z
  .strictObject({
    clusters: z
      .record(clusterName, ClusterSchema)
      .refine((c) => Object.keys(c).length >= 2, 'name at least two clusters: a primary and a secondary'),
    users: z
      .strictObject({
        homes: z
          .array(hdfsPath)
          .default(['/user'])
          .describe('Directories whose subdirectories are home directories, mirrored by sync-users.'),
        paths: z.array(hdfsPath).default([]).describe('More directories sync-users mirrors (attributes, ACLs, quotas).'),
      })
      .default({ homes: ['/user'], paths: [] })
      .describe('The user data sync-users mirrors on the secondary.'),
  })
  .describe('The clusters hbackup works with.');

export const DatasetSchema = z
  .strictObject({
    hdfs: hdfsPath.optional().describe('A directory on the primary; it must be snapshottable.'),
    hbase: tableName.optional().describe('An HBase table on the primary: namespace:table, or table in the default namespace.'),
    replication: z
      .boolean()
      .optional()
      .describe(
        "An HBase table kept seconds behind on the secondary besides its restore points: HBase's serial replication, set up by the backup (a peer per service, the table's families at scope 1, the replica cloned from the moment's snapshot).",
      ),
    hive: hiveTable
      .optional()
      .describe(
        "A Hive table on the primary (database.table, or database.* for every table of the database but its views): its metadata at the moment, made the secondary metastore's; its data must lie in hdfs data sets of the policy.",
      ),
    target: z
      .string()
      .optional()
      .describe('Where the copy lives on the secondary (a directory, or a table name for restores); the same by default.'),
  })
  .superRefine((d, ctx) => {
    if ([d.hdfs, d.hbase, d.hive].filter((x) => x !== undefined).length !== 1) {
      ctx.addIssue({ code: 'custom', message: 'name one data set: "hdfs: /path", "hbase: namespace:table" or "hive: database.table"' });
      return;
    }
    if (d.replication !== undefined && d.hbase === undefined)
      ctx.addIssue({ code: 'custom', message: 'replication is for HBase tables (hbase: namespace:table)', path: ['replication'] });
    if (d.replication && d.target !== undefined && d.hbase !== undefined && d.target !== d.hbase)
      ctx.addIssue({
        code: 'custom',
        message: 'replication ships edits to the table of the same name on the secondary: leave out target',
        path: ['target'],
      });
    if (d.target === undefined) return;
    const r = (d.hdfs !== undefined ? hdfsPath : d.hive !== undefined ? hiveTable : tableName).safeParse(d.target);
    for (const issue of r.error?.issues ?? []) ctx.addIssue({ code: 'custom', message: issue.message, path: ['target'] });
    if (d.hive !== undefined && r.success && d.target !== undefined && d.hive.endsWith('.*') !== d.target.endsWith('.*')) {
      ctx.addIssue({ code: 'custom', message: 'database.* goes with a target database.* (and a table with a table)', path: ['target'] });
    }
  })
  .describe('One data set of the service: an HDFS directory, an HBase table or a Hive table.');

/** A diff of at most 1,000 files and 64 MiB is copied through WebHDFS by default. */
export const DIRECT_DEFAULTS = { maxFiles: 1000, maxBytes: 64 * 1024 ** 2 };

/** The most a direct copy may hold: it reads each file whole, so this bounds its memory. */
const MAX_DIRECT_BYTES = 1024 ** 3;

export const PolicySchema = z
  .strictObject({
    service: z.string().regex(/^[a-z][a-z0-9-]{0,62}$/, 'a service name is lower-case letters, digits and "-", starting with a letter'),
    clusters: z.string().min(1).optional().describe('The clusters file, relative to this policy.'),
    sites: z
      .tuple([clusterName, clusterName])
      .optional()
      .describe('The two clusters of the clusters file this service runs between; needed when it names more.'),
    schedule: z
      .string()
      .optional()
      .describe(
        'Cron expression (UTC) of the moments to capture, or "every 30s" (run-due --watch runs the service continuously); absent = on demand.',
      ),
    datasets: z.array(DatasetSchema).min(1, 'list at least one data set'),
    copy: z
      .strictObject({
        initiator: z.enum(['primary', 'secondary']).default('primary'),
        mappers: z.int().min(1).max(1000).default(8),
        parallel: z.int().min(1).max(32).default(4).describe('How many data sets are copied (and verified) at the same time.'),
        bandwidthMBps: z.number().min(0.001, 'at least 0.001 MB/s per map').optional().describe('DistCp -bandwidth: MB/s per map.'),
        direct: z
          .union([
            z.literal(['off', false]).transform(() => 'off' as const),
            z.strictObject({
              maxFiles: z.int().min(1).max(100_000).default(DIRECT_DEFAULTS.maxFiles).describe('Files to write, at most.'),
              maxBytes: byteSize
                .refine((v) => v <= MAX_DIRECT_BYTES, 'at most 1GiB (a direct copy holds each file in memory while it moves it)')
                .default(DIRECT_DEFAULTS.maxBytes)
                .describe('Bytes to write, at most (e.g. 64MiB; at most 1GiB).'),
            }),
          ])
          .default(DIRECT_DEFAULTS)
          .describe('A snapshot diff this small is applied by hbackup itself through WebHDFS, with no DistCp job; "off": DistCp always.'),
      })
      .default({ initiator: 'primary', mappers: 8, parallel: 4, direct: DIRECT_DEFAULTS }),
    retention: z
      .strictObject({
        primary: keep.default(3).describe('On the primary: the newest N of its snapshots (the base of the next copy), or a thinning.'),
        secondary: keep.default(14).describe('On the secondary: the newest N restore points, or a thinning by age.'),
      })
      .default({ primary: 3, secondary: 14 }),
    verify: z.strictObject({ checksums: z.boolean().default(false) }).default({ checksums: false }),
    hooks: z
      .strictObject({
        beforeSnapshot: z.array(argv).default([]),
        afterSnapshot: z.array(argv).default([]),
        timeoutSeconds: hookTimeout,
      })
      .default({ beforeSnapshot: [], afterSnapshot: [], timeoutSeconds: 300 })
      .describe(
        'Commands (argument lists, run on this host) that quiesce the service just before its snapshots and resume it right after.',
      ),
    syncUsers: z
      .boolean()
      .default(false)
      .describe(
        "After each successful backup, run sync-users for this service (home directories, this service's data set roots, HBase grants); reported with the backup.",
      ),
    drill: z
      .strictObject({
        schedule: z.string().optional().describe('Cron expression (UTC) of the drills run-due runs; absent = on demand only.'),
        maxAgeDays: z
          .number()
          .positive()
          .optional()
          .describe('status warns when the last successful drill is older (default: 8 days with a schedule, none without).'),
        checks: z
          .array(argv)
          .default([])
          .describe(
            'Commands (argument lists, run on this host) that must exit 0 on the restored copies: HBACKUP_DRILL_DIRS (":" between directories) and HBACKUP_DRILL_TABLES (a space between tables) name them.',
          ),
        timeoutSeconds: hookTimeout,
      })
      .default({ checks: [], timeoutSeconds: 300 })
      .describe('Restore drills: the latest restore point restored beside the live data on the secondary, checked, recorded, removed.'),
    replication: z
      .strictObject({
        maxLagSeconds: z
          .number()
          .positive()
          .default(60)
          .describe('status warns when a replicated table lags more (CRITICAL past ten times as much).'),
        bulkLoads: z
          .boolean()
          .default(false)
          .describe(
            'The service bulk-loads HFiles into its replicated tables: doctor --policies checks the settings HBase needs to replicate them (hbase.replication.bulkload.enabled, hbase.replication.cluster.id).',
          ),
      })
      .default({ maxLagSeconds: 60, bulkLoads: false })
      .describe("How far behind the service's replicated HBase tables may be."),
    preflight: z.strictObject({ maxClockSkewSeconds: z.number().positive().default(30) }).default({ maxClockSkewSeconds: 30 }),
  })
  .superRefine((p, ctx) => {
    // HDFS allows 65,536 snapshots per directory; a retention must stay well below it.
    for (const side of ['primary', 'secondary'] as const) {
      const k = p.retention[side];
      if (typeof k === 'number' && k <= MAX_KEPT) continue;
      const counts = typeof k === 'number' ? k : (k.minutely ?? 0) + (k.hourly ?? 0) + (k.daily ?? 0) + (k.weekly ?? 0) + (k.monthly ?? 0);
      const within = typeof k === 'number' || k.within === undefined ? 0 : k.within;
      // (On demand, how many runs fall within the span is up to whoever runs them.)
      const slots = within && p.schedule ? Math.ceil(within / (intervalSeconds(p.schedule) ?? within)) : 0;
      const most = counts + slots + 1;
      if (most > MAX_KEPT)
        ctx.addIssue({
          code: 'custom',
          path: ['retention', side],
          message: `keeps up to ${most} restore points; hbackup keeps at most ${MAX_KEPT} per directory (HDFS allows 65,536 snapshots): lower the counts or within`,
        });
    }
  })
  .describe('One service: its data sets and the moment they are captured together.');

/** The most restore points a retention may keep (snapshots per directory). */
const MAX_KEPT = 10_000;

export type Cluster = z.infer<typeof ClusterSchema>;
export type ClustersFile = z.infer<typeof ClustersFileSchema>;
export type Dataset = z.infer<typeof DatasetSchema>;
export type Policy = z.infer<typeof PolicySchema>;

/** JSON Schemas published under schema/. */
export function jsonSchemas(): Record<string, unknown> {
  return {
    'policy.schema.json': z.toJSONSchema(PolicySchema, { io: 'input' }),
    'clusters.schema.json': z.toJSONSchema(ClustersFileSchema, { io: 'input' }),
  };
}
