#!/bin/sh
# Identical requests in flight in several processes make one call: the
# first takes a lease in the state file, the others wait for its answer.
# When it fails, exactly one waiter takes over.
. "$(dirname "$0")/lib.sh"
fake_start
CACHE_TTL=1h write_config "$TEST_DIR/llmr.conf" '  default:
    tiers:
      simple: [openai/gpt-4o-mini]'
# One call per request: a failure is the request's failure, not a retry.
sed -i '/base_url: .*\/openai\/v1/a\    max_retries: 0' "$LLMR_CONFIG"
STATE=$XDG_DATA_HOME/llmr/state.db
llmr-ask --json --no-stream "warm-up: create the state file" >/dev/null
fake_reset

# (wait names the pids: a bare wait would wait for the fake too.)
burst() {
	_i=1
	_pids=
	while [ $_i -le 8 ]; do
		llmr-ask --json --no-stream "$1" >"out.$_i" 2>"err.$_i" &
		_pids="$_pids $!"
		_i=$((_i + 1))
	done
	wait $_pids
}
fake_script '{"family":"openai","delay_ms":800}'
burst "A brand new question"
is "$(fake_count)" 1 "8 processes, one new question: the provider sees one call"
is "$(cat out.* | jq -r .text | sort -u)" "Hello!" "... and all 8 get its answer"
is "$(cat out.* | jq -r .cache | sort | uniq -c | awk '{print $1 " " $2}' | tr '\n' ' ')" \
	"7 exact 1 miss " "... one miss, 7 answered from the cache"
is "$(sqlite3 "$STATE" "SELECT count(*) FROM cache_leases")" 0 "the lease is given back"

fake_reset
fake_script '{"family":"openai","status":500,"delay_ms":800}'
burst "Another new question"
is "$(fake_count)" 2 "the call fails: exactly one retry follows"
is "$(cat out.* | jq -r '.error.class // .cache' | sort | uniq -c | awk '{print $1 " " $2}' | tr '\n' ' ')" \
	"6 exact 1 miss 1 server " "... one failure, one retried answer, 6 served from it"

# An owner that died leaves its lease: a waiter takes over at once.
fake_reset
fake_script '{"family":"openai","hang":true}'
llmr-ask --json --no-stream "An orphaned question" >/dev/null 2>&1 &
owner=$!
_i=0
while [ "$(sqlite3 "$STATE" "SELECT count(*) FROM cache_leases")" != 1 ] && [ $_i -lt 50 ]; do
	sleep 0.1
	_i=$((_i + 1))
done
kill -9 $owner
wait $owner 2>/dev/null
fake_reset # the hang, if the owner died before reaching the fake
t0=$(date +%s)
run llmr-ask --json --no-stream "An orphaned question"
is "$(jq_out .text)" "Hello!" "a dead owner's lease is taken over"
ok_cond "... without waiting for it to lapse (10s)" test $(($(date +%s) - t0)) -lt 5

# Requests that would not store the answer do not wait for others.
run llmr-ask --json --no-stream --no-store "Unshared question"
is "$(jq_out .cache)" miss "--no-store: asked directly"
done_testing
