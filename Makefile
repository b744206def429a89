# llmr - plain Makefile (no autotools). See README.md.
#   make            build into build/
#   make check      install missing packages, build, run the tests (also under ASan+UBSan)
#   make demo       install missing packages, build, run the offline demo
#   make bench      benchmarks (prints figures; not tests)
#   make install    PREFIX=/usr/local DESTDIR=

# The one place the version is written: --version and the HTTP User-Agent.
VERSION = 0.2.0
PREFIX ?= /usr/local
BINDIR ?= $(PREFIX)/bin
MANDIR ?= $(PREFIX)/share/man
DATADIR ?= $(PREFIX)/share
BUILD ?= build
SANITIZE ?=

PKGS = libcurl jansson sqlite3 yaml-0.1 readline libxml-2.0 libzip poppler-glib uchardet hiredis
# Debian packages: make deps installs the missing ones. The build (and
# make demo) needs the first list; the tests also need the second.
DEB_PKGS = gcc make pkg-config libc6-dev libcurl4-openssl-dev libjansson-dev \
	libsqlite3-dev libyaml-dev libreadline-dev libxml2-dev libzip-dev libpoppler-glib-dev \
	libuchardet-dev libhiredis-dev ca-certificates jq python3
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
LDLIBS += $(shell pkg-config --libs $(PKGS) 2>/dev/null) -lm -lpthread
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

all: $(PROGS) $(UNITS)

$(BUILD)/%.o: %.c
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS) -c -o $@ $<

$(BUILD)/libllmr.a: $(LIB_OBJ)
	@rm -f $@
	$(AR) rcs $@ $^

$(BUILD)/bin/%: $(BUILD)/cmd/%.o $(BUILD)/libllmr.a
	@mkdir -p $(dir $@)
	$(CC) $(LDFLAGS) -o $@ $< $(BUILD)/libllmr.a $(LDLIBS)

$(BUILD)/tests/%.t: $(BUILD)/tests/unit/%.o $(BUILD)/libllmr.a
	@mkdir -p $(dir $@)
	$(CC) $(LDFLAGS) -o $@ $< $(BUILD)/libllmr.a $(LDLIBS)

.PRECIOUS: $(BUILD)/%.o

# The compiler's own dependency lists (-MMD -MP): touching a header rebuilds
# only the objects that include it.
-include $(LIB_OBJ:.o=.d) $(CMD_SRC:%.c=$(BUILD)/%.d) $(UNIT_SRC:%.c=$(BUILD)/%.d)

# Install what is missing, and only that (Debian; root or sudo).
# make deps: everything the tests need; make deps-build: enough to build
# and run the demo (no headless browser).
deps:
	@$(MAKE) --no-print-directory deps-build DEB_PKGS="$(DEB_PKGS) $(DEB_TEST_PKGS)"
	@$(MAKE) --no-print-directory deps-npm

# The official MCP client for tests/cli/0710-mcp-sdk.t: the version pinned in
# tests/mcp/package-lock.json, into tests/mcp/node_modules (not committed).
# Without node and npm, or the npm registry, that test skips itself.
MCP_SDK = tests/mcp/node_modules/@modelcontextprotocol/sdk/package.json
deps-npm:
	@if [ -f $(MCP_SDK) ]; then :; \
	elif ! command -v npm >/dev/null 2>&1; then \
		echo "make deps: no npm: the MCP client test will be skipped"; \
	else \
		echo "make deps: installing the MCP SDK into tests/mcp"; \
		(cd tests/mcp && npm ci --no-audit --no-fund --loglevel=error) || \
			echo "make deps: npm ci failed: the MCP client test will be skipped"; \
	fi

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

.PHONY: all deps deps-build deps-npm check test demo bench install uninstall clean
