#!/usr/bin/env bash
# Smoke test of hbackup against compose.yaml: start both clusters, put a directory on east, then
# doctor, validate --online, init, backup (full, then incremental), list and status.
# Usage (from this directory, with hbackup on PATH): ./smoke.sh
set -euo pipefail
cd "$(dirname "$0")"
docker compose up -d
for nn in nn-east nn-west; do
  until docker exec "$nn" hdfs dfsadmin -safemode get 2>/dev/null | grep -q 'OFF'; do sleep 2; done
done
docker exec nn-east hdfs dfs -mkdir -p /smoke/data
docker exec -i nn-east hdfs dfs -put -f - /smoke/data/first.txt <<< "first"
docker exec nn-east hdfs dfsadmin -allowSnapshot /smoke/data
export HBACKUP_CLUSTERS=clusters.yaml
hbackup doctor || [ $? -eq 1 ]          # 1: warnings only
hbackup validate --online smoke.yaml
hbackup init
hbackup backup smoke.yaml
docker exec -i nn-east hdfs dfs -put -f - /smoke/data/second.txt <<< "second"
hbackup --json backup smoke.yaml | tee backup.json
grep -q '"mode":"incremental"' backup.json
hbackup list smoke.yaml
hbackup status
