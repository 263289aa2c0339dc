#!/usr/bin/env bash
# Local single-node Apache Kafka (KRaft, broker+controller in one JVM) without Docker.
#
#   deploy/kafka-local/kafka.sh start|stop|restart|status|logs [-f]|reset|clean|config|help
#
# Jars come from Maven Central via pom.xml (cached in ~/.m2), everything generated lives
# in $KAFKA_LOCAL_HOME (default: deploy/kafka-local/.work, git-ignored). `stop` keeps the
# data; `start` reuses the formatted storage; `reset` wipes data (broker must be stopped).
#
# Environment:
#   KAFKA_LOCAL_HOME          work dir (libs, config, data, logs, pid)   [<this dir>/.work]
#   KAFKA_PORT                PLAINTEXT listener port on 127.0.0.1      [9092]
#   KAFKA_CONTROLLER_PORT     KRaft controller listener port            [9093]
#   KAFKA_HEAP_OPTS           JVM heap flags                            [-Xms256m -Xmx512m]
#   KAFKA_NUM_PARTITIONS      default partitions of new topics          [3]
#   KAFKA_AUTO_CREATE_TOPICS  auto.create.topics.enable                 [false]
#   KAFKA_START_TIMEOUT       seconds to wait for the broker to answer  [90]
#   KAFKA_STOP_TIMEOUT        seconds to wait after SIGTERM, then KILL  [30]
#   KAFKA_EXTRA_PROPS         extra server.properties lines (newline separated)
#   MVN                       maven command (may include flags)         [mvn]
set -euo pipefail

SCRIPT_DIR="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
POM="$SCRIPT_DIR/pom.xml"
HOME_DIR="${KAFKA_LOCAL_HOME:-$SCRIPT_DIR/.work}"
PORT="${KAFKA_PORT:-9092}"
CONTROLLER_PORT="${KAFKA_CONTROLLER_PORT:-9093}"
HOST=127.0.0.1
HEAP_OPTS="${KAFKA_HEAP_OPTS:--Xms256m -Xmx512m}"
NUM_PARTITIONS="${KAFKA_NUM_PARTITIONS:-3}"
AUTO_CREATE="${KAFKA_AUTO_CREATE_TOPICS:-false}"
START_TIMEOUT="${KAFKA_START_TIMEOUT:-90}"
STOP_TIMEOUT="${KAFKA_STOP_TIMEOUT:-30}"
MVN="${MVN:-mvn}"

LIBS_DIR="$HOME_DIR/libs"
CONF_DIR="$HOME_DIR/config"
DATA_DIR="$HOME_DIR/data"
LOG_DIR="$HOME_DIR/logs"
PID_FILE="$HOME_DIR/kafka.pid"
CLUSTER_ID_FILE="$HOME_DIR/cluster.id"
SERVER_PROPS="$CONF_DIR/server.properties"
LOG4J_CONF="$CONF_DIR/log4j2.properties"
SERVER_LOG="$LOG_DIR/server.log"
CONSOLE_LOG="$LOG_DIR/kafka.out"

log() { printf '[kafka-local] %s\n' "$*" >&2; }
die() { log "ERROR: $*"; exit 1; }

# ---------------------------------------------------------------- process helpers
broker_pid() {
  # Prints the pid of the broker started by this script, if it is alive.
  [[ -f "$PID_FILE" ]] || return 1
  local pid
  pid="$(cat "$PID_FILE" 2>/dev/null || true)"
  [[ "$pid" =~ ^[0-9]+$ ]] || return 1
  kill -0 "$pid" 2>/dev/null || return 1
  # guard against pid reuse: the process must be our kafka.Kafka JVM
  tr '\0' ' ' <"/proc/$pid/cmdline" 2>/dev/null | grep -q 'kafka\.Kafka' || return 1
  echo "$pid"
}

port_open() { (exec 3<>"/dev/tcp/$HOST/$1") 2>/dev/null; }

