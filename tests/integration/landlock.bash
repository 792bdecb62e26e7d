#!/bin/bash
# tests/integration/landlock.bash: what sandbox-landlock.bats and
# sandbox-denials.bats share (loaded after helpers.bash and sandbox.bash).
#
#   landlock_abi                  the kernel's Landlock ABI, 0 for none,
#                                 asked without husk
#   requires_landlock N           skip unless the kernel has ABI N or newer
#   without_landlock CMD...       CMD where Landlock's calls fail with ENOSYS
#   make_outside                  $OUTSIDE: a directory of the host's that no
#                                 mount gives the job, holding `secret`
#   rootless ARGS...              husk sandbox as nobody (uid 65534)

# perl-base is Essential: these need no package a lane might lack.
function landlock_abi() {
	# landlock_create_ruleset(NULL, 0, LANDLOCK_CREATE_RULESET_VERSION)
	perl -e '$r = syscall(444, 0, 0, 1); print $r > 0 ? $r : 0, "\n"'
}

# The v2 VM lane boots Debian's 6.1, whose Landlock is ABI 2 at most.
function requires_landlock() {
	local abi
	abi=$(landlock_abi)
	[ "$abi" -ge "$1" ] || skip "needs Landlock ABI $1; this kernel has ${abi/#0/none}"
}

# A kernel without Landlock, as husk sees it: a seccomp filter (loaded here
# by perl, with no_new_privs) makes landlock_create_ruleset fail with
# ENOSYS, which is what a kernel built without it answers; then CMD runs,
# with the caller's stdin.
function without_landlock() {
	[ "$(uname -m)" = x86_64 ] || skip "the shim's filter is written for x86_64"
	perl -e '
		my @insn = (
			[0x20, 0, 0, 4],                   # A = arch
			[0x15, 0, 3, 0xC000003E],          # x86_64? else allow
			[0x20, 0, 0, 0],                   # A = nr
			[0x15, 0, 1, 444],                 # landlock_create_ruleset?
			[0x06, 0, 0, 0x00050000 | 38],     # ERRNO(ENOSYS)
			[0x06, 0, 0, 0x7FFF0000],          # ALLOW
		);
		my $prog = join "", map { pack "SCCL", @$_ } @insn;
		my $fprog = pack "S x6 P", scalar @insn, $prog;   # struct sock_fprog
		syscall(157, 38, 1, 0, 0, 0) == 0 or die "without_landlock: prctl: $!\n";
		syscall(317, 1, 0, $fprog) == 0 or die "without_landlock: seccomp: $!\n";
		exec { $ARGV[0] } @ARGV or die "without_landlock: exec $ARGV[0]: $!\n";' "$@"
}

# A file the job may read by its mode and by the mounts (through a
# descriptor of its directory it inherits), that Landlock alone keeps out.
function make_outside() {
	OUTSIDE=$HUSK_TMP/outside
	mkdir -m 755 "$OUTSIDE"
	echo SECRET >"$OUTSIDE/secret"
	chmod 644 "$OUTSIDE/secret"
	export OUTSIDE
}

# rootless ARGS...: husk sandbox as nobody (uid 65534), with a state root
# of its own; no XDG_RUNTIME_DIR, as from a plain shell.  The report goes
# to $REPORT as for `sandbox`.
function rootless() {
	mkdir -p -m 777 "$HUSK_TMP/rl"
	run setpriv --reuid 65534 --regid 65534 --clear-groups env -u XDG_RUNTIME_DIR \
		"$HUSK" --root "$HUSK_TMP/rl/state" sandbox --report "$HUSK_TMP/rl/report.json" "$@"
	echo "rootless sandbox $* (status=$status):" >&2
	echo "$output" >&2
	rm -f "$REPORT"
	cp "$HUSK_TMP/rl/report.json" "$REPORT" 2>/dev/null || :
}
