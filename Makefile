# husk: a plain Makefile.  `make` builds build/husk; `make check` runs every test.
#
#   make demo                     build husk and run one container (the README's first command)
#   make check                    every lane of tests (the README's second); vm-check,
#                                 systemd-check, clients-check, conformance-check: one
#                                 lane alone
#   make deps                     install the Debian packages the build and the lanes need
#   make fmt / make fmt-check     clang-format the sources / check that they are
#   make bench                    husk side by side with crun, runc and bubblewrap
#   make help                     this list
#   make V=1                      full command lines
#   make SANITIZE=address,undefined
#   make STATIC=1                 a fully static build/husk
#   make COVERAGE=1
#   make man                      the man pages, in build/man
#   make install DESTDIR=... PREFIX=... [BINDIR=... MANDIR=...]
#   make uninstall                the same variables: removes what install put

CC ?= cc
CFLAGS ?= -O2 -g
LDFLAGS ?=
PREFIX ?= /usr/local
BINDIR ?= $(PREFIX)/bin
DATADIR ?= $(PREFIX)/share
MANDIR ?= $(DATADIR)/man
BASHCOMPDIR ?= $(DATADIR)/bash-completion/completions
DESTDIR ?=
PKG_CONFIG ?= pkg-config
CLANG_FORMAT ?= clang-format
VERSION := 0.1.0

BUILD := build
PKGS := libseccomp libcap yajl libcgroup

WARNINGS := -Wall -Wextra -Werror -Wshadow -Wstrict-prototypes -Wmissing-prototypes \
	-Werror=implicit-function-declaration -Wpointer-arith -Werror=incompatible-pointer-types \
	-Werror=int-conversion -Wformat=2 -Wformat-security -Wno-unused-parameter \
	-Wno-missing-field-initializers
# pkg-config is asked quietly here, when the Makefile is read: `make check`
# and `make demo` read it before `make deps` has installed the libraries.
# The pkgs target below fails the build itself, naming what is missing.
HUSK_CFLAGS := -std=gnu11 -D_GNU_SOURCE -DHUSK_VERSION='"$(VERSION)"' -I. $(WARNINGS) \
	-fno-strict-aliasing -MMD -MP $(shell $(PKG_CONFIG) --cflags $(PKGS) 2>/dev/null)
HUSK_LIBS := $(shell $(PKG_CONFIG) --libs $(PKGS) 2>/dev/null) -lm
HUSK_LDFLAGS := -Wl,--as-needed

ifdef STATIC
# Debian names yajl's static archive libyajl_s.a, so pkg-config's -lyajl would
# find only the shared object: name the archive itself.
HUSK_LIBS := -static $(filter-out -lyajl,$(shell $(PKG_CONFIG) --static --libs $(PKGS) 2>/dev/null)) -l:libyajl_s.a -lm
endif
ifdef SANITIZE
HUSK_CFLAGS += -fsanitize=$(SANITIZE) -fno-omit-frame-pointer -fno-sanitize-recover=all
HUSK_LDFLAGS += -fsanitize=$(SANITIZE)
endif
ifdef COVERAGE
HUSK_CFLAGS += --coverage
HUSK_LDFLAGS += --coverage
endif

ifeq ($(V),1)
Q :=
else
Q := @
endif

