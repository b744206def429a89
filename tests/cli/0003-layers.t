#!/bin/sh
# lib/ is one folder per layer (lib/LAYERS, lowest first): every call and
# every #include goes to the same folder or a lower one, and no files call
# each other round a loop. Read from the built objects with nm.
. "$(dirname "$0")/lib.sh"
command -v nm >/dev/null 2>&1 || skip_all "no nm"
check=$LLMR_SRC/tests/tools/layercheck.py

run python3 "$check" "$LLMR_SRC/lib/LAYERS" "$LLMR_SRC/lib" "$LLMR_BUILD/lib"
is "$status" 0 "lib/ keeps its layers"
like "$out" ' 0 faults$' "... no fault listed"
[ "$status" = 0 ] || diag "$out"

# The check itself can fail: plant an upward call, an upward include and
# a loop in a small tree of the same shape.
mkdir -p t/src/low t/src/high t/obj/low t/obj/high
printf 'low\nhigh\n' >t/LAYERS
printf 'int high_fn(void);\nint low_fn(void) { return high_fn(); }\n' >t/src/low/a.c
printf 'int low_fn(void);\nint high_fn(void) { return 1; }\nint high_user(void) { return low_fn(); }\n' >t/src/high/b.c
for f in low/a high/b; do cc -c -o t/obj/$f.o t/src/$f.c; done
run python3 "$check" t/LAYERS t/src t/obj
is "$status" 1 "a planted upward call fails the check"
like "$out" '^low/a calls high_fn in high/b: high is above low$' "... and names the call"
like "$out" '^loop: high/b -> low/a$' "... and the loop it makes"

printf '#include "high/b.h"\nint low_fn(void) { return 0; }\n' >t/src/low/a.c
printf 'int high_fn(void) { return 1; }\n' >t/src/high/b.c
: >t/src/high/b.h
cc -c -It/src -o t/obj/low/a.o t/src/low/a.c
cc -c -o t/obj/high/b.o t/src/high/b.c
run python3 "$check" t/LAYERS t/src t/obj
is "$status" 1 "a planted upward include fails the check"
like "$out" '^low/a.c includes a header of high, which is above low$' "... and names it"

printf 'int high_fn(void) { return 1; }\n' >t/src/low/a.c
cc -c -o t/obj/low/a.o t/src/low/a.c
mkdir -p t/src/extra t/obj/extra
printf 'int x;\n' >t/src/extra/c.c
cc -c -o t/obj/extra/c.o t/src/extra/c.c
run python3 "$check" t/LAYERS t/src t/obj
is "$status" 1 "a folder missing from LAYERS fails the check"
done_testing
