# tests/cli/lib.sh - sourced by every CLI test: . "$(dirname "$0")/lib.sh"
#
# Hermetic, like git's test-lib.sh: a fresh temp dir per test script ($TEST_DIR,
# the working directory; removed at exit unless LLMR_TEST_KEEP=1), with HOME
# and XDG_* inside it; LC_ALL=C, TZ=UTC, NO_COLOR=1; no *_API_KEY, LLMR_CONFIG,
# LLMR_STATE or proxy in the environment. $LLMR_BUILD (default $PWD/build) /bin
# comes first in PATH. LLMR_VALGRIND=1 runs every llmr-* program under
# valgrind (see with_valgrind).
#
# TAP:     plan N | done_testing | skip_all REASON | diag MSG...
#          ok CMD...                 pass if CMD exits 0 (description: CMD)
#          ok_cond DESC CMD...       the same, with a description
#          not_ok DESC CMD...        pass if CMD exits non-zero
#          is GOT WANT DESC | isnt GOT WANT DESC
#          like GOT ERE DESC | unlike GOT ERE DESC     (grep -E)
#          (like/unlike match if any line of GOT matches)
#          is_file GOT-FILE WANT-FILE DESC   byte-equal files (diff on failure)
#          pass DESC | fail DESC | skip DESC | bail_out MSG
# Run:     run CMD...   stdout -> $OUT (file) and $out, stderr -> $ERR and $err,
#                       exit status -> $status. Never fails the test itself.
#          jq_out FILTER  jq -r FILTER over $out, e.g. is "$(jq_out .text)" Hello!
# Fake:    fake_start [ARGS]  start tests/fake/fakeprov.py ($LLMR_PYTHON, else
#                       /usr/bin/python3, else python3); exports FAKE_PORT,
#                       FAKE_URL, FAKE_LOG; stopped at exit
#          fake_stop              stop it now (also done at exit)
#          fake_ctl PATH [JSON]   POST to $FAKE_URL/_fake/PATH (reset, script,
#                       limit); returns non-zero if the fake refused it
#          fake_reset | fake_script JSON | fake_limit JSON | fake_clock MS
#          fake_stats             the stats JSON on stdout
#          fake_count [JQ-COND]   how many logged requests match, e.g.
#                       fake_count '.family=="openai" and .status==429'
#          fake_last JQ-PATH      field of the last logged request: fake_last .model
#          fake_jq JQ-PROG        any jq program over the stats JSON
# Config:  write_config [FILE [ROUTES]]  a config whose providers all point at
#                       the fake (needs fake_start first), exported as
#                       LLMR_CONFIG; ROUTES (YAML text) replaces the routes:
#                       block. Exports TEST_<PROVIDER>_KEY variables. The
#                       response caches are off unless CACHE_TTL (exact) or
#                       SEMANTIC_TTL (semantic) is set (e.g. 1h); CACHE_EXTRA:
#                       more keys of the cache: map ("confirm_model: p/m").
# Pty:     have_pty   true when a pseudo-terminal can be opened (a bare chroot
#                       has no /dev/pts)
#          pty_run [--cols N] SCRIPT CMD...  run CMD on a pseudo-terminal typed
#                       at from SCRIPT (expect TEXT | send TEXT | type TEXT |
#                       sleep S | intr | eof | signal NAME..., one a line:
#                       tests/tools/ptydrive.py); like run, its
#                       transcript in $out, its exit status in $status
# Misc:    sha12 STRING   first 12 hex of sha256, as the fake's auth_sha256
#          $LLMR_SRC (repo root), $FIXTURES (tests/fixtures/wire)

# A test in tests/cli/ finds the tree from $0; a nested script (0020) inherits it.
[ -f "${LLMR_SRC:-/nonexistent}/tests/cli/lib.sh" ] ||
	LLMR_SRC=$(cd "$(dirname "$0")/../.." && pwd)
