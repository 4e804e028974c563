#!/usr/bin/env bash
# The quick-start demo: two real clusters on this machine, a service with two directories, a
# partitioned Hive table over one of them and an HBase table on the primary, a full backup, some
# changes, the plan of the next backup, an incremental backup, the restore points, the first one
# restored beside the live data, a home directory mirrored by sync-users, both sites' status (the
# orders table's replication among it) and a failover's plan, planned and in an emergency.
set -euo pipefail
cd "$(dirname "$0")/.."
node test/cluster/sandbox.js up
node test/cluster/sandbox.js status
# Each site's HiveServer2 (its own JVM, its metastore on Derby, its warehouse on the site's HDFS).
node test/cluster/hive.js up east > /dev/null & hive_east=$!
node test/cluster/hive.js up west > /dev/null & hive_west=$!
export HBACKUP_CLUSTERS=.sandbox/clusters.yaml HBACKUP_STATE_DIR=.sandbox/state
east=.sandbox/east/bin
hbackup() { printf '\n$ hbackup %s\n' "$*"; node bin/hbackup.js "$@"; }
# A query through a site's own Beeline, shown as typed.
hive() {
  local site=$1 port=$2; shift 2
  printf '\n$ beeline -u jdbc:hive2://127.0.0.1:%s/default -e "%s"    # on %s\n' "$port" "$*" "$site"
  ".sandbox/$site/bin/beeline" -u "jdbc:hive2://127.0.0.1:$port/default" -n "$(id -un)" --silent=true --outputformat=tsv2 -e "$*" 2>/dev/null
}

printf '\n# data on the primary (east), with its own hdfs tool\n'
work=$(mktemp -d)
for i in 1 2 3; do seq "$((i * 1000))" "$((i * 1000 + 20000))" > "$work/clicks-$i.log"; done
seq 1 5000 | sed 's/^/eu,/' > "$work/sales.csv"
"$east/hdfs" dfs -mkdir -p /demo/clicks "/demo/warehouse/sales.db/day=2026-11-24"
"$east/hdfs" dfs -put -f "$work"/clicks-*.log /demo/clicks/
"$east/hdfs" dfs -put -f "$work/sales.csv" "/demo/warehouse/sales.db/day=2026-11-24/"
"$east/hdfs" dfsadmin -allowSnapshot /demo/clicks
"$east/hdfs" dfsadmin -allowSnapshot /demo/warehouse/sales.db
# An HBase table of orders on the primary, 1000 rows, loaded while the HiveServer2s start.
{ echo "create_namespace 'demo'"; echo "create 'demo:orders', 'o'"
  for i in $(seq 1 1000); do echo "put 'demo:orders', 'order$i', 'o:amount', '$i'"; done; } |
  "$east/hbase" shell -n > /dev/null 2>&1 || orders_kept=1
wait "$hive_east" "$hive_west"
printf '\n# an HBase table of orders on the primary, 1000 rows%s\n' "${orders_kept:+ (demo:orders existed already: kept as it is)}"
printf '\n# the warehouse directory as a partitioned Hive table on the primary\n'
hive east 20050 "CREATE DATABASE IF NOT EXISTS demo; CREATE EXTERNAL TABLE IF NOT EXISTS demo.sales (region STRING, amount INT) PARTITIONED BY (day STRING) ROW FORMAT DELIMITED FIELDS TERMINATED BY ',' LOCATION '/demo/warehouse/sales.db'; ALTER TABLE demo.sales ADD IF NOT EXISTS PARTITION (day='2026-11-24')"

node bin/hbackup.js --help | head -n 12
hbackup init --dry-run
hbackup init
hbackup status
printf '\n# the setup checked: endpoints, DataNodes, rights, tools, versions, open-file snapshots\n'
hbackup doctor
hbackup validate --online policies/demo.yaml
hbackup backup policies/demo.yaml

