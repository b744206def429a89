#!/bin/sh
# Daily quotas with a calendar reset count from the last reset, not over a
# sliding 24 h; a key's expiry is an alert 14 days before.
. "$(dirname "$0")/lib.sh"
command -v sqlite3 >/dev/null || skip_all "sqlite3 is not installed"
fake_start
write_config
# The reset was an hour ago (UTC), so a sliding day and the calendar day
# disagree about what came before it.
reset=$(date -u -d '-1 hour' +%H:%M)
soon=$(date -u -d '+10 days' +%Y-%m-%d)
sed -i "/^  groq:/,/^    models:/s|^    timeout: 10s|    timeout: 10s\n    limits: {rpd: 10, rpd_reset: \"$reset UTC\", tpd: 1000, tpd_reset: \"$reset\"}\n    key_expires: $soon|" "$LLMR_CONFIG"
sed -i "/^  deepseek:/,/^    models:/s|^    timeout: 10s|    timeout: 10s\n    limits: {rpd: 10}\n    key_expires: 2099-01-01|" "$LLMR_CONFIG"
run llmr-ask --check-config
is "$status" 0 "a config with calendar resets and key_expires loads"

run llmr-quota --json
db=$XDG_DATA_HOME/llmr/state.db
now=$(($(date +%s) * 1000))
for p in groq deepseek; do
	for ago in 7200000 7000000 6000000 1800000 600000; do
		sqlite3 "$db" "INSERT INTO quota_log (provider, t_start, t_end, tokens, held)
			VALUES ('$p', $((now - ago - 1000)), $((now - ago)), 100, 0)"
	done
done
run llmr-quota --json
is "$(jq_out '.providers[] | select(.name == "groq") | .used.rpd')" 2 \
	"rpd with a calendar reset counts since the reset"
is "$(jq_out '.providers[] | select(.name == "groq") | .used.tpd')" 200 "... and so does tpd"
is "$(jq_out '.providers[] | select(.name == "deepseek") | .used.rpd')" 5 \
	"rpd without one counts the last 24 h"
next=$(( $(date -u -d "tomorrow $reset" +%s) * 1000 ))
[ "$next" -gt $((now + 86400000)) ] && next=$(( $(date -u -d "today $reset" +%s) * 1000 ))
is "$(jq_out '.providers[] | select(.name == "groq") | .frees_at.rpd')" "$next" \
	"... and frees at the next reset"

# The router sees the same count: 8 more fill the calendar day.
for i in 1 2 3 4 5 6 7 8; do
	sqlite3 "$db" "INSERT INTO quota_log (provider, t_start, t_end, tokens, held)
		VALUES ('groq', $((now - 2000)), $((now - 1000)), 1, 0)"
done
run llmr-route --json -m groq/llama3-8b-8192 "Say hi"
like "$out" '"why":"rpd exhausted \(10/10' "ten since the reset: groq is skipped for rpd"

# key_expires.
run llmr-quota
like "$out" "groq: key expires $soon \(in 1[01] days\)" "a key expiring in 10 days is an alert"
unlike "$out" "deepseek: key expires" "... one far off is not"
run llmr-quota --check
is "$status" 75 "--check: exit 75"
like "$out" "groq: key expires $soon" "... printing it"

cp "$LLMR_CONFIG" bad.conf
sed -i "s|key_expires: $soon|key_expires: 2027-02-30|; s|$reset UTC|$reset Mars/Olympus|" bad.conf
run llmr-ask --config bad.conf --check-config
is "$status" 78 "a bad date or zone is a config error"
like "$err" "groq: limits.rpd_reset: 'Mars/Olympus' is not a time zone" "... naming the zone"
like "$err" "groq: key_expires: '2027-02-30' is not a date" "... and the date"
done_testing
