#!/bin/bash
# tests/integration/landlock.bash: what sandbox-landlock.bats and
# sandbox-denials.bats share (loaded after helpers.bash and sandbox.bash).
#
#   landlock_abi                  the kernel's Landlock ABI, 0 for none,
#                                 asked without husk (python3's ctypes)
#   requires_landlock N           skip unless the kernel has ABI N or newer
#   without_landlock CMD...       CMD where Landlock's calls fail with ENOSYS
#   make_outside                  $OUTSIDE: a directory of the host's that no
#                                 mount gives the job, holding `secret`
#   rootless ARGS...              husk sandbox as nobody (uid 65534)

function landlock_abi() {
	python3 -c '
import ctypes
libc = ctypes.CDLL(None, use_errno=True)
r = libc.syscall(444, None, ctypes.c_size_t(0), ctypes.c_uint32(1))  # landlock_create_ruleset, VERSION
print(r if r > 0 else 0)'
}

# The v2 VM lane boots Debian's 6.1, whose Landlock is ABI 2 at most.
function requires_landlock() {
	local abi
	command -v python3 >/dev/null || skip "needs python3 on the host"
	abi=$(landlock_abi)
	[ "$abi" -ge "$1" ] || skip "needs Landlock ABI $1; this kernel has ${abi/#0/none}"
}

# A kernel without Landlock, as husk sees it: a seccomp filter (loaded here
# by python3, with no_new_privs) makes landlock_create_ruleset fail with
# ENOSYS, which is what a kernel built without it answers; then CMD runs.
function without_landlock() {
	[ "$(uname -m)" = x86_64 ] || skip "the shim's filter is written for x86_64"
	# CMD gets the caller's stdin, which python would refuse to start
	# with were it a directory: it waits on descriptor 3 meanwhile.
	python3 -c '
import ctypes, os, struct, sys
libc = ctypes.CDLL(None, use_errno=True)
def insn(code, jt, jf, k):
    return struct.pack("HBBI", code, jt, jf, k)
prog = b"".join([
    insn(0x20, 0, 0, 4),                # A = arch
    insn(0x15, 0, 3, 0xC000003E),       # x86_64? else allow
    insn(0x20, 0, 0, 0),                # A = nr
    insn(0x15, 0, 1, 444),              # landlock_create_ruleset?
    insn(0x06, 0, 0, 0x00050000 | 38),  # ERRNO(ENOSYS)
    insn(0x06, 0, 0, 0x7FFF0000),       # ALLOW
])
buf = ctypes.create_string_buffer(prog)
class Prog(ctypes.Structure):
    _fields_ = [("len", ctypes.c_ushort), ("filter", ctypes.c_void_p)]
fprog = Prog(len(prog) // 8, ctypes.cast(buf, ctypes.c_void_p))
if libc.prctl(38, 1, 0, 0, 0) != 0:  # PR_SET_NO_NEW_PRIVS
    sys.exit("without_landlock: prctl: " + os.strerror(ctypes.get_errno()))
if libc.syscall(317, 1, 0, ctypes.byref(fprog)) != 0:  # seccomp(SET_MODE_FILTER)
    sys.exit("without_landlock: seccomp: " + os.strerror(ctypes.get_errno()))
os.dup2(3, 0)
os.close(3)
os.execvp(sys.argv[1], sys.argv[1:])' "$@" 3<&0 </dev/null
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