FIXTURES=$LLMR_SRC/tests/fixtures/wire
: "${LLMR_BUILD:=$PWD/build}"
case $LLMR_BUILD in /*) ;; *) LLMR_BUILD=$PWD/$LLMR_BUILD ;; esac
export LLMR_SRC FIXTURES LLMR_BUILD

TEST_NAME=$(basename "$0" .t)
TEST_DIR=$(mktemp -d "${TMPDIR:-/tmp}/llmr-$TEST_NAME.XXXXXX") || {
	echo "1..0 # SKIP cannot create a temp dir"
	exit 0
}
export TEST_DIR

# The environment.
for _v in $(env | sed -n 's/^\([A-Za-z_][A-Za-z0-9_]*_API_KEY\)=.*/\1/p'); do
	unset "$_v"
done
unset LLMR_CONFIG LLMR_STATE http_proxy https_proxy HTTP_PROXY HTTPS_PROXY \
	ALL_PROXY all_proxy ftp_proxy FTP_PROXY CURL_HOME _v
no_proxy=127.0.0.1,localhost
NO_PROXY=$no_proxy
HOME=$TEST_DIR/home
XDG_CONFIG_HOME=$HOME/.config
XDG_DATA_HOME=$HOME/.local/share
XDG_STATE_HOME=$HOME/.local/state
XDG_CACHE_HOME=$HOME/.cache
LC_ALL=C
LANG=C
TZ=UTC
NO_COLOR=1
export no_proxy NO_PROXY HOME XDG_CONFIG_HOME XDG_DATA_HOME XDG_STATE_HOME \
	XDG_CACHE_HOME LC_ALL LANG TZ NO_COLOR
unset LC_CTYPE LC_MESSAGES LANGUAGE TERM_PROGRAM
mkdir -p "$XDG_CONFIG_HOME" "$XDG_DATA_HOME" "$XDG_STATE_HOME" "$XDG_CACHE_HOME"
PATH=$LLMR_BUILD/bin:$PATH
export PATH
cd "$TEST_DIR" || exit 1
# llmr-ask sends a standard input that is not a terminal with its prompt:
# a test must pipe in what it means to send, never inherit a runner's pipe.
exec </dev/null

OUT=$TEST_DIR/run.out
ERR=$TEST_DIR/run.err
out= err= status=
FAKE_PID=
_tap_n=0
_tap_failed=0
_tap_planned=

_lib_cleanup() {
	_rc=$?
	fake_stop
	if [ "${LLMR_VALGRIND:-0}" = 1 ]; then
		for _l in "$TEST_DIR"/valgrind.*; do
			if [ -s "$_l" ]; then
				echo "# valgrind reported errors:" >&2
				sed 's/^/# /' "$_l" >&2
				[ "$_rc" != 0 ] || _rc=1
			fi
		done
	fi
	if [ "${LLMR_TEST_KEEP:-0}" = 1 ]; then
		echo "# kept $TEST_DIR" >&2
	else
		cd / && rm -rf "$TEST_DIR"
	fi
	if [ "$_rc" = 0 ] && [ "$_tap_failed" -gt 0 ]; then
		_rc=1
	fi
	exit "$_rc"
}
trap _lib_cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

# ---- TAP ------------------------------------------------------------------

plan() {
	_tap_planned=$1
	echo "1..$1"
}

done_testing() {
	[ -n "$_tap_planned" ] || echo "1..$_tap_n"
}

skip_all() {
	echo "1..0 # SKIP $*"
	exit 0
}

diag() {
	printf '%s\n' "$@" | sed 's/^/# /' >&2
}

pass() {
	_tap_n=$((_tap_n + 1))
	echo "ok $_tap_n - $*"
}

fail() {
	_tap_n=$((_tap_n + 1))
	_tap_failed=$((_tap_failed + 1))
	echo "not ok $_tap_n - $*"
}

bail_out() {
	echo "Bail out! $*"
	exit 255
}

skip() {
	_tap_n=$((_tap_n + 1))
	echo "ok $_tap_n # skip $*"
}

ok() {
	if "$@"; then pass "$*"; else fail "$*"; fi
}

ok_cond() {
	_d=$1
	shift
	if "$@"; then pass "$_d"; else fail "$_d"; diag "command failed: $*"; fi
}

not_ok() {
	_d=$1
	shift
	if "$@"; then fail "$_d"; diag "command succeeded: $*"; else pass "$_d"; fi
}

is() {
	if [ "$1" = "$2" ]; then
		pass "$3"
	else
		fail "$3"
		diag "     got: '$1'" "expected: '$2'"
	fi
}