# ---------------------------------------------------------------- kafka wire check
# Sends a Metadata v4 request (supported by Kafka 3.x and 4.x) over bash /dev/tcp and
# prints the number of brokers in the answer. Needs no JVM and no node_modules.
metadata_broker_count() {
  local client="kafka-local" fd
  exec {fd}<>"/dev/tcp/$HOST/$PORT" || return 1
  # body: api_key=3 api_version=4 correlation_id=42 client_id, topics=null(-1), allow_auto_create=false
  local body len
  body='\x00\x03\x00\x04\x00\x00\x00\x2a'
  body+="$(printf '\\x%02x\\x%02x' 0 ${#client})$client"
  body+='\xff\xff\xff\xff\x00'
  len=$((2 + 2 + 4 + 2 + ${#client} + 4 + 1))
  # shellcheck disable=SC2059
  printf "$(printf '\\x%02x\\x%02x\\x%02x\\x%02x' 0 0 0 "$len")$body" >&"$fd"
  local hdr resp_len
  local -a b p
  hdr="$(timeout 5 head -c 4 <&"$fd" | od -An -v -tu1)" || { exec {fd}>&-; return 1; }
  read -r -a b <<<"$hdr"
  [[ ${#b[@]} -eq 4 ]] || { exec {fd}>&-; return 1; }
  resp_len=$(( (b[0] << 24) | (b[1] << 16) | (b[2] << 8) | b[3] ))
  local payload
  payload="$(timeout 5 head -c "$resp_len" <&"$fd" | od -An -v -tu1)" || { exec {fd}>&-; return 1; }
  exec {fd}>&-
  read -r -a p <<<"$payload"
  # correlation_id(4) throttle_time_ms(4) brokers.length(4)
  [[ ${#p[@]} -ge 12 ]] || return 1
  local corr=$(( (p[0] << 24) | (p[1] << 16) | (p[2] << 8) | p[3] ))
  [[ $corr -eq 42 ]] || return 1
  echo $(( (p[8] << 24) | (p[9] << 16) | (p[10] << 8) | p[11] ))
}

broker_ready() {
  port_open "$PORT" || return 1
  local n
  n="$(metadata_broker_count 2>/dev/null)" || return 1
  [[ "$n" =~ ^[0-9]+$ && "$n" -ge 1 ]]
}

# ---------------------------------------------------------------- setup steps
ensure_libs() {
  local stamp="$LIBS_DIR/.pom.sha256" want
  want="$(sha256sum "$POM" | cut -d' ' -f1)"
  if [[ -f "$stamp" && "$(cat "$stamp")" == "$want" ]] && compgen -G "$LIBS_DIR/kafka_2.13-*.jar" >/dev/null; then
    return 0
  fi
  local -a mvn_cmd
  read -r -a mvn_cmd <<<"$MVN"
  command -v "${mvn_cmd[0]}" >/dev/null 2>&1 || die "maven ('${mvn_cmd[0]}') not found; install it (apt-get install maven)"
  command -v java >/dev/null 2>&1 || die "java not found; install a JDK 17+ (apt-get install openjdk-17-jdk-headless)"
  log "fetching Kafka jars with Maven into $LIBS_DIR (cached in ~/.m2 after the first time)"
  rm -rf "$LIBS_DIR"
  mkdir -p "$LIBS_DIR"
  if ! "${mvn_cmd[@]}" -q -B -f "$POM" dependency:copy-dependencies -DoutputDirectory="$LIBS_DIR" >"$HOME_DIR/mvn.log" 2>&1; then
    tail -n 40 "$HOME_DIR/mvn.log" >&2 || true
    die "maven could not fetch the Kafka jars (full output: $HOME_DIR/mvn.log)"
  fi
  echo "$want" >"$stamp"
}

write_config() {
  mkdir -p "$CONF_DIR" "$DATA_DIR" "$LOG_DIR"
  cat >"$SERVER_PROPS" <<EOF
# generated by kafka.sh on every start -- edit kafka.sh / KAFKA_* env vars instead
process.roles=broker,controller
node.id=1
controller.quorum.voters=1@$HOST:$CONTROLLER_PORT
listeners=PLAINTEXT://$HOST:$PORT,CONTROLLER://$HOST:$CONTROLLER_PORT
advertised.listeners=PLAINTEXT://$HOST:$PORT
inter.broker.listener.name=PLAINTEXT
controller.listener.names=CONTROLLER
listener.security.protocol.map=CONTROLLER:PLAINTEXT,PLAINTEXT:PLAINTEXT
log.dirs=$DATA_DIR
num.partitions=$NUM_PARTITIONS
default.replication.factor=1
min.insync.replicas=1
auto.create.topics.enable=$AUTO_CREATE
delete.topic.enable=true
offsets.topic.replication.factor=1
offsets.topic.num.partitions=3
transaction.state.log.replication.factor=1
transaction.state.log.min.isr=1
transaction.state.log.num.partitions=3
share.coordinator.state.topic.replication.factor=1
share.coordinator.state.topic.min.isr=1
group.initial.rebalance.delay.ms=0
num.network.threads=2
num.io.threads=4
num.recovery.threads.per.data.dir=1
log.retention.hours=168
log.segment.bytes=104857600
log.retention.check.interval.ms=300000
EOF
  if [[ -n "${KAFKA_EXTRA_PROPS:-}" ]]; then
    printf '%s\n' "$KAFKA_EXTRA_PROPS" >>"$SERVER_PROPS"
  fi
  cat >"$LOG4J_CONF" <<EOF
# generated by kafka.sh
status = warn
name = kafka-local
appender.file.type = RollingFile
appender.file.name = FILE
appender.file.fileName = $SERVER_LOG
appender.file.filePattern = $LOG_DIR/server.log.%i
appender.file.layout.type = PatternLayout
appender.file.layout.pattern = [%d] %p %m (%c)%n
appender.file.policies.type = Policies
appender.file.policies.size.type = SizeBasedTriggeringPolicy
appender.file.policies.size.size = 50MB
appender.file.strategy.type = DefaultRolloverStrategy
appender.file.strategy.max = 3
rootLogger.level = INFO
rootLogger.appenderRef.file.ref = FILE
logger.kafka.name = kafka
logger.kafka.level = INFO
logger.apache.name = org.apache.kafka
logger.apache.level = INFO
logger.request.name = kafka.request.logger
logger.request.level = WARN
logger.state.name = state.change.logger
logger.state.level = WARN
EOF
}

java_base() {
  # shellcheck disable=SC2206
  JAVA_CMD=(java $HEAP_OPTS -XX:+UseG1GC -XX:MaxGCPauseMillis=20 -XX:InitiatingHeapOccupancyPercent=35
    -XX:+ExplicitGCInvokesConcurrent -Djava.awt.headless=true
    "-Dlog4j2.configurationFile=$LOG4J_CONF" "-Dkafka.logs.dir=$LOG_DIR"
    -cp "$LIBS_DIR/*")
}

format_storage_if_needed() {
  if [[ -f "$DATA_DIR/meta.properties" ]]; then
    return 0
  fi
  local cid
  if [[ -s "$CLUSTER_ID_FILE" ]]; then
    cid="$(cat "$CLUSTER_ID_FILE")"
  else
    # Kafka cluster ids are 16 random bytes, base64url without padding (must not start with '-')
    cid='-'
    while [[ "$cid" == -* ]]; do
      cid="$(head -c 16 /dev/urandom | base64 | tr '+/' '-_' | tr -d '=\n')"
    done
    echo "$cid" >"$CLUSTER_ID_FILE"
  fi
  log "formatting storage in $DATA_DIR (cluster id $cid)"
  java_base
  if ! "${JAVA_CMD[@]}" kafka.tools.StorageTool format -t "$cid" -c "$SERVER_PROPS" \
      >"$LOG_DIR/format.log" 2>&1; then
    cat "$LOG_DIR/format.log" >&2 || true
    die "kafka-storage format failed"
  fi
}

# ---------------------------------------------------------------- commands
cmd_start() {
  local pid
  if pid="$(broker_pid)"; then
    if broker_ready; then
      log "already running (pid $pid) on $HOST:$PORT"
      return 0
    fi
    log "broker process $pid exists but is not answering yet; waiting"
  else
    rm -f "$PID_FILE"
    if port_open "$PORT"; then
      die "port $HOST:$PORT is already in use by another process (not started by this script from $HOME_DIR)"
    fi
    if port_open "$CONTROLLER_PORT"; then
      die "controller port $HOST:$CONTROLLER_PORT is already in use (set KAFKA_CONTROLLER_PORT)"
    fi
    mkdir -p "$HOME_DIR"
    ensure_libs
    write_config
    format_storage_if_needed
    java_base
    # keep the previous run's log as *.prev so the tail shown on failure is this run's
    [[ -f "$SERVER_LOG" ]] && mv -f "$SERVER_LOG" "$SERVER_LOG.prev"
    [[ -f "$CONSOLE_LOG" ]] && mv -f "$CONSOLE_LOG" "$CONSOLE_LOG.prev"
    # setsid: the broker must not die with the calling shell / npm process group
    # (9>&-: the broker must not inherit the start/stop lock)
    setsid nohup "${JAVA_CMD[@]}" kafka.Kafka "$SERVER_PROPS" >>"$CONSOLE_LOG" 2>&1 </dev/null 9>&- &
    pid=$!
    echo "$pid" >"$PID_FILE"
    log "started kafka.Kafka (pid $pid), waiting for $HOST:$PORT (timeout ${START_TIMEOUT}s)"
  fi
  local deadline=$((SECONDS + START_TIMEOUT))
  while ((SECONDS < deadline)); do
    if ! kill -0 "$pid" 2>/dev/null; then
      rm -f "$PID_FILE"
      log "broker process exited during startup; last log lines:"
      tail -n 40 "$SERVER_LOG" >&2 2>/dev/null || true
      tail -n 20 "$CONSOLE_LOG" >&2 2>/dev/null || true
      die "Kafka failed to start"
    fi
    if broker_ready; then
      log "Kafka is up on $HOST:$PORT (pid $pid, data $DATA_DIR)"
      return 0
    fi
    sleep 0.5
  done
  log "broker did not answer on $HOST:$PORT within ${START_TIMEOUT}s; last log lines:"
  tail -n 40 "$SERVER_LOG" >&2 2>/dev/null || true
  tail -n 20 "$CONSOLE_LOG" >&2 2>/dev/null || true
  die "Kafka start timed out (process $pid left running; run '$0 stop' to kill it)"
}

cmd_stop() {
  local pid
  if ! pid="$(broker_pid)"; then
    rm -f "$PID_FILE"
    log "not running"
    return 0
  fi
  log "stopping Kafka (pid $pid, SIGTERM)"
  kill -TERM "$pid" 2>/dev/null || true
  local deadline=$((SECONDS + STOP_TIMEOUT))
  while kill -0 "$pid" 2>/dev/null && ((SECONDS < deadline)); do
    sleep 0.25
  done
  if kill -0 "$pid" 2>/dev/null; then
    log "still alive after ${STOP_TIMEOUT}s, sending SIGKILL"
    kill -KILL "$pid" 2>/dev/null || true
    while kill -0 "$pid" 2>/dev/null; do sleep 0.1; done
  fi
  rm -f "$PID_FILE"
  log "stopped (data kept in $DATA_DIR)"
}

cmd_status() {
  local pid
  if pid="$(broker_pid)"; then
    if broker_ready; then
      echo "running (pid $pid) on $HOST:$PORT, data $DATA_DIR"
      return 0
    fi
    echo "starting or unhealthy (pid $pid), not answering on $HOST:$PORT"
    return 1
  fi
  echo "stopped"
  return 3
}

cmd_logs() {
  [[ -f "$SERVER_LOG" ]] || die "no log yet ($SERVER_LOG)"
  if [[ "${1:-}" == "-f" ]]; then
    exec tail -n 100 -F "$SERVER_LOG"
  fi
  tail -n "${1:-100}" "$SERVER_LOG"
}

cmd_reset() {
  if broker_pid >/dev/null; then
    die "broker is running; run '$0 stop' first (or '$0 reset --force' to stop it and wipe the data)"
  fi
  rm -rf "$DATA_DIR" "$CLUSTER_ID_FILE" "$LOG_DIR"
  log "data wiped ($DATA_DIR)"
}

usage() {
  awk 'NR > 1 && !/^#/ { exit } NR > 1 { sub(/^# ?/, ""); print }' "$0"
}

# Serialise start/stop/reset between concurrent callers (e.g. parallel test runners).
take_lock() {
  mkdir -p "$HOME_DIR"
  if command -v flock >/dev/null 2>&1; then
    exec 9>"$HOME_DIR/.lock"
    flock -w 180 9 || die "could not take $HOME_DIR/.lock within 180s"
  fi
}

case "${1:-help}" in
  start | stop | restart | reset | clean) take_lock ;;
esac

case "${1:-help}" in
  start) cmd_start ;;
  stop) cmd_stop ;;
  restart) cmd_stop; cmd_start ;;
  status) cmd_status ;;
  logs) shift; cmd_logs "$@" ;;
  reset | clean)
    if [[ "${2:-}" == "--force" || "${2:-}" == "-f" ]]; then cmd_stop; fi
    cmd_reset
    ;;
  config) write_config; cat "$SERVER_PROPS" ;;
  help | -h | --help) usage ;;
  *) usage >&2; exit 2 ;;
esac
