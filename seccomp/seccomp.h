/* husk seccomp: the OCI profile compiled to BPF with libseccomp.
 *
 * All libseccomp work happens in the parent, before clone: the profile is
 * compiled (or found in the cache of compiled filters under the state root)
 * into a classic BPF program held in memory.  The clone carries that memory
 * into the init, which only hands the ready program to seccomp(2): nothing
 * after the clone allocates, parses or resolves a syscall name.
 *
 * When the init loads it (husk_seccomp_stage):
 *   - as late as possible, right before execve, after the capabilities are
 *     dropped and no_new_privs is set, so husk's own setup is never
 *     filtered;
 *   - without noNewPrivileges, loading a filter needs CAP_SYS_ADMIN, which
 *     the capability drop may take away: then it is loaded just before the
 *     drop (runc does the same), and the rest of the init's setup runs
 *     filtered;
 *   - with a listener (SCMP_ACT_NOTIFY and listenerPath), the notify fd is
 *     born with the filter and must reach listenerPath, a host path only the
 *     parent can connect to: the filter is loaded before CREATED and the fd
 *     travels to the parent over the sync socket (HUSK_SYNC_FD), which sends
 *     it on before `create` returns, as the runtime-spec requires.
 */
#ifndef HUSK_SECCOMP_SECCOMP_H
#define HUSK_SECCOMP_SECCOMP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "spec/config.h"
#include "spec/state.h"
#include "seccomp/filter.h"
#include "util/error.h"

/* Compile S for this machine.  ROOTFD >= 0 is the state root: the program
 * is looked up in, and stored to, its HUSK_SECCOMP_CACHE_DIR; a cache that
 * cannot be used is skipped with a debug line, never an error.  Errors name
 * the profile's JSON path: "config.json: linux.seccomp.syscalls[2]: ...". */
husk_seccomp_filter_t *husk_seccomp_compile(const husk_seccomp_t *s, int rootfd, husk_error_t *err);
void husk_seccomp_filter_free(husk_seccomp_filter_t *f);

/* A filter kept in the cache under a profile's JSON text (the same text,
 * byte for byte), or NULL: for a caller that would otherwise parse the
 * profile only to find its compiled program there (`sandbox`, with its
 * built-in profile).  Only filters that load with no flag and no listener
 * are kept so (husk_seccomp_note_text), so the one returned has none. */
husk_seccomp_filter_t *husk_seccomp_cached_text(const char *json, int rootfd);
/* Keep F, compiled from the profile JSON, under that text; nothing when F
 * has flags. */
void husk_seccomp_note_text(const char *json, int rootfd, const husk_seccomp_filter_t *f);

/* Whether loading F makes a notify fd (an SCMP_ACT_NOTIFY rule and a
 * listenerPath). */
bool husk_seccomp_has_listener(const husk_seccomp_filter_t *f);
/* Whether F's program, as loaded, lets the native system call NR with ARGS
 * through (SCMP_ACT_ALLOW or SCMP_ACT_LOG). */
bool husk_seccomp_allows(const husk_seccomp_filter_t *f, int nr, const uint64_t args[6]);

enum husk_seccomp_stage {
	HUSK_SECCOMP_BEFORE_CAPS,    /* no noNewPrivileges: while CAP_SYS_ADMIN is held */
	HUSK_SECCOMP_BEFORE_CREATED, /* a listener: its fd leaves through the parent */
	HUSK_SECCOMP_BEFORE_EXEC,    /* everything else: the last step before execve */
};

enum husk_seccomp_stage husk_seccomp_stage(const husk_seccomp_filter_t *f, bool no_new_privs);

/* Child side: load F into the calling thread.  No allocation, no libseccomp.
 * *NOTIFY_FD (may be NULL without a listener) receives the listener's fd,
 * close-on-exec, or -1. */
int husk_seccomp_load(const husk_seccomp_filter_t *f, int *notify_fd, husk_error_t *err);

/* A watched filter: what the profile refuses is first sent to husk, which
 * counts it and answers for the profile (seccomp/watch.c says why so). */
enum husk_seccomp_watch {
	HUSK_SECCOMP_WATCH_OFF,
	HUSK_SECCOMP_WATCH_DENIALS, /* each SCMP_ACT_ERRNO refusal: its errno, as the profile says
				     */
	HUSK_SECCOMP_WATCH_LEARN,   /* each refusal, kill or trap: the call runs all the same */
};

/* Make F a watched filter in MODE: its refusals become SCMP_ACT_NOTIFY and
 * it gets a listener, whose descriptor the init sends to the caller of
 * create (husk_create_opts_t.seccomp_watch).  Returns 1, or 0 with F
 * unchanged and F->unwatched saying why: MODE is off; F has a listener of
 * its own (which keeps it: the kernel gives a filter one); or F's profile
 * refuses the sync messages the init sends after loading it (a watched
 * filter loads before CREATED, and husk answers only once started, so a
 * refused message would wait for ever). */
int husk_seccomp_watch(husk_seccomp_filter_t *f, int mode);

/* Whether F, watched, loads right after CREATED, as an unwatched filter
 * does with an early load (EARLY: husk_create_opts_t.early_seccomp), its
 * listener's fd reaching the parent before READY: the kernel's work on the
 * filter then overlaps the parent's recording of the state, as without the
 * watch.  Otherwise a watched filter loads before CREATED (its stage). */
bool husk_seccomp_watched_after_created(const husk_seccomp_filter_t *f, bool no_new_privs,
					bool early);

/* Take one notification waiting on NOTIFY_FD, the listener of the watched
 * filter F, answer it as F's profile would have (learning: let the call
 * run), and set *WHAT to the refused call's name ("mount"; the architecture
 * too when it is not the native one), to be freed.  Returns 1 when a call
 * was answered, 0 when none was there any more (its caller died meanwhile),
 * -1 on error. */
int husk_seccomp_answer(int notify_fd, const husk_seccomp_filter_t *f, char **what,
			husk_error_t *err);

/* Parent side: send NOTIFY_FD and the container process state (with
 * listenerMetadata) to S's listenerPath, one connection, as the
 * runtime-spec's "seccomp notify" section defines. */
int husk_seccomp_send_listener(const husk_seccomp_t *s, int notify_fd, const husk_state_t *st,
			       husk_error_t *err);

#endif