is_file() {
	if cmp -s "$1" "$2"; then
		pass "$3"
	else
		fail "$3"
		diag "$(diff -u "$2" "$1" 2>&1 | head -n 40)"
	fi
}

isnt() {
	if [ "$1" != "$2" ]; then
		pass "$3"
	else
		fail "$3"
		diag "     got: '$1'" "expected anything else"
	fi
}

like() {
	if printf '%s\n' "$1" | grep -Eq -- "$2"; then
		pass "$3"
	else
		fail "$3"
		diag "                  '$1'" "doesn't match '$2'"
	fi
}

unlike() {
	if printf '%s\n' "$1" | grep -Eq -- "$2"; then
		fail "$3"
		diag "                  '$1'" "      matches '$2'"
	else
		pass "$3"
	fi
}

# ---- running programs ---------------------------------------------------------

run() {
	"$@" >"$OUT" 2>"$ERR"
	status=$?
	out=$(cat "$OUT")
	err=$(cat "$ERR")
	if [ "${LLMR_VALGRIND:-0}" = 1 ]; then
		for _l in "$TEST_DIR"/valgrind.*.log; do
			[ -s "$_l" ] && diag "valgrind: $*" "$(cat "$_l")"
			[ -f "$_l" ] && mv "$_l" "$_l.seen"
		done
	fi
	return 0
}

jq_out() {
	printf '%s' "$out" | jq -r "$1"
}

# With LLMR_VALGRIND=1, every llmr-* program in $LLMR_BUILD/bin is reached
# through a wrapper that runs it under valgrind (as jq's tests/setup does);
# valgrind's report goes to $TEST_DIR/valgrind.PID.log, not to stderr: run
# shows a new report as diag lines, and the script exits non-zero at the end
# if any report is not empty (prove then calls it dubious).
with_valgrind() {
	_vg=$TEST_DIR/vgbin
	mkdir -p "$_vg"
	for _p in "$LLMR_BUILD"/bin/*; do
		[ -x "$_p" ] || continue
		cat >"$_vg/${_p##*/}" <<EOF
#!/bin/sh
exec valgrind --error-exitcode=1 --leak-check=full -q \\
	--log-file="$TEST_DIR/valgrind.%p.log" "$_p" "\$@"
EOF
		chmod +x "$_vg/${_p##*/}"
	done
	PATH=$_vg:$PATH
	export PATH
}
if [ "${LLMR_VALGRIND:-0}" = 1 ]; then
	command -v valgrind >/dev/null 2>&1 || skip_all "LLMR_VALGRIND=1 but no valgrind"
	with_valgrind
fi

sha12() {
	printf '%s' "$1" | sha256sum | cut -c1-12
}

# ---- the fake provider ----------------------------------------------------------

fake_start() {
	# Debian's python3 first: a version-manager shim can cost seconds a start.
	_py=${LLMR_PYTHON:-}
	if [ -z "$_py" ]; then
		for _py in /usr/bin/python3 python3 ""; do
			command -v "$_py" >/dev/null 2>&1 && break
		done
	fi
	[ -n "$_py" ] || skip_all "python3 is needed for the fake provider"
	command -v curl >/dev/null 2>&1 || skip_all "curl is needed to drive the fake provider"
	command -v jq >/dev/null 2>&1 || skip_all "jq is needed (make deps)"
	fake_stop
	_pf=$TEST_DIR/fake.port
	FAKE_LOG=$TEST_DIR/fake.log
	rm -f "$_pf"
	"$_py" "$LLMR_SRC/tests/fake/fakeprov.py" --port 0 --port-file "$_pf" \
		--log "$FAKE_LOG" "$@" >"$TEST_DIR/fake.out" 2>&1 &
	FAKE_PID=$!
	# Wait for the port file (written once listening); the cap only stops
	# a broken fake from hanging the suite.
	_i=0
	while [ ! -s "$_pf" ]; do
		if ! kill -0 "$FAKE_PID" 2>/dev/null || [ $_i -ge 300 ]; then
			cat "$TEST_DIR/fake.out" >&2
			echo "Bail out! the fake provider did not start"
			exit 1
		fi
		sleep 0.1
		_i=$((_i + 1))
	done
	FAKE_PORT=$(cat "$_pf")
	FAKE_URL=http://127.0.0.1:$FAKE_PORT
	export FAKE_PORT FAKE_URL FAKE_LOG FAKE_PID
}

