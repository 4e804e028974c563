#!/usr/bin/env bash
# The quick-start demo: two real clusters on this machine, a service with two data sets on the
# primary, a full backup, some changes, an incremental backup, and the restore points.
set -euo pipefail
cd "$(dirname "$0")/.."
node test/cluster/sandbox.js up
node test/cluster/sandbox.js status
export HBACKUP_CLUSTERS=.sandbox/clusters.yaml HBACKUP_STATE_DIR=.sandbox/state
east=.sandbox/east/bin
hbackup() { printf '\n$ hbackup %s\n' "$*"; node bin/hbackup.js "$@"; }

printf '\n# data on the primary (east), with its own hdfs tool\n'
work=$(mktemp -d)
for i in 1 2 3; do seq "$((i * 1000))" "$((i * 1000 + 20000))" > "$work/clicks-$i.log"; done
echo "region,amount" > "$work/sales.csv"; seq 1 5000 | sed 's/^/eu,/' >> "$work/sales.csv"
"$east/hdfs" dfs -mkdir -p /demo/clicks "/demo/warehouse/sales.db/day=2026-11-24"
"$east/hdfs" dfs -put -f "$work"/clicks-*.log /demo/clicks/
"$east/hdfs" dfs -put -f "$work/sales.csv" "/demo/warehouse/sales.db/day=2026-11-24/"
"$east/hdfs" dfsadmin -allowSnapshot /demo/clicks
"$east/hdfs" dfsadmin -allowSnapshot /demo/warehouse/sales.db

node bin/hbackup.js --help | head -n 12
hbackup validate --online policies/demo.yaml
hbackup backup policies/demo.yaml

printf '\n# a new day of sales and one more click log arrive\n'
seq 1 100 | sed 's/^/us,/' > "$work/sales2.csv"
"$east/hdfs" dfs -mkdir -p "/demo/warehouse/sales.db/day=2026-11-25"
"$east/hdfs" dfs -put -f "$work/sales2.csv" "/demo/warehouse/sales.db/day=2026-11-25/sales.csv"
"$east/hdfs" dfs -put -f "$work/clicks-1.log" "/demo/clicks/clicks-$(date +%s).log"
printf '\n# what the next backup will do, changing nothing\n'
hbackup backup --dry-run policies/demo.yaml
hbackup backup policies/demo.yaml
hbackup list policies/demo.yaml
rm -rf "$work"
printf '\nThe sandbox keeps running (npm run sandbox:down stops it).\n'
