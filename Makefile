# socklab — the one build.
#
#   make            build the library, the launcher, the dashboard and every lab
#   make run        build, then start the lab menu
#   make check      build (normal and ASan+UBSan) and run every test suite
#   make bench      run the benchmarks and write docs/performance.md
#                   (make bench-server: only lab 11's server against nginx;
#                   BENCH_QUICK=1 for one short run that leaves the file alone)
#   make stress     every lab 30 at once, quiet and busy, root and unprivileged
#   make fuzz       fuzz lab 11's request path for FUZZ_SECONDS (default 300)
#   make install    install under $(DESTDIR)$(PREFIX) (default /usr/local): the
#                   programs, the labs with their sources and notes, and the
#                   library, its headers and socklab.pc to rebuild a changed lab
#   make uninstall  remove what make install put there
#   make deb        the Debian packages (debian/), built in $(BUILD)/deb
#   make po         after a message or a document changed: the message
#                   catalog (po/) and the documents' PO files (po/docs/)
#                   brought up to the sources; then translate what is new
#
# Every labs/NN-name.c becomes $(BUILD)/bin/labNN-name, and so does every
# labs/NN-name/ directory (all its .c files linked together): a new lab needs
# no edit here.

PREFIX  ?= /usr/local
BUILD   ?= build
SAN     ?=
LIBEXEC  = $(PREFIX)/libexec/socklab
SHARE    = $(PREFIX)/share/socklab
LIBDIR   = $(PREFIX)/lib
INCLUDEDIR = $(PREFIX)/include
VERSION  = 0.1.0

WARN     = -Wall -Wextra -Wshadow -Wmissing-prototypes -Werror
CFLAGS  ?= -O2 -g
SANITIZE = -fsanitize=address,undefined -fno-omit-frame-pointer -fno-sanitize-recover=all
SANFLAGS = $(if $(SAN),$(SANITIZE))
# Recursive (=) on purpose: pkg-config runs when a recipe needs it, after the
# dependency check below has had the chance to install what is missing.
PKG_LIB  = $(shell pkg-config --cflags libmnl)
PKG_TUI  = $(shell pkg-config --cflags ncursesw)
PKG_TRACE = $(shell pkg-config --cflags libtracefs)
PKG_PCAP = $(shell pkg-config --cflags libpcap)
PKG_NFT  = $(shell pkg-config --cflags libnftables)
ALL_CFLAGS  = -std=c11 -D_GNU_SOURCE -DSL_VERSION='"$(VERSION)"' $(WARN) $(CFLAGS) \
              $(SANFLAGS) $(CPPFLAGS) -Iinclude $(PKG_LIB) $(EXTRA_CFLAGS) -MMD -MP
LDLIBS_LIB  = $(shell pkg-config --libs libmnl jansson md4c libpcap)
# The engine drops packets in a lab's private network through libnftables:
# whatever links the lab layer links it too.
LDLIBS_ENGINE = $(shell pkg-config --libs libnftables)
LDLIBS_TUI  = $(shell pkg-config --libs ncursesw)
LDLIBS_TRACE = $(shell pkg-config --libs libtracefs)
LDLIBS_TEST = $(shell pkg-config --libs cmocka)
ALL_LDFLAGS = $(SANFLAGS) $(LDFLAGS)

