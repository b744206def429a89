# llmr - plain Makefile (no autotools). See README.md.
#   make            build into build/
#   make check      install missing packages, build, run the tests (also under ASan+UBSan)
#   make demo       install missing packages, build, run the offline demo
#   make bench      benchmarks (prints figures; not tests)
#   make fuzz       libFuzzer harnesses, FUZZ_SECONDS (default 600) each (clang)
#   make install    PREFIX=/usr/local DESTDIR=

# The one place the version is written: --version and the HTTP User-Agent.
VERSION = 0.2.0
PREFIX ?= /usr/local
BINDIR ?= $(PREFIX)/bin
MANDIR ?= $(PREFIX)/share/man
DATADIR ?= $(PREFIX)/share
BUILD ?= build
SANITIZE ?=

PKGS = libcurl jansson sqlite3 yaml-0.1 readline libxml-2.0 libzip poppler-glib uchardet libmicrohttpd hiredis
# Debian packages: make deps installs the missing ones. The build (and
# make demo) needs the first list; the tests also need the second.
DEB_PKGS = gcc make pkg-config libc6-dev libcurl4-openssl-dev libjansson-dev \
	libsqlite3-dev libyaml-dev libreadline-dev libxml2-dev libzip-dev libpoppler-glib-dev \
	libuchardet-dev libmicrohttpd-dev libhiredis-dev libstemmer-dev ca-certificates jq python3
# No valgrind: no test needs it (LLMR_VALGRIND=1 is a choice; install it
# then). chromium renders the HTML cost report (tests/cli/0440).
DEB_TEST_PKGS = perl curl mandoc sqlite3 chromium redis-server

CC ?= cc
CFLAGS ?= -O2 -g
# WERROR=1 turns warnings into errors: make check, CI and developers use it;
# a user's plain `make` with another compiler should not fail on a new warning.
WERROR ?=
override CFLAGS += -std=c11 -Wall -Wextra -MMD -MP -D_DEFAULT_SOURCE -D_POSIX_C_SOURCE=200809L \
	-DLLMR_VERSION='"$(VERSION)"' \
	-Ilib $(shell pkg-config --cflags $(PKGS) 2>/dev/null)
# --as-needed: a program links only the libraries it uses (llmr-ask has no
# need of poppler and its dozens of dependencies, which cost 50 ms at start).
override LDFLAGS += -Wl,--as-needed
# Linked statically when the archive is installed (Debian's -dev packages
# ship it; STATIC_LIBS= turns it off): SQLite, jansson, libyaml and hiredis
# export their whole API through the dynamic symbol table, and resolving it
# at every start was a tenth of a short llmr-ask's CPU time (0.5 ms of 6).
STATIC_LIBS ?= $(foreach l,sqlite3 jansson yaml hiredis,$(if $(wildcard $(shell $(CC) -print-file-name=lib$(l).a)),$(l)))
STATIC_LDLIBS = -Wl,-Bstatic $(STATIC_LIBS:%=-l%) -Wl,-Bdynamic
LDLIBS += $(if $(STATIC_LIBS),$(STATIC_LDLIBS)) \
	$(filter-out $(STATIC_LIBS:%=-l%),$(shell pkg-config --libs $(PKGS) 2>/dev/null)) -lstemmer -lm -lpthread
ifneq ($(WERROR),)
override CFLAGS += -Werror
endif
ifneq ($(SANITIZE),)
override CFLAGS += -fsanitize=$(SANITIZE) -fno-omit-frame-pointer -fno-sanitize-recover=undefined
override LDFLAGS += -fsanitize=$(SANITIZE)
endif

