# The local Redis Cluster: 3 primaries and 3 replicas of Debian's redis-server on
# 127.0.0.1, ports $CLUSTER_PORT_BASE+1 .. +6 (7101-7106 by default), data in
# .data/cluster/<port>/. Sourced by services.sh (after lib.sh), never run.
# Safe to run twice: nodes already running are left alone, and the cluster is created
# (redis-cli --cluster create) only when the nodes are not one yet; after a restart the
# nodes rejoin from their own nodes.conf.

CLUSTER_DIR="$DATA/cluster"

cluster_ports() { local i; for i in 1 2 3 4 5 6; do echo $((CLUSTER_PORT_BASE + i)); done; }
node_cli() { local port=$1; shift; redis-cli -h 127.0.0.1 -p "$port" "$@"; }
node_running() { pid_alive "$CLUSTER_DIR/$1/redis.pid" && [ "$(node_cli "$1" ping 2>/dev/null)" = PONG ]; }
cluster_ok() {
  local info
  info=$(node_cli "$((CLUSTER_PORT_BASE + 1))" cluster info 2>/dev/null) || return 1
  grep -q '^cluster_state:ok' <<<"$info" && grep -q '^cluster_known_nodes:6' <<<"$info"
}

node_up() {
  local port=$1 dir="$CLUSTER_DIR/$1"
  mkdir -p "$dir" "$DATA/logs"
  node_running "$port" && return 0
  port_in_use "$port" && die "port $port is taken by another program; set DEV_CLUSTER_PORT_BASE"
  # A node that misses pings for 2 s is failed and its replica promoted (the default
  # 15 s would stall a test's failover). Append-only file as for the single Redis.
  redis-server --bind 127.0.0.1 --port "$port" --dir "$dir" \
    --daemonize yes --pidfile "$dir/redis.pid" --logfile "$DATA/logs/cluster-$port.log" \
    --cluster-enabled yes --cluster-config-file nodes.conf --cluster-node-timeout 2000 \
    --save '' --appendonly yes --appendfsync everysec --maxclients 2000
}

cluster_up() {
  local port
  for port in $(cluster_ports); do node_up "$port"; done
  for port in $(cluster_ports); do wait_for "cluster node on port $port" 15 node_running "$port"; done
  if ! cluster_ok; then
    if [ "$(node_cli "$((CLUSTER_PORT_BASE + 1))" cluster info | grep -c '^cluster_known_nodes:1')" -eq 1 ]; then
      log "creating the cluster (3 primaries, 3 replicas)"
      # shellcheck disable=SC2046
      redis-cli --cluster create $(cluster_ports | sed 's/^/127.0.0.1:/') \
        --cluster-replicas 1 --cluster-yes >"$DATA/logs/cluster-create.log"
    fi
    wait_for "the cluster to be ok" 30 cluster_ok
  fi
  log "redis cluster running on 127.0.0.1:$((CLUSTER_PORT_BASE + 1))-$((CLUSTER_PORT_BASE + 6))"
}

cluster_down() {
  local port pid stopped=0
  for port in $(cluster_ports); do
    pid_alive "$CLUSTER_DIR/$port/redis.pid" || continue
    pid=$(head -n1 "$CLUSTER_DIR/$port/redis.pid")
    node_cli "$port" shutdown nosave >/dev/null 2>&1 || kill "$pid" 2>/dev/null || true
    wait_for "cluster node $port to stop" 15 bash -c "! kill -0 $pid 2>/dev/null"
    stopped=1
  done
  if [ "$stopped" -eq 1 ]; then log "redis cluster stopped"; else log "redis cluster is not running"; fi
}

cluster_status() {
  local port up=0
  for port in $(cluster_ports); do node_running "$port" && up=$((up + 1)); done
  if [ "$up" -eq 0 ]; then
    echo "redis cluster: stopped"
  elif cluster_ok; then
    echo "redis cluster: running on 127.0.0.1:$((CLUSTER_PORT_BASE + 1))-$((CLUSTER_PORT_BASE + 6)) ($up of 6 nodes)"
  else
    echo "redis cluster: $up of 6 nodes up, cluster not ok"
  fi
}