# The library is four layers, each a folder and a static library of its own;
# a layer uses only the layers before it in this list (docs/hacking.md), which
# tools/check-layers.sh checks on every build: the includes of every source
# and the undefined symbols of every library.
LAYERS   = base observe lab tui
DASH_SRC = $(wildcard src/dash/*.c)
LAUNCHER_SRC = src/socklab.c $(wildcard src/launcher/*.c)
LAB_SRC  = $(wildcard labs/[0-9][0-9]-*.c)
LAB_DIRS = $(patsubst %/,%,$(wildcard labs/[0-9][0-9]-*/))
LAB_DIR_SRC = $(wildcard $(addsuffix /*.c,$(LAB_DIRS)) $(addsuffix /*.h,$(LAB_DIRS)))
UNIT_SRC = $(wildcard tests/unit/test_*.c)
TOOL_SRC = $(wildcard tests/tools/*.c)
BENCH_SRC = $(wildcard bench/*.c)

layer_lib = $(BUILD)/lib/libsocklab-$(1).a
LAYER_LIBS = $(foreach l,$(LAYERS),$(call layer_lib,$(l)))
LIB_OBJ  = $(patsubst %.c,$(BUILD)/obj/%.o,$(foreach l,$(LAYERS),$(wildcard src/$(l)/*.c)))
# The installed library is one archive of the four layers' objects: a lab
# rebuilt against it links with one -lsocklab, in no particular order (the
# linker rescans one archive until nothing more resolves); the layers stay
# separate in the tree and the build, where their rule is checked.
INSTALL_LIB = $(BUILD)/lib/libsocklab.a
# What each kind of program links, top layer first (the order the linker
# needs): a lab runs on the engine and shows itself with the TUI presenter as
# well (the engine finds it through a weak reference, src/lab/lab_internal.h;
# --undefined pulls it in); sockdash uses the widgets but never the engine;
# the launcher needs neither.
LIBS_LAB      = $(call layer_lib,tui) $(call layer_lib,lab) $(call layer_lib,observe) \
                $(call layer_lib,base)
LIBS_DASH     = $(call layer_lib,tui) $(call layer_lib,observe) $(call layer_lib,base)
LIBS_LAUNCHER = $(call layer_lib,observe) $(call layer_lib,base)
LINK_TUI_PRESENTER = -Wl,--undefined=sl_tui_presenter
LAYERS_OK = $(BUILD)/.layers-ok
DASH_OBJ = $(DASH_SRC:%.c=$(BUILD)/obj/%.o)
LAUNCHER = $(BUILD)/bin/socklab
LAUNCHER_OBJ = $(LAUNCHER_SRC:%.c=$(BUILD)/obj/%.o)
DASH     = $(BUILD)/bin/sockdash
DASH_PARTS = $(filter-out $(BUILD)/obj/src/dash/sockdash.o,$(DASH_OBJ))
LAB_BIN  = $(patsubst labs/%.c,$(BUILD)/bin/lab%,$(LAB_SRC)) \
           $(patsubst labs/%,$(BUILD)/bin/lab%,$(LAB_DIRS))
UNIT_BIN = $(patsubst tests/unit/%.c,$(BUILD)/tests/%,$(UNIT_SRC))
TOOL_BIN = $(patsubst tests/tools/%.c,$(BUILD)/tests/%,$(TOOL_SRC))
BENCH_BIN = $(patsubst bench/%.c,$(BUILD)/bench/%,$(BENCH_SRC))
# libFuzzer targets, built with clang (they carry their own sanitizers, so
# the sanitizer build does not build them again).
FUZZ_SRC = $(wildcard tests/fuzz/*.c)
FUZZ_BIN = $(patsubst tests/fuzz/%.c,$(BUILD)/fuzz/%,$(FUZZ_SRC))
FUZZ_SECONDS ?= 300
DEPS_OK  = $(BUILD)/.deps-ok
# What the dependency check looks for (tools/ensure-deps.sh): the build and
# the tests by default; the Debian package's build asks for the build's only.
DEPS_FOR = test

# The messages in other languages: each po/LANG.po compiled into the build
# tree's catalog, $(BUILD)/locale/LANG/LC_MESSAGES/socklab.mo (where a program
# run from $(BUILD)/bin finds it: include/socklab/i18n.h), installed under
# $(PREFIX)/share/locale. msgfmt --check refuses a translation whose
# conversions (%d, %s...) differ from its English.
LINGUAS  = $(basename $(notdir $(wildcard po/*.po)))
MO_FILES = $(LINGUAS:%=$(BUILD)/locale/%/LC_MESSAGES/socklab.mo)
LOCALEDIR = $(PREFIX)/share/locale

# The documents a student reads, in other languages: po4a makes them from
# the English ones and po/docs/LANG.po (po/docs/po4a.cfg lists them, with
# the languages) into $(BUILD)/docs/LANG/, where socklab and a lab's --tui
# run from $(BUILD)/bin find them (include/socklab/docs.h), installed beside
# the English ones. Built, never committed: the PO files are the one source.
DOCS_CONFIG = po/docs/po4a.cfg
DOCS_LANGS  = $(shell sed -n 's/^\[po4a_langs\] *//p' $(DOCS_CONFIG))
DOCS_MASTERS = $(shell sed -n 's/^\[type: text\] \([^ ]*\) .*/\1/p' $(DOCS_CONFIG))
DOCS_MADE   = $(BUILD)/docs/.made

.PHONY: all run check tests bench bench-server stress fuzz install uninstall deb clean deps po
.DELETE_ON_ERROR:

all: $(LAYERS_OK) $(LAUNCHER) $(DASH) $(LAB_BIN) $(INSTALL_LIB) $(MO_FILES) $(DOCS_MADE)

tests: all $(UNIT_BIN) $(TOOL_BIN) $(if $(SAN),,$(FUZZ_BIN))

run: all
	@$(LAUNCHER)

# check: the normal build and the sanitizer build, then every suite; the last
# line printed is "N passed, N failed" over all of them.
check: tests
	@$(MAKE) --no-print-directory BUILD=build-asan SAN=1 CFLAGS='-O1 -g' tests
	@tests/run-all.sh $(BUILD) build-asan

stress: all
	@sh tests/suites/stress.sh $(BUILD) long

bench: all $(BENCH_BIN) $(TOOL_BIN)
	@sh tools/ensure-deps.sh bench
	@sh bench/run.sh $(BUILD)

# Only lab 11's server against nginx (the rest of docs/performance.md is kept).
# BENCH_QUICK=1: one short run a load, written to $(BUILD)/performance-quick.md.
bench-server: all $(TOOL_BIN)
	@sh tools/ensure-deps.sh bench
	@sh bench/run.sh $(BUILD) server

# A long fuzzing run; what it finds new stays in build/fuzz/, the committed
# corpus (tests/fuzz/corpus) is only read.
fuzz: $(FUZZ_BIN)
	@mkdir -p $(BUILD)/fuzz/found
	$(BUILD)/fuzz/fuzz_request -max_total_time=$(FUZZ_SECONDS) -timeout=5 \
	    -rss_limit_mb=2048 -artifact_prefix=$(BUILD)/fuzz/ $(BUILD)/fuzz/found tests/fuzz/corpus

# The launcher's parts are found from src/.
$(LAUNCHER_OBJ): EXTRA_CFLAGS = -Isrc
# The terminal layer (the widgets and the labs' --tui presenter) and the
# dashboard are compiled against ncurses, and only they are; the presenter
# sees the engine's internals (src/lab/lab_internal.h).
TUI_OBJ = $(patsubst %.c,$(BUILD)/obj/%.o,$(wildcard src/tui/*.c))
$(DASH_OBJ): EXTRA_CFLAGS = $(PKG_TUI)
$(TUI_OBJ): EXTRA_CFLAGS = $(PKG_TUI) -Isrc/lab
$(BUILD)/obj/tests/unit/test_dash_%.o: EXTRA_CFLAGS = -Isrc/dash
# Only the trace module is compiled against libtracefs; what links it (the
# dashboard, its tests and the trace tests) links libtracefs too.
$(BUILD)/obj/src/observe/trace.o: EXTRA_CFLAGS = $(PKG_TRACE)
$(DASH) $(BUILD)/tests/test_trace: LDLIBS_LIB += $(LDLIBS_TRACE)
# The capture module alone is compiled against libpcap, the engine's packet
# filter alone against libnftables.
$(BUILD)/obj/src/observe/capture.o: EXTRA_CFLAGS = $(PKG_PCAP)
$(BUILD)/obj/src/lab/lab_drop.o: EXTRA_CFLAGS = $(PKG_NFT)
$(BUILD)/tests/test_dash_%: LDLIBS_LIB += $(LDLIBS_TRACE)

$(BUILD)/locale/%/LC_MESSAGES/socklab.mo: po/%.po | $(DEPS_OK)
	@mkdir -p $(@D)
	msgfmt --check -o $@ $<

$(DOCS_MADE): $(DOCS_CONFIG) $(DOCS_MASTERS) $(wildcard po/docs/*.po) tools/docs-po.sh | $(DEPS_OK)
	@sh tools/docs-po.sh build $(BUILD)/docs
	@touch $@

# After a message or a document changed: po/socklab.pot extracted again and
# every po/LANG.po merged with it (tools/update-po.sh), and the same for the
# documents' po/docs/ (tools/docs-po.sh); docs/hacking.md.
po:
	@sh tools/update-po.sh
	@sh tools/docs-po.sh update

deps: $(DEPS_OK)
$(DEPS_OK): tools/ensure-deps.sh
	@sh tools/ensure-deps.sh $(DEPS_FOR)
	@mkdir -p $(@D) && touch $@

$(BUILD)/obj/%.o: %.c | $(DEPS_OK)
	@mkdir -p $(@D)
	$(CC) $(ALL_CFLAGS) -c $< -o $@

define LAYER_RULE
$(call layer_lib,$(1)): $(patsubst %.c,$(BUILD)/obj/%.o,$(wildcard src/$(1)/*.c))
	@mkdir -p $$(@D)
	rm -f $$@ && $$(AR) rcs $$@ $$^
endef
$(foreach l,$(LAYERS),$(eval $(call LAYER_RULE,$(l))))

# The layers' rule, checked on every build (see LAYERS above).
$(LAYERS_OK): $(LAYER_LIBS) tools/check-layers.sh
	@sh tools/check-layers.sh . $(BUILD)/lib
	@touch $@

$(LAUNCHER): $(LAUNCHER_OBJ) $(LIBS_LAUNCHER)
	@mkdir -p $(@D)
	$(CC) $(ALL_LDFLAGS) -o $@ $^ $(LDLIBS_LIB)

$(DASH): $(DASH_OBJ) $(LIBS_DASH)
	@mkdir -p $(@D)
	$(CC) $(ALL_LDFLAGS) -o $@ $^ $(LDLIBS_TUI) $(LDLIBS_LIB)

$(BUILD)/bin/lab%: $(BUILD)/obj/labs/%.o $(LIBS_LAB)
	@mkdir -p $(@D)
	$(CC) $(ALL_LDFLAGS) $(LINK_TUI_PRESENTER) -o $@ $^ $(LDLIBS_ENGINE) $(LDLIBS_LIB) $(LDLIBS_TUI)

# A lab directory: every .c in it, linked with the lab's own libraries
# (LDLIBS_LAB, set per lab below).
define LAB_DIR_RULE
$(BUILD)/bin/lab$(patsubst labs/%,%,$(1)): $(patsubst %.c,$(BUILD)/obj/%.o,$(wildcard $(1)/*.c)) $$(LIBS_LAB)
	@mkdir -p $$(@D)
	$$(CC) $$(ALL_LDFLAGS) $$(LINK_TUI_PRESENTER) -o $$@ $$^ $$(LDLIBS_LAB) $$(LDLIBS_ENGINE) $$(LDLIBS_LIB) $$(LDLIBS_TUI)
endef
$(foreach dir,$(LAB_DIRS),$(eval $(call LAB_DIR_RULE,$(dir))))

# Lab 11 parses HTTP with llhttp, whose C sources Debian ships in node-llhttp
# (the dependency check installs it): compiled here, into the lab, with the
# package's header seen as a system header by the lab's own files. Its code
# is generated, not ours: it gets -Wall -Wextra without -Werror, and without
# -Wunused-parameter, which its generated states trip over a hundred times;
# our flags are not touched.
LLHTTP_DIR   = /usr/share/llhttp
LLHTTP_INC   = /usr/share/include/llhttp
LLHTTP_NAMES = api http llhttp
LLHTTP_SRC   = $(LLHTTP_NAMES:%=$(LLHTTP_DIR)/%.c)
LLHTTP_OBJ   = $(LLHTTP_NAMES:%=$(BUILD)/obj/llhttp/%.o)
LLHTTP_WARN  = -Wall -Wextra -Wno-unused-parameter
$(LLHTTP_SRC) $(LLHTTP_INC)/llhttp.h: | $(DEPS_OK)
	@test -f $@ || { echo "socklab: $@ is missing: install node-llhttp." >&2; exit 2; }
$(BUILD)/obj/llhttp/%.o: $(LLHTTP_DIR)/%.c $(LLHTTP_INC)/llhttp.h
	@mkdir -p $(@D)
	$(CC) -std=c11 $(LLHTTP_WARN) $(CFLAGS) $(SANFLAGS) -I$(LLHTTP_INC) -c $< -o $@
$(BUILD)/obj/labs/11-epoll-server/%.o: EXTRA_CFLAGS = -isystem $(LLHTTP_INC)
$(BUILD)/bin/lab11-epoll-server: $(LLHTTP_OBJ)

$(BUILD)/tests/test_dash_%: $(BUILD)/obj/tests/unit/test_dash_%.o $(DASH_PARTS) $(LIBS_DASH)
	@mkdir -p $(@D)
	$(CC) $(ALL_LDFLAGS) -o $@ $^ $(LDLIBS_TEST) $(LDLIBS_TUI) $(LDLIBS_LIB)

$(BUILD)/tests/test_%: $(BUILD)/obj/tests/unit/test_%.o $(LIBS_LAB)
	@mkdir -p $(@D)
	$(CC) $(ALL_LDFLAGS) $(LINK_TUI_PRESENTER) -o $@ $^ $(LDLIBS_TEST) $(LDLIBS_ENGINE) $(LDLIBS_LIB) $(LDLIBS_TUI)

$(BUILD)/tests/%: $(BUILD)/obj/tests/tools/%.o $(LIBS_LAB)
	@mkdir -p $(@D)
	$(CC) $(ALL_LDFLAGS) -o $@ $^ $(LDLIBS_ENGINE) $(LDLIBS_LIB) $(LDLIBS_TUI)

# The fuzz target and lab 11's server (its sources without the lab's and the
# front's: the server and what it is built from), compiled together by clang.
# llhttp is compiled apart (its own warnings, as above) but instrumented the
# same way, so the fuzzer steers by the parser's branches too.
LAB11_SERVER_SRC = $(addprefix labs/11-epoll-server/,server.c buffer.c deadline.c files.c)
FUZZ_SANITIZE = -fsanitize=address,undefined -fno-sanitize-recover=all
FUZZ_LLHTTP_OBJ = $(LLHTTP_NAMES:%=$(BUILD)/fuzz/llhttp/%.o)
$(BUILD)/fuzz/llhttp/%.o: $(LLHTTP_DIR)/%.c $(LLHTTP_INC)/llhttp.h
	@mkdir -p $(@D)
	clang -std=c11 -g -O1 $(LLHTTP_WARN) -fsanitize=fuzzer-no-link $(FUZZ_SANITIZE) \
	    -I$(LLHTTP_INC) -c $< -o $@
$(BUILD)/fuzz/fuzz_request: tests/fuzz/fuzz_request.c $(LAB11_SERVER_SRC) $(FUZZ_LLHTTP_OBJ) \
                            $(wildcard labs/11-epoll-server/*.h) | $(DEPS_OK)
	@mkdir -p $(@D)
	clang -std=c11 -D_GNU_SOURCE -g -O1 $(WARN) -fsanitize=fuzzer $(FUZZ_SANITIZE) \
	    -Ilabs/11-epoll-server -isystem $(LLHTTP_INC) -o $@ $(filter %.c %.o,$^)

$(BUILD)/bench/%: $(BUILD)/obj/bench/%.o $(LIBS_LAB)
	@mkdir -p $(@D)
	$(CC) $(ALL_LDFLAGS) -o $@ $^ $(LDLIBS_ENGINE) $(LDLIBS_LIB) $(LDLIBS_TUI)

MAN1     = $(PREFIX)/share/man/man1
BASHCOMP = $(PREFIX)/share/bash-completion/completions
PKGCONFIGDIR = $(LIBDIR)/pkgconfig
HEADERS  = $(wildcard include/socklab/*.h)

$(INSTALL_LIB): $(LIB_OBJ)
	@mkdir -p $(@D)
	rm -f $@ && $(AR) rcs $@ $^

# socklab.pc is written at install time, for the PREFIX and LIBDIR given then.
install: all
	install -d $(DESTDIR)$(PREFIX)/bin $(DESTDIR)$(LIBEXEC) \
	           $(DESTDIR)$(SHARE)/labs $(DESTDIR)$(SHARE)/docs/labs \
	           $(DESTDIR)$(MAN1) $(DESTDIR)$(BASHCOMP) \
	           $(DESTDIR)$(INCLUDEDIR)/socklab $(DESTDIR)$(PKGCONFIGDIR)
	install -m 755 $(LAUNCHER) $(DASH) $(DESTDIR)$(PREFIX)/bin/
	install -m 644 man/socklab.1 man/sockdash.1 $(DESTDIR)$(MAN1)/
	install -m 644 completion/socklab.bash $(DESTDIR)$(BASHCOMP)/socklab
	install -m 644 completion/socklab.bash $(DESTDIR)$(BASHCOMP)/sockdash
	install -m 755 $(LAB_BIN) $(DESTDIR)$(LIBEXEC)/
	install -m 644 $(LAB_SRC) $(DESTDIR)$(SHARE)/labs/
	$(foreach dir,$(LAB_DIRS),install -d $(DESTDIR)$(SHARE)/$(dir) && \
	    install -m 644 $(wildcard $(dir)/*.c $(dir)/*.h) $(DESTDIR)$(SHARE)/$(dir)/;)
	$(if $(wildcard docs/*.md),install -m 644 $(wildcard docs/*.md) $(DESTDIR)$(SHARE)/docs/)
	install -m 644 $(wildcard docs/labs/*.md) $(DESTDIR)$(SHARE)/docs/labs/
	install -D -m 644 docs/zh_CN/glossary.md $(DESTDIR)$(SHARE)/docs/zh_CN/glossary.md
	$(foreach l,$(LINGUAS),install -d $(DESTDIR)$(LOCALEDIR)/$(l)/LC_MESSAGES && \
	    install -m 644 $(BUILD)/locale/$(l)/LC_MESSAGES/socklab.mo \
	        $(DESTDIR)$(LOCALEDIR)/$(l)/LC_MESSAGES/;)
	for lang in $(DOCS_LANGS); do \
	    [ -d $(BUILD)/docs/$$lang ] || continue; \
	    for doc in $$(cd $(BUILD)/docs && find "$$lang" -name '*.md'); do \
	        install -D -m 644 "$(BUILD)/docs/$$doc" "$(DESTDIR)$(SHARE)/docs/$$doc" || exit 1; \
	    done; \
	done
	install -m 644 $(INSTALL_LIB) $(DESTDIR)$(LIBDIR)/
	install -m 644 $(HEADERS) $(DESTDIR)$(INCLUDEDIR)/socklab/
	sed -e 's|@PREFIX@|$(PREFIX)|g' -e 's|@LIBDIR@|$(LIBDIR)|g' \
	    -e 's|@INCLUDEDIR@|$(INCLUDEDIR)|g' -e 's|@SHARE@|$(SHARE)|g' \
	    -e 's|@VERSION@|$(VERSION)|g' src/socklab.pc.in >$(DESTDIR)$(PKGCONFIGDIR)/socklab.pc

uninstall:
	rm -f $(DESTDIR)$(PREFIX)/bin/socklab $(DESTDIR)$(PREFIX)/bin/sockdash
	rm -f $(DESTDIR)$(MAN1)/socklab.1 $(DESTDIR)$(MAN1)/sockdash.1
	rm -f $(DESTDIR)$(BASHCOMP)/socklab $(DESTDIR)$(BASHCOMP)/sockdash
	rm -f $(DESTDIR)$(LIBDIR)/libsocklab.a $(DESTDIR)$(PKGCONFIGDIR)/socklab.pc
	rm -f $(LINGUAS:%=$(DESTDIR)$(LOCALEDIR)/%/LC_MESSAGES/socklab.mo)
	rm -rf $(DESTDIR)$(LIBEXEC) $(DESTDIR)$(SHARE) $(DESTDIR)$(INCLUDEDIR)/socklab

# The Debian packages (debian/), built offline from a copy of the tree in
# $(BUILD)/deb, where the .deb, .buildinfo and .changes files are left; the
# tree itself stays clean (tools/make-deb.sh).
deb: | $(DEPS_OK)
	@sh tools/make-deb.sh $(BUILD)/deb

clean:
	rm -rf build build-asan

# Libraries and sources are listed for the linker after the objects; keep the
# intermediate objects so a rebuild only recompiles what changed.
.SECONDARY:

-include $(shell find $(BUILD)/obj -name '*.d' 2>/dev/null)
