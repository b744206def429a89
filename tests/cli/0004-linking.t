#!/bin/sh
# Each program loads only the shared libraries it uses: every one costs
# start-up time (llmr-ask is measured against curl, tests/bench/). The
# library is static and the link uses --as-needed, so one stray call (glib's
# checksum in the index did it) can drag a dependency into every program
# that links that object file. Read from the binaries with readelf.
. "$(dirname "$0")/lib.sh"
command -v readelf >/dev/null 2>&1 || skip_all "no readelf"

# The NEEDED entries, less the sanitizers' runtimes (make check's ASan build).
needed() {
	readelf -d "$LLMR_BUILD/bin/$1" | sed -n 's/.*(NEEDED).*\[\(.*\)\]$/\1/p' |
		grep -v -E '^lib(asan|ubsan|stdc\+\+|gcc_s)[.-]' | tr '\n' ' '
}

heavy='lib(glib|gobject|poppler|xml2|zip|uchardet)'
for p in llmr-ask llmr-route llmr-search llmr-cost llmr-quota; do
	unlike "$(needed $p)" "$heavy" "$p loads no document-extraction library: $(needed $p)"
done
for p in llmr-ask llmr-route llmr-search llmr-cost llmr-quota; do
	unlike "$(needed $p)" 'libreadline' "$p loads no readline at start (the REPL opens it)"
done
# Only llmr-ask --serve speaks HTTP as a server.
for p in llmr-route llmr-search llmr-cost llmr-quota llmr-index llmr-bench; do
	unlike "$(needed $p)" 'libmicrohttpd' "$p loads no HTTP server library"
done
like "$(needed llmr-ask)" 'libmicrohttpd' "llmr-ask does (--serve)"
unlike "$(needed llmr-quota)" 'libcurl' "llmr-quota makes no HTTP call: no libcurl"
is "$(needed llmr)" "libc.so.6 " "the dispatcher needs only libc"
like "$(needed llmr-index)" 'libpoppler' "llmr-index does load what it extracts with (the check can fail)"
done_testing
