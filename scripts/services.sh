#!/usr/bin/env bash
# Starts / stops the real servers the tests use, all on loopback and all inside one folder:
#   PostgreSQL on 55432, Redis on 56379, RabbitMQ on 55672 (distribution 55673, own epmd 55674).
# Chromium is only installed (the tests launch it themselves).
#
#   scripts/services.sh start DIR   # installs missing Debian packages, starts, writes DIR/env
#   scripts/services.sh stop DIR    # stops exactly what `start DIR` started
#   scripts/services.sh rabbit-stop DIR / rabbit-start DIR   # broker restart (fault tests)
#
# OMS_SERVICES_PORT_OFFSET=N (at start) shifts every port by N, so a second set can run beside
# a developer's long-lived one; `stop` and the rabbit-* commands read it back from DIR/offset.
#
# See docs "Starting the real servers here" in DESIGN.md for the recipe this follows.
set -euo pipefail

set_ports() {
  local offset=$1
  PG_PORT=$((55432 + offset))
  REDIS_PORT=$((56379 + offset))
  RABBIT_PORT=$((55672 + offset))
  RABBIT_DIST_PORT=$((55673 + offset))
  EPMD_PORT=$((55674 + offset))   # our own epmd, so stopping it never touches anybody else's
  if ((offset == 0)); then RABBIT_NODE=oms@localhost; else RABBIT_NODE=oms$offset@localhost; fi
}
RABBIT_BIN=/usr/lib/rabbitmq/bin
CHROMIUM=/usr/bin/chromium

log() { echo "services: $*" >&2; }
die() { echo "services: error: $*" >&2; exit 1; }

usage() {
  echo "usage: $0 start DIR | stop DIR | rabbit-stop DIR | rabbit-start DIR" >&2
  exit 2
}

# ---------------------------------------------------------------- helpers

pg_bindir() {
  local d
  # newest version first
  for d in $(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V -r); do
    if [[ -x $d/initdb && -x $d/pg_ctl ]]; then
      echo "$d"
      return 0
    fi
  done
  return 1
}

# run a command as the postgres user (initdb refuses root); as a normal user run it directly
as_pg() {
  if [[ $EUID -eq 0 ]]; then
    runuser -u postgres -- "$@"
  else
    "$@"
  fi
}

