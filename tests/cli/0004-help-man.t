#!/bin/sh
# Each program's --help agrees with its man page, as git's t0450 checks:
# the options the usage lines name are those of the SYNOPSIS, and every
# option of the --help table is described in the man page, and the other
# way round (tests/tools/helpman.py). -h and --version work everywhere.
. "$(dirname "$0")/lib.sh"
check=$LLMR_SRC/tests/tools/helpman.py
want_version=$(sed -n 's/^VERSION = //p' "$LLMR_SRC/Makefile")

for prog in "$LLMR_BUILD"/bin/llmr-*; do
	p=${prog##*/}
	"$prog" --help >"$p.help"
	run python3 "$check" "$p.help" "$LLMR_SRC/man/$p.1"
	is "$status" 0 "$p: --help agrees with $p(1)"
	[ "$status" = 0 ] || diag "$out"
	run "$prog" -h
	is "$out" "$(cat "$p.help")" "$p: -h is --help"
	run "$prog" --version
	is "$out" "$p $want_version" "$p: --version prints the Makefile's VERSION"
done
# Every exit code a program gives for what any of them can meet (a bad
# option, a missing or broken config file, a full disk) is in its EXIT
# STATUS section.
printf 'providers: [\n' >broken.conf
for prog in "$LLMR_BUILD"/bin/llmr-*; do
	p=${prog##*/}
	codes=$(sed -n '/^\.Sh EXIT STATUS/,/^\.Sh /s/^\.It \([0-9][0-9]*\).*/\1/p' "$LLMR_SRC/man/$p.1" | tr '\n' ' ')
	seen=
	run "$prog" --bogus-option x
	seen="$seen $status"
	run "$prog" --config "$TEST_DIR/missing.conf" x
	seen="$seen $status"
	run "$prog" --config broken.conf x
	seen="$seen $status"
	if [ -w /dev/full ]; then
		"$prog" --help >/dev/full 2>/dev/null
		seen="$seen $?"
	fi
	unlisted=
	for c in $seen; do
		case " $codes " in *" $c "*) ;; *) unlisted="$unlisted $c" ;; esac
	done
	is "$unlisted" "" "$p: the exit codes met ($seen) are in EXIT STATUS"
done
run llmr --version
is "$out" "llmr $want_version" "llmr --version"

# The check can fail: a --help option missing from the page, a page option
# missing from --help, a synopsis that differs, a short letter that differs.
cat >t.help <<'EOF2'
usage: t [-x] [--json] FILE
    -x, --extra            an option
        --json             JSON
        --only-help        not in the page
EOF2
cat >t.1 <<'EOF2'
.Sh SYNOPSIS
.Nm
.Op Fl y
.Op Fl \-json
.Sh OPTIONS
.Bl -tag -width Ds
.It Fl y , Fl \-extra
.It Fl \-json
.It Fl \-only-page
.El
EOF2
run python3 "$check" t.help t.1
is "$status" 1 "a page that disagrees fails the check"
like "$out" '^-x: in the usage of --help, not in the SYNOPSIS$' "... names a usage option missing from the SYNOPSIS"
like "$out" '^-y: in the SYNOPSIS, not in the usage of --help$' "... and the other way round"
like "$out" '^--only-help: in --help, not described in the man page$' "... names an undocumented option"
like "$out" '^--only-page: described in the man page, not in --help$' "... and a documented one that is gone"
like "$out" '^--extra: short option -x in --help, -y in the man page$' "... and a short letter that differs"
done_testing
