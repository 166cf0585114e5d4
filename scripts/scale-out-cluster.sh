#!/usr/bin/env bash
# `npm run test:scale-out:cluster [-- test/<file> ...]`: the scale-out e2e run (E2E_INSTANCES=2) against
# a three-master Redis Cluster of its own, started from the machine's redis-server in a temporary
# directory and stopped afterwards. CLUSTER_PORTS (default "7101 7102 7103") picks the ports; any jest
# arguments after `--` narrow the run to some suites.
set -euo pipefail

read -r -a ports <<<"${CLUSTER_PORTS:-7101 7102 7103}"
dir="$(mktemp -d -t fleetgate-cluster-XXXXXX)"

stop_cluster() {
  for port in "${ports[@]}"; do redis-cli -p "$port" shutdown nosave >/dev/null 2>&1 || true; done
  rm -rf "$dir"
}

for port in "${ports[@]}"; do
  if redis-cli -p "$port" ping >/dev/null 2>&1; then
    echo "port $port already answers Redis; set CLUSTER_PORTS to free ports" >&2
    exit 1
  fi
done
trap stop_cluster EXIT

for port in "${ports[@]}"; do
  redis-server --port "$port" --bind 127.0.0.1 --cluster-enabled yes --cluster-config-file "nodes-$port.conf" \
    --save "" --appendonly no --dir "$dir" --daemonize yes --logfile "$dir/$port.log"
done
for port in "${ports[@]}"; do
  until redis-cli -p "$port" ping >/dev/null 2>&1; do sleep 0.1; done
done
nodes=()
for port in "${ports[@]}"; do nodes+=("127.0.0.1:$port"); done
echo yes | redis-cli --cluster create "${nodes[@]}" --cluster-replicas 0 >"$dir/create.log"
for port in "${ports[@]}"; do
  until redis-cli -p "$port" cluster info | grep -q '^cluster_state:ok'; do sleep 0.2; done
done

REDIS_URL="redis+cluster://$(IFS=,; echo "${nodes[*]}")"
echo "Redis Cluster up: $REDIS_URL"
REDIS_URL="$REDIS_URL" E2E_INSTANCES=2 npx jest --selectProjects e2e --runInBand --forceExit "$@"
