# socklab — the one build.
#
#   make            build the library, the launcher, the dashboard and every lab
#   make run        build, then start the lab menu
#   make check      build (normal and ASan+UBSan) and run every test suite
#   make bench      run the benchmarks and write docs/performance.md
#   make stress     every lab 30 at once, quiet and busy, root and unprivileged
#   make install    install under $(DESTDIR)$(PREFIX) (default /usr/local)
#
# Every labs/NN-name.c becomes $(BUILD)/bin/labNN-name: a new lab needs no edit here.

PREFIX  ?= /usr/local
BUILD   ?= build
SAN     ?=
LIBEXEC  = $(PREFIX)/libexec/socklab
SHARE    = $(PREFIX)/share/socklab
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
ALL_CFLAGS  = -std=c11 -D_GNU_SOURCE -DSL_VERSION='"$(VERSION)"' $(WARN) $(CFLAGS) \
              $(SANFLAGS) -Iinclude $(PKG_LIB) $(EXTRA_CFLAGS) -MMD -MP
LDLIBS_LIB  = $(shell pkg-config --libs libmnl jansson)
LDLIBS_TUI  = $(shell pkg-config --libs ncursesw)
LDLIBS_TRACE = $(shell pkg-config --libs libtracefs)
LDLIBS_TEST = $(shell pkg-config --libs cmocka)
ALL_LDFLAGS = $(SANFLAGS) $(LDFLAGS)

