/* husk criu: CRIU, the engine behind `checkpoint` and `restore`
 * (runtime-private).
 *
 * husk drives CRIU through its command line, not its RPC (`criu swrk`).  Why:
 *   - the RPC is protobuf: husk would link protobuf-c and libcriu (whose
 *     Debian package ships no static archive) for what argv says as well,
 *     and `make STATIC=1` would lose its one static binary;
 *   - every option `checkpoint` and `restore` take has a command-line form in
 *     CRIU 3.14 and later, external mounts and namespaces included
 *     (`--external mnt[KEY]:VAL`, `--inherit-fd fd[N]:KEY`), and
 *     `--restore-detached --restore-sibling` makes the restored init husk's
 *     child, which is what the RPC's rst_sibling gives runc;
 *   - what the RPC adds that husk cannot do without it is its notifications:
 *     runc uses them to run prestart/createRuntime hooks in the middle of a
 *     restore and to receive the pty master of a terminal container
 *     (orphan_pts_master).  `restore` refuses those configs by name instead.
 * CRIU writes its log into the work directory; a failure is reported with
 * the log's first and last error lines and the log's path.
 */
#ifndef HUSK_CRIU_CRIU_H
#define HUSK_CRIU_CRIU_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

#include "runtime/husk.h"
#include "spec/config.h"
#include "util/error.h"
#include "util/strv.h"

/* ---- the verbs (cmd/ calls these) ---- */

/* `checkpoint` and `restore`: CRIU's options, runc's flags. */
typedef struct husk_criu_opts_s {
	const char *criu;                /* --criu: CRIU's binary; NULL for "criu" in PATH */
	const char *image_path;          /* NULL: ./checkpoint, as runc */
	const char *work_path;           /* NULL: the image directory */
	const char *parent_path;         /* the previous (pre-)dump, relative to image_path */
	const char *manage_cgroups_mode; /* soft (NULL), full, strict or ignore */
	bool leave_running;
	bool tcp_established;
	bool tcp_skip_in_flight;
	bool ext_unix_sk;
	bool shell_job;
	bool file_locks;
	bool pre_dump;
	bool lazy_pages;
	bool link_remap;
	bool auto_dedup;
	bool empty_netns; /* --empty-ns network: restore into an unconfigured one */
} husk_criu_opts_t;

/* Checkpoint the running container ID into C->image_path.  Unless it
 * leaves the container running (or only pre-dumps), the container is gone
 * afterwards, as with runc: its id is free for `restore`. */
int husk_container_checkpoint(const char *root, const char *id, const husk_criu_opts_t *c,
			      husk_error_t *err);
/* Restore O->id from C->image_path with the bundle O->bundle: a new
 * container (with its own cgroup and state) that may be a clone of the
 * checkpointed one.  Unless R->detach, wait for it as `run` does and
 * return its exit status in *EXIT_STATUS. */
int husk_container_restore(const husk_create_opts_t *o, const husk_run_opts_t *r,
			   const husk_criu_opts_t *c, int *exit_status, husk_error_t *err);

/* Print the features JSON, with whether CRIU (CRIU: its binary, NULL for
 * "criu" in PATH) is there for checkpoint and restore. */
int husk_features_show(const char *criu, husk_error_t *err);

/* ---- CRIU itself ---- */

/* 3.14: the first CRIU to freeze through a cgroup v2 freezer, runc's bar
 * on v2 hosts; every option husk passes exists from there on. */
#define HUSK_CRIU_MIN_VERSION 31400

typedef struct husk_criu_s {
	const char *path; /* as given (--criu), or "criu" looked up in PATH */
	int version;      /* major * 10000 + minor * 100 + sublevel */
	char text[32];    /* "3.17.1" */
} husk_criu_t;

/* Find CRIU at PATH (NULL: "criu" in PATH) and check that it is new enough.
 * A missing binary or an old one is an error that says so. */
int husk_criu_find(const char *path, husk_criu_t *c, husk_error_t *err);

/* Run in the CRIU child before exec; ARG is the caller's.  An error here
 * travels to the parent and becomes the run's error. */
typedef int (*husk_criu_prepare_fn)(void *arg, husk_error_t *err);

/* Run CRIU with ARGV (argv[0] is ignored: C's path is used), after
 * PREPARE (may be NULL) in the child; KEEP_FDS[0..NKEEP) stay open across
 * exec.  Waits for CRIU only (a restored tree it leaves behind is not
 * waited for).  A non-zero exit is an error naming VERB and quoting the
 * first and last error lines of LOG (a path, may be NULL). */
int husk_criu_run(const husk_criu_t *c, char *const argv[], husk_criu_prepare_fn prepare, void *arg,
		  const int *keep_fds, size_t nkeep, const char *verb, const char *log,
		  husk_error_t *err);

/* Whether M is a bind mount (type "bind", or a bind/rbind option), as
 * CRIU must be told about every one: it cannot dump a host directory. */
bool husk_criu_is_bind(const husk_mount_t *m);

/* The image (or work) directory PATH, made (0700) when MAKE and missing;
 * returns its absolute path. */
char *husk_criu_dir(const char *path, bool make, const char *what, husk_error_t *err);

/* The arguments every dump and restore share: VERB, the image and work
 * directories, the log (LOG in the work directory) and the cgroup mode. */
void husk_criu_common_args(husk_argv_t *a, const char *verb, const husk_criu_opts_t *o,
			   const char *images, const char *work, const char *log);

#endif