port_in_use() {
  # true when something accepts TCP connections on 127.0.0.1:$1
  (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null
}

who_has_port() {
  local pids
  command -v ss >/dev/null 2>&1 || return 0
  pids=$(ss -Hltnp "sport = :$1" 2>/dev/null | grep -o 'pid=[0-9]*' | cut -d= -f2 | sort -u | tr '\n' ',' || true)
  if [[ -n $pids ]]; then
    ps -o pid=,user=,args= -p "${pids%,}" 2>/dev/null | cut -c1-300 || true
  fi
}

pid_alive() {
  [[ -n ${1:-} ]] && kill -0 "$1" 2>/dev/null
}

read_pid() {
  # first line of a pid file, digits only; empty if missing
  [[ -f $1 ]] || return 0
  head -n 1 "$1" 2>/dev/null | tr -dc '0-9'
}

wait_gone() {
  # wait up to $2 seconds for pid $1 to exit
  local pid=$1 secs=$2 i
  for ((i = 0; i < secs * 10; i++)); do
    pid_alive "$pid" || return 0
    sleep 0.1
  done
  return 1
}

rabbit_env() {
  # the environment shared by rabbitmq-server and rabbitmqctl
  local r=$1
  export RABBITMQ_NODE_PORT=$RABBIT_PORT
  export RABBITMQ_NODE_IP_ADDRESS=127.0.0.1
  export RABBITMQ_DIST_PORT=$RABBIT_DIST_PORT
  export RABBITMQ_NODENAME=$RABBIT_NODE
  export RABBITMQ_MNESIA_BASE=$r/mnesia
  export RABBITMQ_LOG_BASE=$r/log
  export RABBITMQ_PID_FILE=$r/pid
  export RABBITMQ_ENABLED_PLUGINS_FILE=$r/plugins
  export RABBITMQ_CONFIG_FILE=$r/rabbitmq
  export RABBITMQ_ADVANCED_CONFIG_FILE=$r/advanced.config
  export RABBITMQ_SERVER_ADDITIONAL_ERL_ARGS="-kernel inet_dist_use_interface {127,0,0,1}"
  export ERL_EPMD_PORT=$EPMD_PORT
  export ERL_EPMD_ADDRESS=127.0.0.1
  export HOME=$r
}

# ---------------------------------------------------------------- install

install_missing() {
  local missing=()
  pg_bindir >/dev/null || missing+=(postgresql)
  { command -v redis-server && command -v redis-cli; } >/dev/null 2>&1 || missing+=(redis-server)
  [[ -x $RABBIT_BIN/rabbitmq-server ]] || missing+=(rabbitmq-server)
  [[ -x $CHROMIUM ]] || missing+=(chromium)
  if ((${#missing[@]} == 0)); then
    return 0
  fi
  [[ $EUID -eq 0 ]] || die "missing Debian packages (${missing[*]}); run as root or: sudo apt-get install ${missing[*]}"
  log "installing ${missing[*]}"
  apt-get update
  DEBIAN_FRONTEND=noninteractive apt-get install -y "${missing[@]}"
  # the Debian packages start their own services; we run private instances and leave theirs alone
}

# ---------------------------------------------------------------- stop (one server each)

stop_postgres() {
  local bin data=$1/pg/data pid
  [[ -f $data/postmaster.pid ]] || return 0
  pid=$(read_pid "$data/postmaster.pid")
  if ! pid_alive "$pid"; then
    return 0
  fi
  bin=$(pg_bindir) || { kill "$pid" 2>/dev/null || true; wait_gone "$pid" 30 || true; return 0; }
  log "stopping PostgreSQL (pid $pid)"
  as_pg "$bin/pg_ctl" -D "$data" -m fast -w -t 60 stop >/dev/null || { kill "$pid" 2>/dev/null || true; }
  wait_gone "$pid" 30 || kill -9 "$pid" 2>/dev/null || true
}

stop_redis() {
  local pidfile=$1/redis/redis.pid pid
  pid=$(read_pid "$pidfile")
  if ! pid_alive "$pid"; then
    return 0
  fi
  log "stopping Redis (pid $pid)"
  # shut down only if the server on the port is the one from this folder
  if [[ $(redis-cli -p "$REDIS_PORT" info server 2>/dev/null | tr -d '\r' | sed -n 's/^process_id://p') == "$pid" ]]; then
    redis-cli -p "$REDIS_PORT" shutdown nosave >/dev/null 2>&1 || true
  else
    kill "$pid" 2>/dev/null || true
  fi
  wait_gone "$pid" 30 || kill -9 "$pid" 2>/dev/null || true
  rm -f "$pidfile"
}

stop_rabbit() {
  local r=$1/rabbit pid i
  pid=$(read_pid "$r/pid")
  if pid_alive "$pid"; then
    log "stopping RabbitMQ (pid $pid)"
    (
      rabbit_env "$r"
      # passing the pid file makes rabbitmqctl wait until the Erlang VM has exited
      "$RABBIT_BIN/rabbitmqctl" -n "$RABBIT_NODE" stop "$r/pid" >"$r/stop.log" 2>&1
    ) || kill "$pid" 2>/dev/null || true
    wait_gone "$pid" 60 || kill -9 "$pid" 2>/dev/null || true
  fi
  # our private epmd (the Erlang VM started it on $EPMD_PORT); `start` made it, so it goes too.
  # epmd -kill refuses while any node is still registered, so retry for a while.
  if [[ -f $r/epmd.started ]]; then
    for ((i = 0; i < 100; i++)); do
      port_in_use "$EPMD_PORT" || break
      ERL_EPMD_PORT=$EPMD_PORT epmd -kill >/dev/null 2>&1 || true
      sleep 0.1
    done
    if port_in_use "$EPMD_PORT"; then
      stop_epmd_by_pid
    fi
    rm -f "$r/epmd.started"
  fi
}

stop_epmd_by_pid() {
  local pid
  for pid in $(ss -Hltnp "sport = :$EPMD_PORT" 2>/dev/null | grep -o 'pid=[0-9]*' | cut -d= -f2 | sort -u); do
    if [[ $(ps -o comm= -p "$pid" 2>/dev/null) == epmd ]]; then
      log "killing epmd (pid $pid) on port $EPMD_PORT"
      kill "$pid" 2>/dev/null || true
      wait_gone "$pid" 10 || kill -9 "$pid" 2>/dev/null || true
    fi
  done
}

do_stop() {
  local dir=$1
  [[ -d $dir ]] || return 0
  stop_rabbit "$dir"
  stop_redis "$dir"
  stop_postgres "$dir"
}

# ---------------------------------------------------------------- start

check_ports_free() {
  local port
  for port in "$PG_PORT" "$REDIS_PORT" "$RABBIT_PORT" "$RABBIT_DIST_PORT" "$EPMD_PORT"; do
    if port_in_use "$port"; then
      echo "services: error: port 127.0.0.1:$port is already in use by a process that was not started in $1:" >&2
      who_has_port "$port" >&2
      echo "services: if it is left over from an earlier test run, stop it with: $0 stop <that run's folder>" >&2
      exit 1
    fi
  done
}

start_postgres() {
  local dir=$1 bin pg=$1/pg data=$1/pg/data i
  bin=$(pg_bindir) || die "PostgreSQL binaries not found under /usr/lib/postgresql/*/bin"
  mkdir -p "$pg"
  if [[ $EUID -eq 0 ]]; then chown postgres: "$pg"; fi
  if [[ ! -f $data/PG_VERSION ]]; then
    as_pg "$bin/initdb" -D "$data" -U postgres --auth=trust -E UTF8 --locale=C.UTF-8 >"$pg/initdb.log" 2>&1 ||
      { cat "$pg/initdb.log" >&2; die "initdb failed"; }
  fi
  log "starting PostgreSQL on 127.0.0.1:$PG_PORT"
  # tests trade durability for speed; OMS_SERVICES_DURABLE=1 (benchmarks) keeps PostgreSQL's defaults
  local durability="-c fsync=off -c synchronous_commit=off -c full_page_writes=off"
  [[ ${OMS_SERVICES_DURABLE:-0} == 1 ]] && durability="-c fsync=on -c synchronous_commit=on -c full_page_writes=on"
  # OMS_SERVICES_PG_OPTIONS adds server options, e.g. for profiling a bench:
  #   "-c shared_preload_libraries=pg_stat_statements"
  as_pg "$bin/pg_ctl" -D "$data" -l "$pg/log" -w -t 60 \
    -o "-p $PG_PORT -k $pg -c listen_addresses=127.0.0.1 $durability -c max_connections=300 ${OMS_SERVICES_PG_OPTIONS:-}" \
    start >/dev/null || { tail -n 30 "$pg/log" >&2 || true; die "PostgreSQL did not start"; }
  for ((i = 0; i < 600; i++)); do
    pg_isready -q -h 127.0.0.1 -p "$PG_PORT" && return 0
    sleep 0.1
  done
  tail -n 30 "$pg/log" >&2 || true
  die "PostgreSQL does not accept connections on 127.0.0.1:$PG_PORT"
}

start_redis() {
  local dir=$1 r=$1/redis i
  mkdir -p "$r"
  log "starting Redis on 127.0.0.1:$REDIS_PORT"
  redis-server --port "$REDIS_PORT" --bind 127.0.0.1 --save '' --appendonly no --daemonize yes \
    --dir "$r" --pidfile "$r/redis.pid" --logfile "$r/redis.log" ||
    die "redis-server failed to start (see $r/redis.log)"
  for ((i = 0; i < 300; i++)); do
    [[ $(redis-cli -p "$REDIS_PORT" ping 2>/dev/null) == PONG ]] && return 0
    sleep 0.1
  done
  tail -n 30 "$r/redis.log" >&2 || true
  die "Redis does not answer PING on 127.0.0.1:$REDIS_PORT"
}

start_rabbit() {
  local dir=$1 r=$1/rabbit i pid
  mkdir -p "$r/mnesia" "$r/log"
  echo '[].' >"$r/plugins"
  rm -f "$r/pid"
  log "starting RabbitMQ on 127.0.0.1:$RABBIT_PORT (takes 10-20 s)"
  touch "$r/epmd.started"
  if ! (
    rabbit_env "$r"
    "$RABBIT_BIN/rabbitmq-server" -detached >"$r/start.log" 2>&1 || exit 1
    # `-detached` returns at once; await_startup fails outright while the node is not yet
    # registered with epmd, so first wait for the registration (cheap), then for the boot.
    for ((i = 0; i < 1200; i++)); do
      epmd -names 2>/dev/null | grep -q "^name ${RABBIT_NODE%@*} " && break
      pid=$(read_pid "$r/pid")
      if [[ -n $pid ]] && ! pid_alive "$pid"; then
        echo "rabbitmq-server (pid $pid) exited during start" >>"$r/start.log"
        exit 1
      fi
      sleep 0.1
    done
    "$RABBIT_BIN/rabbitmqctl" -n "$RABBIT_NODE" await_startup --timeout 120 >>"$r/start.log" 2>&1
  ); then
    cat "$r/start.log" >&2 || true
    tail -n 30 "$r/log"/*.log >&2 2>/dev/null || true
    die "RabbitMQ did not start"
  fi
}

write_env() {
  local dir=$1
  cat >"$dir/env" <<EOF
export OMS_TEST_SERVICES_DIR="$dir"
export OMS_TEST_SERVICES_SCRIPT="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)/services.sh"
export OMS_TEST_RABBITMQ_NODE="$RABBIT_NODE"
export OMS_TEST_POSTGRES="Host=127.0.0.1;Port=$PG_PORT;Username=postgres;Pooling=true;Maximum Pool Size=100"
export OMS_TEST_REDIS="127.0.0.1:$REDIS_PORT"
export OMS_TEST_RABBITMQ="amqp://guest:guest@127.0.0.1:$RABBIT_PORT/"
export OMS_TEST_CHROMIUM=$CHROMIUM
EOF
}

do_start() {
  local dir=$1
  install_missing
  mkdir -p "$dir"
  # the postgres user must be able to reach DIR/pg (mktemp -d makes a 0700 folder)
  chmod a+x "$dir"
  if [[ $EUID -eq 0 ]] && ! runuser -u postgres -- test -x "$dir"; then
    die "user postgres cannot enter $dir (a parent folder is private); use a folder under /tmp"
  fi
  # leftovers of an earlier, unstopped start in this same folder
  do_stop "$dir"
  check_ports_free "$dir"
  # if anything below fails, take down what was already started
  trap 'rc=$?; if ((rc != 0)); then log "start failed, stopping what was started"; do_stop "$dir" || true; fi' EXIT
  start_postgres "$dir"
  start_redis "$dir"
  start_rabbit "$dir"
  trap - EXIT
  write_env "$dir"
  log "all running; environment in $dir/env"
}

# ---------------------------------------------------------------- main

(($# == 2)) || usage
cmd=$1
dir=$2
[[ -n $dir ]] || usage
case $dir in /*) ;; *) dir=$PWD/$dir ;; esac
if [[ $cmd == start ]]; then
  offset=${OMS_SERVICES_PORT_OFFSET:-0}
  [[ $offset =~ ^[0-9]+$ ]] || die "OMS_SERVICES_PORT_OFFSET must be a number"
  mkdir -p "$dir"
  echo "$offset" >"$dir/offset"
else
  offset=$(cat "$dir/offset" 2>/dev/null || echo 0)
fi
set_ports "$offset"
case $cmd in
  start) do_start "$dir" ;;
  stop) do_stop "$dir" ;;
  rabbit-stop) stop_rabbit "$dir" ;;
  rabbit-start) start_rabbit "$dir" ;;
  *) usage ;;
esac