LIB_SRC  = $(wildcard src/lib/*.c)
DASH_SRC = $(wildcard src/dash/*.c)
LAUNCHER_SRC = src/socklab.c $(wildcard src/launcher/*.c)
LAB_SRC  = $(wildcard labs/[0-9][0-9]-*.c)
UNIT_SRC = $(wildcard tests/unit/test_*.c)
TOOL_SRC = $(wildcard tests/tools/*.c)
BENCH_SRC = $(wildcard bench/*.c)

LIB      = $(BUILD)/lib/libsocklab.a
LIB_OBJ  = $(LIB_SRC:%.c=$(BUILD)/obj/%.o)
DASH_OBJ = $(DASH_SRC:%.c=$(BUILD)/obj/%.o)
LAUNCHER = $(BUILD)/bin/socklab
LAUNCHER_OBJ = $(LAUNCHER_SRC:%.c=$(BUILD)/obj/%.o)
DASH     = $(BUILD)/bin/sockdash
DASH_PARTS = $(filter-out $(BUILD)/obj/src/dash/sockdash.o,$(DASH_OBJ))
LAB_BIN  = $(patsubst labs/%.c,$(BUILD)/bin/lab%,$(LAB_SRC))
UNIT_BIN = $(patsubst tests/unit/%.c,$(BUILD)/tests/%,$(UNIT_SRC))
TOOL_BIN = $(patsubst tests/tools/%.c,$(BUILD)/tests/%,$(TOOL_SRC))
BENCH_BIN = $(patsubst bench/%.c,$(BUILD)/bench/%,$(BENCH_SRC))
DEPS_OK  = $(BUILD)/.deps-ok

.PHONY: all run check tests bench stress install uninstall clean deps
.DELETE_ON_ERROR:

all: $(LAUNCHER) $(DASH) $(LAB_BIN)

tests: all $(UNIT_BIN) $(TOOL_BIN)

run: all
	@$(LAUNCHER)

# check: the normal build and the sanitizer build, then every suite; the last
# line printed is "N passed, N failed" over all of them.
check: tests
	@$(MAKE) --no-print-directory BUILD=build-asan SAN=1 CFLAGS='-O1 -g' tests
	@tests/run-all.sh $(BUILD) build-asan

stress: all
	@sh tests/suites/stress.sh $(BUILD) long

bench: all $(BENCH_BIN)
	@sh tools/ensure-deps.sh bench
	@sh bench/run.sh $(BUILD)

# The launcher's parts are found from src/.
$(LAUNCHER_OBJ): EXTRA_CFLAGS = -Isrc
# The dashboard and the library's terminal widgets (tui*.c, and the labs' --tui
# presenter, lab_tui.c) are compiled against ncurses; everything that links the
# library links ncursesw after it (a program that uses no widget pulls none in).
TUI_LIB_OBJ = $(filter $(BUILD)/obj/src/lib/tui%.o $(BUILD)/obj/src/lib/lab_tui.o,$(LIB_OBJ))
$(DASH_OBJ) $(TUI_LIB_OBJ): EXTRA_CFLAGS = $(PKG_TUI)
$(BUILD)/obj/tests/unit/test_dash_%.o: EXTRA_CFLAGS = -Isrc/dash
# Only the trace module is compiled against libtracefs; what links it (the
# dashboard, its tests and the trace tests) links libtracefs too.
$(BUILD)/obj/src/lib/trace.o: EXTRA_CFLAGS = $(PKG_TRACE)
$(DASH) $(BUILD)/tests/test_trace: LDLIBS_LIB += $(LDLIBS_TRACE)
$(BUILD)/tests/test_dash_%: LDLIBS_LIB += $(LDLIBS_TRACE)

deps: $(DEPS_OK)
$(DEPS_OK): tools/ensure-deps.sh
	@sh tools/ensure-deps.sh
	@mkdir -p $(@D) && touch $@

$(BUILD)/obj/%.o: %.c | $(DEPS_OK)
	@mkdir -p $(@D)
	$(CC) $(ALL_CFLAGS) -c $< -o $@

$(LIB): $(LIB_OBJ)
	@mkdir -p $(@D)
	$(AR) rcs $@ $^

$(LAUNCHER): $(LAUNCHER_OBJ) $(LIB)
	@mkdir -p $(@D)
	$(CC) $(ALL_LDFLAGS) -o $@ $^ $(LDLIBS_LIB) $(LDLIBS_TUI)

$(DASH): $(DASH_OBJ) $(LIB)
	@mkdir -p $(@D)
	$(CC) $(ALL_LDFLAGS) -o $@ $^ $(LDLIBS_TUI) $(LDLIBS_LIB)

$(BUILD)/bin/lab%: $(BUILD)/obj/labs/%.o $(LIB)
	@mkdir -p $(@D)
	$(CC) $(ALL_LDFLAGS) -o $@ $^ $(LDLIBS_LIB) $(LDLIBS_TUI)

$(BUILD)/tests/test_dash_%: $(BUILD)/obj/tests/unit/test_dash_%.o $(DASH_PARTS) $(LIB)
	@mkdir -p $(@D)
	$(CC) $(ALL_LDFLAGS) -o $@ $^ $(LDLIBS_TEST) $(LDLIBS_TUI) $(LDLIBS_LIB)

$(BUILD)/tests/test_%: $(BUILD)/obj/tests/unit/test_%.o $(LIB)
	@mkdir -p $(@D)
	$(CC) $(ALL_LDFLAGS) -o $@ $^ $(LDLIBS_TEST) $(LDLIBS_LIB) $(LDLIBS_TUI)

$(BUILD)/tests/%: $(BUILD)/obj/tests/tools/%.o $(LIB)
	@mkdir -p $(@D)
	$(CC) $(ALL_LDFLAGS) -o $@ $^ $(LDLIBS_LIB) $(LDLIBS_TUI)

$(BUILD)/bench/%: $(BUILD)/obj/bench/%.o $(LIB)
	@mkdir -p $(@D)
	$(CC) $(ALL_LDFLAGS) -o $@ $^ $(LDLIBS_LIB) $(LDLIBS_TUI)

MAN1     = $(PREFIX)/share/man/man1
BASHCOMP = $(PREFIX)/share/bash-completion/completions

install: all
	install -d $(DESTDIR)$(PREFIX)/bin $(DESTDIR)$(LIBEXEC) \
	           $(DESTDIR)$(SHARE)/labs $(DESTDIR)$(SHARE)/docs/labs \
	           $(DESTDIR)$(MAN1) $(DESTDIR)$(BASHCOMP)
	install -m 755 $(LAUNCHER) $(DASH) $(DESTDIR)$(PREFIX)/bin/
	install -m 644 man/socklab.1 man/sockdash.1 $(DESTDIR)$(MAN1)/
	install -m 644 completion/socklab.bash $(DESTDIR)$(BASHCOMP)/socklab
	install -m 644 completion/socklab.bash $(DESTDIR)$(BASHCOMP)/sockdash
	install -m 755 $(LAB_BIN) $(DESTDIR)$(LIBEXEC)/
	install -m 644 $(LAB_SRC) $(DESTDIR)$(SHARE)/labs/
	$(if $(wildcard docs/*.md),install -m 644 $(wildcard docs/*.md) $(DESTDIR)$(SHARE)/docs/)
	install -m 644 $(wildcard docs/labs/*.md) $(DESTDIR)$(SHARE)/docs/labs/

uninstall:
	rm -f $(DESTDIR)$(PREFIX)/bin/socklab $(DESTDIR)$(PREFIX)/bin/sockdash
	rm -f $(DESTDIR)$(MAN1)/socklab.1 $(DESTDIR)$(MAN1)/sockdash.1
	rm -f $(DESTDIR)$(BASHCOMP)/socklab $(DESTDIR)$(BASHCOMP)/sockdash
	rm -rf $(DESTDIR)$(LIBEXEC) $(DESTDIR)$(SHARE)

clean:
	rm -rf build build-asan

# Libraries and sources are listed for the linker after the objects; keep the
# intermediate objects so a rebuild only recompiles what changed.
.SECONDARY:

-include $(shell find $(BUILD)/obj -name '*.d' 2>/dev/null)
