# tests/cli/redis.sh - sourced after lib.sh by the coordination tests: a
# real redis-server on a free loopback port, with no persistence, stopped
# at exit. skip_all when redis-server is not installed.
#
#   redis_start [ARGS] start it (ARGS: more redis-server options); exports
#                      REDIS_PORT and REDIS_URL
#   redis_kill         kill -9 it now (an outage)
#   redis_restart      start it again on the same port (empty)
#   redis_coordinate, on_host: see below

command -v redis-server >/dev/null 2>&1 ||
	skip_all "redis-server is not installed (apt-get install redis-server)"

_redis_run() {
	redis-server --port "$REDIS_PORT" --bind 127.0.0.1 --save '' --appendonly no \
		--daemonize no --logfile "$TEST_DIR/redis.log" $REDIS_ARGS &
	REDIS_PID=$!
	_i=0
	while [ $_i -lt 100 ]; do
		redis-cli -p "$REDIS_PORT" ping 2>&1 | grep -qE 'PONG|NOAUTH' && return 0
		sleep 0.05
		_i=$((_i + 1))
	done
	bail_out "redis-server did not start on port $REDIS_PORT"
}

redis_start() {
	REDIS_ARGS="$*"
	REDIS_PORT=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
	REDIS_URL=redis://127.0.0.1:$REDIS_PORT/0
	export REDIS_PORT REDIS_URL
	_redis_run
	# Stopped before lib.sh's own cleanup, which keeps the exit status.
	trap 'redis_stop; _lib_cleanup' EXIT
}

redis_stop() {
	[ -n "${REDIS_PID:-}" ] && kill -9 "$REDIS_PID" 2>/dev/null
	wait "$REDIS_PID" 2>/dev/null
	REDIS_PID=
}

redis_kill() {
	redis_stop
}

redis_restart() {
	_redis_run
}

# Coordination config and hosts, for the tests that need several:
#
#   redis_coordinate PREFIX [YAML]   append coordination: $REDIS_URL with
#                      PREFIX (e.g. "t0338:") and YAML lines to $LLMR_CONFIG
#   on_host N CMD...   run CMD as host N: its own HOME and state file
#                      ($TEST_DIR/hN/state.db), from $TEST_DIR/hN
redis_coordinate() {
	printf 'coordination: %s\ncoordination_prefix: "%s"\n' "$REDIS_URL" "$1" >>"$LLMR_CONFIG"
	[ -z "${2:-}" ] || printf '%s\n' "$2" >>"$LLMR_CONFIG"
}

on_host() {
	_h=$1
	shift
	mkdir -p "$TEST_DIR/h$_h"
	(cd "$TEST_DIR/h$_h" && HOME=$TEST_DIR/h$_h LLMR_STATE=$TEST_DIR/h$_h/state.db "$@")
}