# lib/ is one folder per layer (see HACKING.md); tests/unit/layers.t keeps
# every dependency pointing down.
LIB_SRC := $(sort $(wildcard lib/*/*.c))
CMD_SRC := $(sort $(wildcard cmd/*.c))
UNIT_SRC := $(sort $(wildcard tests/unit/*.c))
LIB_OBJ := $(LIB_SRC:%.c=$(BUILD)/%.o)
PROGS := $(CMD_SRC:cmd/%.c=$(BUILD)/bin/%)
UNITS := $(UNIT_SRC:tests/unit/%.c=$(BUILD)/tests/%.t)
# Fuzz harnesses (tests/fuzz/fuzz_NAME.c). Each is also linked with a small
# main that replays saved inputs, so make check replays the regressions
# fuzzing found (tests/fuzz/regressions/NAME/) without clang.
FUZZ_NAMES := config sse openai anthropic gemini ollama ratelimit extract chunk request
FUZZ_REPLAY := $(FUZZ_NAMES:%=$(BUILD)/fuzz/replay-%)
FUZZ_COMMON := $(BUILD)/tests/fuzz/fuzz_util.o

all: $(PROGS) $(UNITS) $(FUZZ_REPLAY)

$(BUILD)/%.o: %.c
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS) -c -o $@ $<

$(BUILD)/libllmr.a: $(LIB_OBJ)
	@rm -f $@
	$(AR) rcs $@ $^

# A program whose subcommands outgrow one file keeps them in cmd/PROG/*.c,
# linked into that program only.
.SECONDEXPANSION:
cmd_objs = $(patsubst %.c,$(BUILD)/%.o,$(wildcard cmd/$(1)/*.c))
$(BUILD)/bin/%: $(BUILD)/cmd/%.o $$(call cmd_objs,$$*) $(BUILD)/libllmr.a
	@mkdir -p $(dir $@)
	$(CC) $(LDFLAGS) -o $@ $(filter %.o,$^) $(BUILD)/libllmr.a $(LDLIBS)

$(BUILD)/tests/%.t: $(BUILD)/tests/unit/%.o $(BUILD)/libllmr.a
	@mkdir -p $(dir $@)
	$(CC) $(LDFLAGS) -o $@ $< $(BUILD)/libllmr.a $(LDLIBS)

$(BUILD)/fuzz/replay-%: $(BUILD)/tests/fuzz/fuzz_%.o $(BUILD)/tests/fuzz/replay.o $(FUZZ_COMMON) $(BUILD)/libllmr.a
	@mkdir -p $(dir $@)
	$(CC) $(LDFLAGS) -o $@ $^ $(LDLIBS)

# libFuzzer builds (clang): only under make fuzz.
$(BUILD)/fuzz/fuzz-%: $(BUILD)/tests/fuzz/fuzz_%.o $(FUZZ_COMMON) $(BUILD)/libllmr.a
	@mkdir -p $(dir $@)
	$(CC) $(LDFLAGS) -fsanitize=fuzzer -o $@ $^ $(LDLIBS)

.PRECIOUS: $(BUILD)/%.o

# The compiler's own dependency lists (-MMD -MP): touching a header rebuilds
# only the objects that include it.
-include $(LIB_OBJ:.o=.d) $(CMD_SRC:%.c=$(BUILD)/%.d) $(patsubst %.c,$(BUILD)/%.d,$(wildcard cmd/*/*.c)) $(UNIT_SRC:%.c=$(BUILD)/%.d) \
	$(wildcard $(BUILD)/tests/fuzz/*.d)

# Install what is missing, and only that (Debian; root or sudo).
# make deps: everything the tests need; make deps-build: enough to build
# and run the demo (no headless browser).
deps:
	@$(MAKE) --no-print-directory deps-build DEB_PKGS="$(DEB_PKGS) $(DEB_TEST_PKGS)"
	@$(MAKE) --no-print-directory deps-npm

# The official clients the tests drive llmr with, each the version pinned
# in its package-lock.json, into its node_modules (not committed):
# tests/mcp, the MCP SDK (tests/cli/0710-mcp-sdk.t); tests/serve, the
# openai package (tests/cli/0820-serve-sdk.t). Without node and npm, or the
# npm registry, those tests skip themselves.
NPM_DIRS = tests/mcp:@modelcontextprotocol/sdk tests/serve:openai
# The official openai and MCP SDKs the client tests drive; npm itself comes
# from Debian (nodejs, npm) when the machine has none.
deps-npm:
	@if ! command -v npm >/dev/null 2>&1 && command -v apt-get >/dev/null 2>&1; then \
		echo "make deps: installing nodejs npm"; \
		if [ "$$(id -u)" = 0 ]; then SUDO=; else SUDO=sudo; fi; \
		$$SUDO apt-get update -qq && DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y -qq \
			--no-install-recommends nodejs npm >/dev/null || echo "make deps: no npm to be had"; \
	fi
	@for d in $(NPM_DIRS); do dir=$${d%%:*}; pkg=$${d#*:}; \
		if [ -f $$dir/node_modules/$$pkg/package.json ]; then :; \
		elif ! command -v npm >/dev/null 2>&1; then \
			echo "make deps: no npm: the tests in $$dir will be skipped"; \
		else \
			echo "make deps: installing $$pkg into $$dir"; \
			(cd $$dir && npm ci --no-audit --no-fund --loglevel=error) || \
				echo "make deps: npm ci failed: the tests using $$dir will be skipped"; \
		fi; \
	done

deps-build:
	@missing=; for p in $(DEB_PKGS); do \
		dpkg-query -W -f='$${Status}' $$p 2>/dev/null | grep -q 'ok installed' || missing="$$missing $$p"; \
	done; \
	if [ -n "$$missing" ]; then \
		echo "make deps: installing:$$missing"; \
		if [ "$$(id -u)" = 0 ]; then SUDO=; else SUDO=sudo; fi; \
		$$SUDO apt-get update -qq && \
		DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y -qq --no-install-recommends $$missing >/dev/null || exit 1; \
	fi

# The tests run twice, in one prove run: against the normal build, and against
# an ASan+UBSan build (the CLI tests through small wrappers that point
# LLMR_BUILD at it). prove's summary ends the output.
ASAN_ENV = ASAN_OPTIONS=detect_leaks=1:abort_on_error=1 UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1

check: deps
	@$(MAKE) --no-print-directory WERROR=1 all
	@$(MAKE) --no-print-directory WERROR=1 BUILD=build/asan SANITIZE=address,undefined all
	@rm -rf build/asan/cli && mkdir -p build/asan/cli && for t in tests/cli/*.t; do \
		w=build/asan/cli/$${t##*/}; \
		printf '#!/bin/sh\nLLMR_BUILD=%s %s exec sh %s\n' '$(CURDIR)/build/asan' '$(ASAN_ENV)' '$(CURDIR)/'"$$t" >"$$w"; \
		chmod +x "$$w"; done
	LLMR_BUILD=$(CURDIR)/build $(ASAN_ENV) prove -j2 build/tests/*.t tests/cli/*.t build/asan/tests/*.t build/asan/cli/*.t

# Quick loop while developing: one build, no sanitizers.
test: all
	LLMR_BUILD=$(CURDIR)/$(BUILD) prove -j2 $(BUILD)/tests/*.t tests/cli/*.t

demo: deps-build
	@$(MAKE) --no-print-directory all
	@sh tests/demo/run.sh $(CURDIR)/build

# Fuzzing (not part of make check): build every harness with clang's
# libFuzzer, ASan and UBSan into build/fuzz, then run each for FUZZ_SECONDS
# (default 600) on its seed corpus tests/fuzz/corpus/NAME. New inputs go to
# build/fuzz/corpus/NAME, crashes to build/fuzz/crash-NAME-*; a crash stops
# the run. FUZZ=NAME... picks harnesses.
FUZZ_SECONDS ?= 600
FUZZ ?= $(FUZZ_NAMES)
FUZZ_CC ?= clang
fuzz:
	@$(MAKE) --no-print-directory BUILD=build/fuzz CC=$(FUZZ_CC) \
		SANITIZE=fuzzer-no-link,address,undefined $(FUZZ:%=build/fuzz/fuzz/fuzz-%)
	@for h in $(FUZZ); do \
		mkdir -p build/fuzz/corpus/$$h && \
		echo "make fuzz: $$h for $(FUZZ_SECONDS) s" && \
		build/fuzz/fuzz/fuzz-$$h -max_total_time=$(FUZZ_SECONDS) -print_final_stats=1 \
			-artifact_prefix=build/fuzz/crash-$$h- \
			build/fuzz/corpus/$$h tests/fuzz/corpus/$$h || exit 1; \
	done

bench: all
	@for b in tests/bench/*.sh; do [ -e "$$b" ] && LLMR_BUILD=$(CURDIR)/build sh "$$b"; done; true

install: all
	install -d $(DESTDIR)$(BINDIR) $(DESTDIR)$(MANDIR)/man1 $(DESTDIR)$(MANDIR)/man5 $(DESTDIR)$(MANDIR)/man7
	install -m 755 $(PROGS) $(DESTDIR)$(BINDIR)/
	for m in man/*.1; do install -m 644 $$m $(DESTDIR)$(MANDIR)/man1/; done
	for m in man/*.5; do [ -e $$m ] && install -m 644 $$m $(DESTDIR)$(MANDIR)/man5/; done; true
	for m in man/*.7; do [ -e $$m ] && install -m 644 $$m $(DESTDIR)$(MANDIR)/man7/; done; true
	install -d $(DESTDIR)$(DATADIR)/bash-completion/completions $(DESTDIR)$(DATADIR)/zsh/site-functions $(DESTDIR)$(DATADIR)/fish/vendor_completions.d
	install -m 644 completions/llmr.bash $(DESTDIR)$(DATADIR)/bash-completion/completions/llmr
	# bash-completion loads completions/NAME for command NAME: each program
	# links to the one file (but llmr is that file: no link over it).
	for p in $(notdir $(PROGS)); do [ $$p = llmr ] || ln -sf llmr $(DESTDIR)$(DATADIR)/bash-completion/completions/$$p; done
	install -m 644 completions/_llmr $(DESTDIR)$(DATADIR)/zsh/site-functions/_llmr
	install -m 644 completions/llmr.fish $(DESTDIR)$(DATADIR)/fish/vendor_completions.d/llmr.fish
	for p in $(notdir $(PROGS)); do [ $$p = llmr ] || ln -sf llmr.fish $(DESTDIR)$(DATADIR)/fish/vendor_completions.d/$$p.fish; done

uninstall:
	for p in $(notdir $(PROGS)); do rm -f $(DESTDIR)$(BINDIR)/$$p $(DESTDIR)$(DATADIR)/bash-completion/completions/$$p $(DESTDIR)$(DATADIR)/fish/vendor_completions.d/$$p.fish; done
	rm -f $(DESTDIR)$(MANDIR)/man1/llmr*.1 $(DESTDIR)$(MANDIR)/man5/llmr.conf.5 $(DESTDIR)$(MANDIR)/man7/llmr.7
	rm -f $(DESTDIR)$(DATADIR)/bash-completion/completions/llmr $(DESTDIR)$(DATADIR)/zsh/site-functions/_llmr $(DESTDIR)$(DATADIR)/fish/vendor_completions.d/llmr.fish

clean:
	rm -rf build

.PHONY: all deps deps-build deps-npm check test demo bench fuzz install uninstall clean
