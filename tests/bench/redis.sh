#!/bin/sh
# Benchmark (not a test): quota reservations per second, and the time each
# adds to a request, through Redis (coordination) against the state file
# alone, with 1, 8 and 32 processes on one host; then the same for the
# spend holds of monthly caps. A real redis-server on a
# loopback port, no persistence.
: "${LLMR_BUILD:=$PWD/build}"
command -v redis-server >/dev/null 2>&1 || { echo "redis bench: redis-server is not installed"; exit 0; }
port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
redis-server --port "$port" --bind 127.0.0.1 --save '' --appendonly no --daemonize no --logfile /dev/null &
pid=$!
trap 'kill $pid 2>/dev/null' EXIT
i=0
until redis-cli -p "$port" ping 2>/dev/null | grep -q PONG; do
	i=$((i + 1))
	[ $i -lt 100 ] || { echo "redis bench: redis-server did not start"; exit 0; }
	sleep 0.05
done
echo "quota reservations, Redis vs the state file (load average $(cut -d' ' -f1 /proc/loadavg))"
for procs in 1 8 32; do
	"$LLMR_BUILD/tests/coord_bench.t" --bench "$procs" "${COUNT:-200}" "redis://127.0.0.1:$port/0"
done
# Monthly caps: each call holds its estimated cost before it is made and
# releases it after (route/spend.h); through Redis the hold also checks
# every host's spend and publishes this host's.
echo "spend holds against a monthly cap, Redis vs the state file"
for procs in 1 8 32; do
	"$LLMR_BUILD/tests/coord_bench.t" --bench-spend "$procs" "${COUNT:-200}" "redis://127.0.0.1:$port/0"
done