newest() { node bin/hbackup.js list --json policies/demo.yaml | node -e 'let s="";process.stdin.on("data",(d)=>s+=d).on("end",()=>console.log(JSON.parse(s).restorePoints.at(-1).stamp))'; }
first=$(newest)
printf '\n# a new day of sales (a new partition), one more click log and 10 more orders arrive\n'
for i in $(seq 1001 1010); do echo "put 'demo:orders', 'order$i', 'o:amount', '$i'"; done | "$east/hbase" shell -n > /dev/null
seq 1 100 | sed 's/^/us,/' > "$work/sales2.csv"
"$east/hdfs" dfs -mkdir -p "/demo/warehouse/sales.db/day=2026-11-25"
"$east/hdfs" dfs -put -f "$work/sales2.csv" "/demo/warehouse/sales.db/day=2026-11-25/sales.csv"
hive east 20050 "ALTER TABLE demo.sales ADD IF NOT EXISTS PARTITION (day='2026-11-25')"
"$east/hdfs" dfs -put -f "$work/clicks-1.log" "/demo/clicks/clicks-$(date +%s).log"
printf '\n# what the next backup will do, changing nothing: the small diffs are written through WebHDFS by hbackup itself (no DistCp job), each call listed\n'
hbackup backup --dry-run policies/demo.yaml
hbackup backup policies/demo.yaml
printf '\n# nothing changed in the directories since: no DistCp runs for them (mode unchanged), the copy is still verified\n'
hbackup backup policies/demo.yaml
hbackup list policies/demo.yaml
printf '\n# the first backup of this demo, brought back beside the live data on the secondary\n'
suffix="_r$(date +%H%M%S)"
hbackup restore policies/demo.yaml --point "$first" --suffix "$suffix"
printf '\n$ echo "count '"'demo:orders$suffix'"'" | .sandbox/west/bin/hbase shell -n\n'
echo "count 'demo:orders$suffix'" | .sandbox/west/bin/hbase shell -n 2>/dev/null | grep 'row(s)'
printf '\n# a restore drill: the newest restore point restored beside the live data on west, every file and row checked, recorded, removed\n'
hbackup drill policies/demo.yaml --check 'test -n "$HBACKUP_DRILL_DIRS" && test -n "$HBACKUP_DRILL_TABLES"'
printf '\n# a home directory on the primary, with an owner, an ACL and a quota: what applications need after a failover\n'
"$east/hdfs" dfs -mkdir -p /user/analyst
"$east/hdfs" dfs -put -f "$work/sales.csv" /user/analyst/
"$east/hdfs" dfs -chown -R analyst:analysts /user/analyst
"$east/hdfs" dfs -setfacl -m user:auditor:r-x /user/analyst
"$east/hdfs" dfsadmin -setSpaceQuota 1g /user/analyst
hbackup sync-users --contents
printf '\n# both sites, the identities they hold, and the service\n'
mkdir -p "$work/policies" && cp policies/demo.yaml "$work/policies/"
hbackup status --policies "$work/policies"
printf '\n# what a failover to west would do now (the primary is healthy: a planned switchover), changing nothing\n'
hbackup failover --policies "$work/policies" --dry-run
printf '\n# and if east had failed: both targets for the orders table, the restore point and the live replica (--replicas)\n'
hbackup failover --policies "$work/policies" --dry-run --emergency | head -n 5
printf '\n# the table as the secondary holds it: queryable there, its partitions at the restore point, its locations on west\n'
hive west 21050 "SHOW PARTITIONS demo.sales; SELECT * FROM demo.sales WHERE day = '2026-11-25' LIMIT 3"
hbackup endpoint
printf '\n# the DR report: sites, RPO over time, restore points, drills, failovers (one HTML file, readable offline)\n'
hbackup report --policies "$work/policies" -o dr-report.html
rm -rf "$work"
printf '\nThe sandbox keeps running (npm run sandbox:down stops it).\n'