LIB_DIRS := util spec seccomp cgroups namespaces rootfs init state runtime criu sandbox
LIB_SRCS := $(sort $(foreach d,$(LIB_DIRS),$(wildcard $(d)/*.c)))
CMD_SRCS := $(sort $(wildcard cmd/*.c))
LIB_OBJS := $(LIB_SRCS:%.c=$(BUILD)/%.o) $(BUILD)/gen/sandbox-seccomp.o
CMD_OBJS := $(CMD_SRCS:%.c=$(BUILD)/%.o)
LIB := $(BUILD)/libhusk.a

UNIT_SRCS := $(sort $(wildcard tests/unit/test-*.c))
UNIT_BINS := $(UNIT_SRCS:tests/unit/%.c=$(BUILD)/tests/%)
UNIT_HELPER_SRCS := $(filter-out $(UNIT_SRCS),$(sort $(wildcard tests/unit/*.c)))
UNIT_HELPER_OBJS := $(UNIT_HELPER_SRCS:%.c=$(BUILD)/%.o)
UNIT_SHIMS := $(BUILD)/tests/enosys-shim
BENCH_TOOLS := $(BUILD)/bench/shim $(BUILD)/bench/floor

.SECONDARY:
.PHONY: all clean check deps unit integration install install-files uninstall man fmt \
	fmt-check demo help pkgs
all: $(BUILD)/husk

help:
	@sed -n '3,/^$$/s/^# \{0,1\}//p' Makefile

# Every library husk links, found by pkg-config, or one line naming the
# missing ones and the command that installs them.
pkgs:
	@$(PKG_CONFIG) --exists $(PKGS) 2>/dev/null || { \
	  echo "husk: pkg-config does not find: $$(for p in $(PKGS); do \
	    $(PKG_CONFIG) --exists $$p 2>/dev/null || printf '%s ' $$p; done)(Debian's" \
	    "libseccomp-dev libcap-dev libyajl-dev libcgroup-dev; \`make deps\` installs them)" >&2; \
	  exit 1; }

$(BUILD)/%.o: %.c | pkgs
	@mkdir -p $(dir $@)
	@$(if $(Q),echo "  CC      $<")
	$(Q)$(CC) $(CPPFLAGS) $(CFLAGS) $(HUSK_CFLAGS) -c -o $@ $<

# The sandbox's default seccomp profile, compiled in (sandbox/sandbox.h):
# the JSON text as one C string.
$(BUILD)/gen/sandbox-seccomp.c: contrib/seccomp/sandbox.json
	@mkdir -p $(dir $@)
	@$(if $(Q),echo "  GEN     $@")
	$(Q){ echo '/* Generated from $< by the Makefile. */'; \
	  echo 'extern const char husk_sandbox_default_seccomp[];'; \
	  echo 'const char husk_sandbox_default_seccomp[] ='; \
	  sed -e 's/\\/\\\\/g' -e 's/"/\\"/g' -e 's/^/"/' -e 's/$$/\\n"/' $<; \
	  echo ';'; } > $@.tmp && mv $@.tmp $@

$(BUILD)/gen/%.o: $(BUILD)/gen/%.c
	@$(if $(Q),echo "  CC      $<")
	$(Q)$(CC) $(CPPFLAGS) $(CFLAGS) $(HUSK_CFLAGS) -c -o $@ $<

$(LIB): $(LIB_OBJS)
	@mkdir -p $(dir $@)
	@$(if $(Q),echo "  AR      $@")
	$(Q)rm -f $@ && $(AR) rcs $@ $^

$(BUILD)/husk: $(CMD_OBJS) $(LIB)
	@$(if $(Q),echo "  LD      $@")
	$(Q)$(CC) $(CFLAGS) $(LDFLAGS) $(HUSK_LDFLAGS) -o $@ $(CMD_OBJS) $(LIB) $(HUSK_LIBS)

# tests/husk-stages: husk with the test-only stops of init/stage.h, for
# the tests that SIGKILL husk at each stage of create and run.
STAGE_SRCS := runtime/create.c runtime/run.c runtime/monitor.c
STAGE_OBJS := $(STAGE_SRCS:%.c=$(BUILD)/stages/%.o)
$(BUILD)/stages/%.o: %.c
	@mkdir -p $(dir $@)
	@$(if $(Q),echo "  CC      $@")
	$(Q)$(CC) $(CPPFLAGS) $(CFLAGS) $(HUSK_CFLAGS) -DHUSK_TEST_STAGES -c -o $@ $<

$(BUILD)/tests/husk-stages: $(CMD_OBJS) $(STAGE_OBJS) $(LIB)
	@mkdir -p $(dir $@)
	@$(if $(Q),echo "  LD      $@")
	$(Q)$(CC) $(CFLAGS) $(LDFLAGS) $(HUSK_LDFLAGS) -o $@ $(CMD_OBJS) $(STAGE_OBJS) $(LIB) $(HUSK_LIBS)

# Unit tests link against the library's internals.
$(BUILD)/tests/test-%: $(BUILD)/tests/unit/test-%.o $(UNIT_HELPER_OBJS) $(LIB)
	@mkdir -p $(dir $@)
	@$(if $(Q),echo "  LD      $@")
	$(Q)$(CC) $(CFLAGS) $(LDFLAGS) $(HUSK_LDFLAGS) -o $@ $< $(filter-out %/enosys-shim.o,$(UNIT_HELPER_OBJS)) $(LIB) $(HUSK_LIBS)

$(BUILD)/tests/enosys-shim: $(BUILD)/tests/unit/enosys-shim.o
	@mkdir -p $(dir $@)
	@$(if $(Q),echo "  LD      $@")
	$(Q)$(CC) $(CFLAGS) $(LDFLAGS) $(HUSK_LDFLAGS) -o $@ $< $(HUSK_LIBS)

# The programs the tests and bench/ run beside husk: one file each, none of
# husk's libraries, and no sanitizers (they do not link statically).
HELPER_CC = $(CC) -O2 -g -std=gnu11 -D_GNU_SOURCE $(WARNINGS)

# The helper that containers in tests run: static, so a busybox rootfs needs
# no libraries.
$(BUILD)/tests/init: tests/helpers/init.c
	@mkdir -p $(dir $@)
	@$(if $(Q),echo "  CC      $@")
	$(Q)$(HELPER_CC) -static -o $@ $<

# The receiving ends of --console-socket and linux.seccomp.listenerPath in
# tests.
TEST_HELPERS := $(BUILD)/tests/recvtty $(BUILD)/tests/seccomp-listener
$(TEST_HELPERS): $(BUILD)/tests/%: tests/helpers/%.c
	@mkdir -p $(dir $@)
	@$(if $(Q),echo "  CC      $@")
	$(Q)$(HELPER_CC) -o $@ $<

$(BUILD)/rootfs/.stamp: $(BUILD)/tests/init tests/mkrootfs.sh
	$(Q)sh tests/mkrootfs.sh $(BUILD)/rootfs $(BUILD)/tests/init
	$(Q)touch $@

unit: $(UNIT_BINS) $(UNIT_SHIMS)
	$(Q)sh tests/run-unit.sh $(BUILD)

integration: $(BUILD)/husk $(BUILD)/rootfs/.stamp $(TEST_HELPERS) $(BUILD)/tests/husk-stages \
	$(BENCH_TOOLS)
	$(Q)sh tests/run-integration.sh $(BUILD)

# Every lane runs even when an earlier one fails; tests/summary.sh adds up
# their TAP output into the one closing line and sets the exit status.
check: deps
	$(Q)$(MAKE) --no-print-directory all $(UNIT_BINS) $(UNIT_SHIMS) $(BUILD)/rootfs/.stamp \
		$(TEST_HELPERS) $(BUILD)/tests/husk-stages \
		$(BENCH_TOOLS)
	@# What tests/integration/install.bats installs, built before the lanes run.
	$(Q)$(MAKE) --no-print-directory STATIC=1 BUILD=$(STATIC_BUILD) all man
	$(Q)rm -rf $(BUILD)/tap && mkdir -p $(BUILD)/tap
	$(Q)$(call lane,unit,sh tests/run-unit.sh $(BUILD))
	$(Q)$(call lane,integration,sh tests/run-integration.sh $(BUILD))
	$(Q)$(call lane,vm,sh tests/vm/run-lane.sh $(BUILD))
	$(Q)$(call lane,systemd,sh tests/vm/run-systemd-lane.sh $(BUILD))
	$(Q)$(call lane,fuzz,sh tests/run-fuzz.sh $(BUILD) $(CHECK_FUZZ_SECONDS))
	$(Q)$(call lane,clients,sh tests/clients/run-lane.sh $(BUILD))
	$(Q)$(call lane,cri,sh tests/cri/run-lane.sh $(BUILD))
	$(Q)$(call lane,conformance,sh tests/conformance/run-lane.sh $(BUILD))
	$(Q)sh tests/summary.sh $(BUILD)/tap/*.tap

# $(call lane,NAME,COMMAND): run one lane, keep its TAP and exit status for
# the summary, and show its output as it goes.
lane = { $(2); echo $$? > $(BUILD)/tap/$(1).rc; } | tee $(BUILD)/tap/$(1).tap

# The vm lane alone: the tests/integration/*.bats tagged `# lane: vm`, in a
# cgroup v2 VM (tests/vm/run), then tests/lsm/*.bats in VMs booted with the
# LSMs each names.
# HUSK_SKIP_VM=1 skips the lane, here and in `make check`, for quick local
# runs; CI runs it.
.PHONY: vm-check
vm-check: deps
	$(Q)$(MAKE) --no-print-directory all $(BUILD)/rootfs/.stamp
	$(Q)mkdir -p $(BUILD)/tap
	$(Q)$(call lane,vm,sh tests/vm/run-lane.sh $(BUILD))
	$(Q)sh tests/summary.sh $(BUILD)/tap/vm.tap

# The systemd lane alone: the host's systemd as PID 1 in a VM (tests/vm/run
# --systemd), with the files tagged `# lane: systemd` (the systemd cgroup
# driver's tests, podman and containerd through it) and `# lane: vm` again.
# HUSK_SKIP_SYSTEMD=1 (or HUSK_SKIP_VM=1) skips it, here and in `make check`;
# HUSK_SKIP_CLIENTS=1 leaves the engines out.
.PHONY: systemd-check
systemd-check: deps
	$(Q)$(MAKE) --no-print-directory all $(BUILD)/rootfs/.stamp
	$(Q)mkdir -p $(BUILD)/tap
	$(Q)$(call lane,systemd,sh tests/vm/run-systemd-lane.sh $(BUILD))
	$(Q)sh tests/summary.sh $(BUILD)/tap/systemd.tap

# The clients lane alone: podman, containerd and docker from Debian drive husk
# (tests/clients/); it installs them itself (tests/clients/deps.sh, also `make
# clients-deps`).  HUSK_SKIP_CLIENTS=1 skips it, here and in `make check`.
.PHONY: clients-check clients-deps
clients-check: deps
	$(Q)$(MAKE) --no-print-directory all $(BUILD)/rootfs/.stamp
	$(Q)mkdir -p $(BUILD)/tap
	$(Q)$(call lane,clients,sh tests/clients/run-lane.sh $(BUILD))
	$(Q)sh tests/summary.sh $(BUILD)/tap/clients.tap

clients-deps:
	$(Q)sh tests/clients/deps.sh

# The cri lane alone: containerd's CRI plugin runs pods on husk, driven by the
# project's own CRI client, with images from the lane's own registry
# (tests/cri/); it installs what it needs itself (tests/cri/deps.sh, also
# `make cri-deps`).  HUSK_SKIP_CRI=1 skips it, here and in `make check`.
.PHONY: cri-check cri-deps
cri-check: deps
	$(Q)$(MAKE) --no-print-directory all $(BUILD)/rootfs/.stamp
	$(Q)mkdir -p $(BUILD)/tap
	$(Q)$(call lane,cri,sh tests/cri/run-lane.sh $(BUILD))
	$(Q)sh tests/summary.sh $(BUILD)/tap/cri.tap

cri-deps:
	$(Q)sh tests/cri/deps.sh
# The conformance lane alone: the OCI conformance programs of
# tests/conformance/oci, built with Debian's Go on Debian's runtime-tools
# library, run against husk (tests/conformance/run-lane.sh; it installs what
# it needs itself, also `make conformance-deps`).  HUSK_SKIP_CONFORMANCE=1
# skips it, here and in `make check`.  CONFORMANCE_RUNTIME=runc runs the same
# programs against Debian's runc instead, to compare counts.
.PHONY: conformance-check conformance-deps
conformance-check: deps
	$(Q)$(MAKE) --no-print-directory all $(BUILD)/rootfs/.stamp
	$(Q)mkdir -p $(BUILD)/tap
	$(Q)$(call lane,conformance,sh tests/conformance/run-lane.sh \
		$(if $(CONFORMANCE_RUNTIME),--runtime $(CONFORMANCE_RUNTIME)) $(BUILD))
	$(Q)sh tests/summary.sh $(BUILD)/tap/conformance.tap

conformance-deps:
	$(Q)sh tests/conformance/deps.sh $(if $(filter runc,$(CONFORMANCE_RUNTIME)),--runc)

# The benchmark: husk side by side with crun and runc, and `husk sandbox`
# beside bubblewrap, interleaved (bench/bench.sh, which installs crun, runc
# and bubblewrap from Debian when missing).
# A measurement, not a test: `make check` only runs it once, husk alone
# (tests/integration/bench.bats).  husk is measured as it is meant to ship,
# a static binary: the dynamic loader would run twice per create, run and
# exec (the sealing re-exec); the dynamic build is there for its size.
BENCH_N ?= 100
.PHONY: bench
bench: deps
	$(Q)$(MAKE) --no-print-directory all
	$(Q)$(MAKE) --no-print-directory STATIC=1 BUILD=$(BUILD)-static all bench-tools
	$(Q)HUSK_BENCH_DYNAMIC=$(BUILD)/husk bash bench/bench.sh $(BUILD)-static $(BENCH_N)

# bench/'s helpers: a subreaper that drives create/start/delete as a shim
# does and times it (also any one command), and the floor, a container start
# with no runtime.  Static, so no dynamic loader runs inside a measurement.
.PHONY: bench-tools
bench-tools: $(BENCH_TOOLS)
$(BUILD)/bench/%: bench/%.c
	@mkdir -p $(dir $@)
	@$(if $(Q),echo "  CC      $@")
	$(Q)$(HELPER_CC) -static -o $@ $<

# How long `make check` fuzzes the config parser (`make fuzz` for longer runs).
CHECK_FUZZ_SECONDS ?= 30

deps:
	$(Q)sh tests/deps.sh

# The README's first command: build husk and run one container from a demo
# bundle made under $(BUILD)/demo.
demo: deps
	$(Q)$(MAKE) --no-print-directory all $(BUILD)/tests/init
	$(Q)sh contrib/demo/demo.sh $(BUILD)

# The man pages: husk(8) and one per command, husk-sandbox(1) for people
# who write scripts, printed by husk itself from the tables its command line
# is parsed by (`husk help --man`), so that they cannot drift from it.
# man/PAGE.roff, where there is one, holds sections written by hand, put in
# before SEE ALSO.  COMMANDS must name every verb (man.bats checks it
# against `husk help --complete`).
COMMANDS := version spec features create start run state wait kill delete list pause resume \
	ps exec update events checkpoint restore sandbox help
MAN1_COMMANDS := sandbox
MAN_PAGES := husk.8 $(foreach c,$(COMMANDS),husk-$(c).$(if $(filter $(c),$(MAN1_COMMANDS)),1,8))

man: $(MAN_PAGES:%=$(BUILD)/man/%)

# $(call man_page,COMMAND): $@, the page of COMMAND (husk's own when empty).
define man_page
	@mkdir -p $(dir $@)
	@$(if $(Q),echo "  MAN     $@")
	$(Q)$(BUILD)/husk help --man $(1) > $@.tmp
	$(Q)if [ -f man/$(notdir $@).roff ]; then \
	  awk -v extra=man/$(notdir $@).roff \
	    '/^\.SH "SEE ALSO"/ { while ((getline l < extra) > 0) print l } { print }' \
	    $@.tmp > $@.tmp2 && mv $@.tmp2 $@.tmp; fi
	$(Q)mv $@.tmp $@
endef

$(BUILD)/man/husk.8: $(BUILD)/husk
	$(call man_page,)
$(BUILD)/man/husk-%.8: $(BUILD)/husk $(wildcard man/*.roff)
	$(call man_page,$*)
$(BUILD)/man/husk-%.1: $(BUILD)/husk $(wildcard man/*.roff)
	$(call man_page,$*)

# What `make install` puts under $(DATADIR)/husk: the example configurations.
CONTRIB_FILES := $(patsubst contrib/%,%,$(sort $(wildcard contrib/engines/*.md \
	contrib/engines/*/* contrib/seccomp/*.json)))

# `make install` builds husk as it is meant to ship, one static binary (in
# $(BUILD)-static, beside the dynamic build), with its man pages, and
# installs them with the bash completion and the example configurations.
# `make uninstall`, with the same variables, removes exactly those.
STATIC_BUILD := $(BUILD)-static
install:
	$(Q)$(MAKE) --no-print-directory STATIC=1 BUILD=$(STATIC_BUILD) install-files

install-files: all man
	install -d $(DESTDIR)$(BINDIR) $(DESTDIR)$(MANDIR)/man1 $(DESTDIR)$(MANDIR)/man8 \
		$(DESTDIR)$(BASHCOMPDIR) $(addprefix $(DESTDIR)$(DATADIR)/husk/,$(sort $(dir $(CONTRIB_FILES))))
	install -m 0755 $(BUILD)/husk $(DESTDIR)$(BINDIR)/husk
	install -m 0644 $(filter %.8,$(MAN_PAGES:%=$(BUILD)/man/%)) $(DESTDIR)$(MANDIR)/man8/
	install -m 0644 $(filter %.1,$(MAN_PAGES:%=$(BUILD)/man/%)) $(DESTDIR)$(MANDIR)/man1/
	install -m 0644 contrib/completion/husk.bash $(DESTDIR)$(BASHCOMPDIR)/husk
	$(foreach f,$(CONTRIB_FILES),install -m 0644 contrib/$(f) $(DESTDIR)$(DATADIR)/husk/$(f) &&) true

# The directories under $(DATADIR)/husk go too, once empty; the shared ones
# (bin, man8, ...) stay.
uninstall:
	rm -f $(DESTDIR)$(BINDIR)/husk $(DESTDIR)$(BASHCOMPDIR)/husk \
		$(addprefix $(DESTDIR)$(MANDIR)/man8/,$(filter %.8,$(MAN_PAGES))) \
		$(addprefix $(DESTDIR)$(MANDIR)/man1/,$(filter %.1,$(MAN_PAGES))) \
		$(addprefix $(DESTDIR)$(DATADIR)/husk/,$(CONTRIB_FILES))
	for d in $(sort $(patsubst %/,%,$(dir $(CONTRIB_FILES)))); do \
		while [ "$$d" != . ]; do \
			rmdir $(DESTDIR)$(DATADIR)/husk/$$d 2>/dev/null || :; d=$$(dirname $$d); \
		done; \
	done
	rmdir $(DESTDIR)$(DATADIR)/husk 2>/dev/null || :

FMT_SRCS = $(shell git ls-files '*.c' '*.h' 2>/dev/null || find . -name '*.[ch]' -not -path './build/*')
fmt:
	$(CLANG_FORMAT) -i $(FMT_SRCS)

fmt-check:
	$(CLANG_FORMAT) --dry-run --Werror $(FMT_SRCS)

clean:
	rm -rf $(BUILD)

-include $(STAGE_OBJS:.o=.d) $(LIB_OBJS:.o=.d) $(CMD_OBJS:.o=.d) $(UNIT_SRCS:tests/unit/%.c=$(BUILD)/tests/unit/%.d) $(UNIT_HELPER_OBJS:.o=.d)

# libFuzzer: `make fuzz FUZZ_SECONDS=N` builds tests/fuzz/fuzz-config.c with
# clang (-fsanitize=fuzzer,address, leak checking on) and runs it for N
# seconds, seeded from the valid config corpus.  New inputs it finds go to
# $(BUILD)/fuzz/corpus; a crash or a leak stops it and fails the target.
FUZZ_CC ?= clang
FUZZ_SECONDS ?= 60
FUZZ_DIR := $(BUILD)/fuzz
FUZZ_SRCS = $(sort $(wildcard spec/*.c util/*.c))
FUZZ_CFLAGS = -O1 -g -fsanitize=fuzzer,address,undefined -fno-sanitize-recover=all \
	-fno-omit-frame-pointer $(filter-out -MMD -MP,$(HUSK_CFLAGS)) -Wno-format-nonliteral

.PHONY: fuzz
$(FUZZ_DIR)/fuzz-config: tests/fuzz/fuzz-config.c $(FUZZ_SRCS)
	@mkdir -p $(dir $@)
	@$(if $(Q),echo "  FUZZCC  $@")
	$(Q)$(FUZZ_CC) $(FUZZ_CFLAGS) -o $@ tests/fuzz/fuzz-config.c $(FUZZ_SRCS) $(HUSK_LIBS)

fuzz: $(FUZZ_DIR)/fuzz-config
	@mkdir -p $(FUZZ_DIR)/corpus
	$(Q)$(FUZZ_DIR)/fuzz-config -max_total_time=$(FUZZ_SECONDS) -max_len=65536 \
		-dict=tests/fuzz/config.dict -print_final_stats=1 \
		$(FUZZ_DIR)/corpus tests/unit/configs/valid
