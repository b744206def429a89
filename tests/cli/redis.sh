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

# Started when its own log says it is ready: a ping could be answered by
# another test's server that took the same free port first. Returns 1 when
# this one could not listen (the port was taken), bails out otherwise.
_redis_run() {
	_redis_n=$((${_redis_n:-0} + 1))
	_log=$TEST_DIR/redis.$_redis_n.log
	redis-server --port "$REDIS_PORT" --bind 127.0.0.1 --save '' --appendonly no \
		--daemonize no --logfile "$_log" $REDIS_ARGS &
	REDIS_PID=$!
	_i=0
	while [ $_i -lt 200 ]; do
		grep -q 'Ready to accept connections' "$_log" 2>/dev/null && return 0
		if ! kill -0 "$REDIS_PID" 2>/dev/null; then
			wait "$REDIS_PID" 2>/dev/null
			REDIS_PID=
			return 1
		fi
		sleep 0.05
		_i=$((_i + 1))
	done
	bail_out "redis-server did not start on port $REDIS_PORT"
}

_redis_free_port() {
	REDIS_PORT=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
	REDIS_URL=redis://127.0.0.1:$REDIS_PORT/0
	export REDIS_PORT REDIS_URL
}

redis_start() {
	REDIS_ARGS="$*"
	_try=0
	_redis_free_port
	until _redis_run; do
		_try=$((_try + 1))
		[ $_try -lt 5 ] || bail_out "redis-server: no free port after 5 tries"
		_redis_free_port
	done
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
	_redis_run || bail_out "redis-server could not listen again on port $REDIS_PORT"
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