fake_stop() {
	if [ -n "$FAKE_PID" ]; then
		kill "$FAKE_PID" 2>/dev/null
		wait "$FAKE_PID" 2>/dev/null
		FAKE_PID=
	fi
}

fake_ctl() {
	_p=${1#/}
	_p=${_p#_fake/}
	_j=${2:-}
	[ -n "$_j" ] || _j='{}'
	_c=$(curl -sS -o "$TEST_DIR/fake_ctl.out" -w '%{http_code}' -X POST \
		-H 'Content-Type: application/json' \
		--data-binary "$_j" "$FAKE_URL/_fake/$_p")
	[ "$_c" = 200 ] || {
		diag "fake_ctl $_p: HTTP $_c: $(cat "$TEST_DIR/fake_ctl.out" 2>/dev/null)"
		return 1
	}
}

fake_reset() { fake_ctl reset; }
fake_script() { fake_ctl script "$1"; }
fake_limit() { fake_ctl limit "$1"; }
fake_clock() { fake_ctl clock "{\"advance_ms\": $1}"; }

fake_stats() {
	curl -sS "$FAKE_URL/_fake/stats"
}

fake_jq() {
	fake_stats | jq -r "$1"
}

fake_count() {
	fake_stats | jq "[.log[] | select(${1:-true})] | length"
}

fake_last() {
	fake_stats | jq -r ".log[-1]${1:-}"
}

# ---- pseudo-terminals -------------------------------------------------------------

have_pty() {
	python3 -c 'import pty; pty.openpty()' 2>/dev/null
}

pty_run() {
	run python3 "$LLMR_SRC/tests/tools/ptydrive.py" "$@"
}

# ---- a config pointing at the fake ------------------------------------------------

write_config() {
	_cf=${1:-$TEST_DIR/llmr.conf}
	[ -n "${FAKE_URL:-}" ] || FAKE_URL=http://127.0.0.1:9
	TEST_OPENAI_KEY=sk-test-openai-0001
	TEST_GROQ_KEY=gsk_test_groq_0002
	TEST_DEEPSEEK_KEY=sk-test-deepseek-0003
	TEST_MISTRAL_KEY=test-mistral-0004
	TEST_OPENROUTER_KEY=sk-or-test-0005
	TEST_ANTHROPIC_KEY=sk-ant-test-0006
	TEST_GEMINI_KEY=AIza-test-gemini-0007
	export TEST_OPENAI_KEY TEST_GROQ_KEY TEST_DEEPSEEK_KEY TEST_MISTRAL_KEY \
		TEST_OPENROUTER_KEY TEST_ANTHROPIC_KEY TEST_GEMINI_KEY
	cat >"$_cf" <<EOF
# written by tests/cli/lib.sh write_config: every provider is the fake at
# $FAKE_URL; a model named after a fixture gets that fixture.
providers:
  openai:
    protocol: openai
    base_url: $FAKE_URL/openai/v1
    api_key_env: TEST_OPENAI_KEY
    tier: paid
    timeout: 10s
    models:
      gpt-4o-mini: {input: 0.15, output: 0.60, cached_input: 0.075, context: 128000, quality: 72}
      gpt-4.1: {input: 2.00, output: 8.00, cached_input: 0.50, context: 1047576, quality: 86}
      openai-chat-toolcall: {input: 2.00, output: 8.00, cached_input: 0.50, context: 1047576, quality: 86}
      openai-chat-toolcall-parallel: {input: 2.50, output: 10.00, cached_input: 1.25, context: 128000, quality: 88}
      openai-chat-stream-multichoice: {input: 2.50, output: 10.00, cached_input: 1.25, context: 128000, quality: 88}
      text-embedding-3-small: {input: 0.02, output: 0, context: 8191}
      text-embedding-ada-002: {input: 0.10, output: 0, context: 8191}
  groq:
    protocol: openai
    base_url: $FAKE_URL/groq/v1
    api_key_env: TEST_GROQ_KEY
    tier: free
    timeout: 10s
    models:
      llama3-8b-8192: {input: 0.05, output: 0.08, context: 8192, quality: 55}
      llama-3.3-70b-versatile: {input: 0.59, output: 0.79, context: 131072, quality: 74}
  deepseek:
    protocol: openai
    base_url: $FAKE_URL/deepseek/v1
    api_key_env: TEST_DEEPSEEK_KEY
    tier: paid
    timeout: 10s
    models:
      deepseek-chat: {input: 0.27, output: 1.10, cached_input: 0.07, context: 65536, quality: 78}
  mistral:
    protocol: openai
    base_url: $FAKE_URL/mistral/v1
    api_key_env: TEST_MISTRAL_KEY
    tier: paid
    timeout: 10s
    models:
      mistral-large-latest: {input: 2.00, output: 6.00, cached_input: 0.20, context: 131072, quality: 80}
      magistral-medium-latest: {input: 2.00, output: 5.00, context: 40000, quality: 82}
  openrouter:
    protocol: openai
    base_url: $FAKE_URL/openrouter/v1
    api_key_env: TEST_OPENROUTER_KEY
    tier: paid
    timeout: 10s
    models:
      openrouter-chat: {input: 0.40, output: 1.60, cached_input: 0.10, context: 1047576, quality: 75}
      openrouter-stream-error: {input: 0.30, output: 1.20, context: 204800, quality: 70}
  anthropic:
    protocol: anthropic
    base_url: $FAKE_URL/anthropic
    api_key_env: TEST_ANTHROPIC_KEY
    tier: paid
    timeout: 10s
    models:
      claude-sonnet-4-5: {input: 3.00, output: 15.00, cached_input: 0.30, cache_write: 3.75, context: 200000, quality: 90}
      claude-haiku-4-5: {input: 1.00, output: 5.00, cached_input: 0.10, cache_write: 1.25, context: 200000, quality: 78}
      anthropic-messages-cache-write: {input: 3.00, output: 15.00, cached_input: 0.30, cache_write: 3.75, context: 200000, quality: 90}
      anthropic-messages-stream-toolcall: {input: 0.80, output: 4.00, cached_input: 0.08, cache_write: 1.00, context: 200000, quality: 70}
  gemini:
    protocol: gemini
    base_url: $FAKE_URL/gemini/v1beta
    api_key_env: TEST_GEMINI_KEY
    tier: free
    timeout: 10s
    models:
      gemini-2.5-flash: {input: 0.30, output: 2.50, cached_input: 0.075, context: 1048576, quality: 80}
      gemini-generatecontent-cached: {input: 1.25, output: 10.00, cached_input: 0.31, context: 1048576, quality: 88}
  ollama:
    protocol: ollama
    base_url: $FAKE_URL/ollama
    tier: free
    timeout: 10s
    models:
      llama3.2: {input: 0, output: 0, context: 131072, quality: 50}
      all-minilm: {input: 0, output: 0, context: 512}
  ollamav1:
    protocol: openai
    base_url: $FAKE_URL/ollama/v1
    tier: free
    timeout: 10s
    models:
      llama3: {input: 0, output: 0, context: 8192, quality: 45}
  local:
    protocol: extractive
EOF
	# The response caches would answer the tests' repeated questions
	# themselves: off unless a test asks for them with CACHE_TTL (exact)
	# or SEMANTIC_TTL (semantic).
	printf 'cache: {exact_ttl: %s, semantic_ttl: %s%s}\n' "${CACHE_TTL:-0s}" \
		"${SEMANTIC_TTL:-0s}" "${CACHE_EXTRA:+, $CACHE_EXTRA}" >>"$_cf"
	if [ -n "${2:-}" ]; then
		printf 'routes:\n%s\n' "$2" >>"$_cf"
	else
		cat >>"$_cf" <<EOF
routes:
  default:
    priority: P1
    tiers:
      simple: [openai/gpt-4o-mini, groq/llama3-8b-8192, local/extractive]
      medium: [anthropic/claude-haiku-4-5, openai/gpt-4o-mini]
      complex: [anthropic/claude-sonnet-4-5, openai/gpt-4.1]
EOF
	fi
	LLMR_CONFIG=$_cf
	export LLMR_CONFIG
}
