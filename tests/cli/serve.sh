# tests/cli/serve.sh - sourced after lib.sh by the llmr-ask --serve tests.
#
# serve_start [HOST:PORT] [ARGS]  start llmr-ask --serve (default
#                       127.0.0.1:0) in the background, stderr into
#                       $SERVE_LOG; wait for "serving on"; export SERVE_PID,
#                       SERVE_PORT and SERVE_URL (http://127.0.0.1:PORT).
#                       Returns non-zero if it exited instead.
# serve_stop [SIG]      send SIG (default TERM), wait; $serve_status is
#                       its exit status.
# api METHOD PATH [curl ARGS]  a request to the server: body -> $out and
#                       $OUT, headers -> $HDRS (file), status -> $code.
# hdr NAME              a header of the last api answer (case-insensitive).

SERVE_PID=
SERVE_LOG=$TEST_DIR/serve.err

serve_start() {
	_listen=${1:-127.0.0.1:0}
	[ $# -gt 0 ] && shift
	: >"$SERVE_LOG"
	llmr-ask --serve "$_listen" "$@" 2>>"$SERVE_LOG" &
	SERVE_PID=$!
	_i=0
	until grep -q 'serving on' "$SERVE_LOG"; do
		if ! kill -0 "$SERVE_PID" 2>/dev/null || [ $_i -ge 300 ]; then
			wait "$SERVE_PID" 2>/dev/null
			serve_status=$?
			SERVE_PID=
			return 1
		fi
		sleep 0.05
		_i=$((_i + 1))
	done
	SERVE_PORT=$(sed -n 's|.*serving on http://[^:]*:\([0-9]*\)/.*|\1|p' "$SERVE_LOG" | head -1)
	SERVE_URL=http://127.0.0.1:$SERVE_PORT
	export SERVE_PID SERVE_PORT SERVE_URL
}

serve_stop() {
	serve_status=
	[ -n "$SERVE_PID" ] || return 0
	kill -"${1:-TERM}" "$SERVE_PID" 2>/dev/null
	wait "$SERVE_PID" 2>/dev/null
	serve_status=$?
	SERVE_PID=
}

api() {
	_m=$1 _p=$2
	shift 2
	HDRS=$TEST_DIR/api.headers
	OUT=$TEST_DIR/api.out
	code=$(curl -s -o "$OUT" -D "$HDRS" -w '%{http_code}' -X "$_m" "$@" "$SERVE_URL$_p")
	out=$(cat "$OUT")
}

hdr() {
	tr -d '\r' <"$HDRS" | sed -n "s/^$1: *//Ip" | tail -1
}

_serve_cleanup() {
	_serve_rc=$?
	serve_stop KILL
	(exit "$_serve_rc")
	_lib_cleanup
}
trap _serve_cleanup EXIT
