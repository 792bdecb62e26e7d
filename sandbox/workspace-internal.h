/* husk sandbox: the workspace's plan, shared by sandbox/workspace.c (the
 * plan, the report), sandbox/workspace-mount.c (the mounts the init makes)
 * and sandbox/diff.c (--diff).  The rest of sandbox/ sees only the
 * functions in sandbox/internal.h.
 *
 * The plan is made in husk before the clone, which copies it into the
 * init; the init's side only reads it.
 */
#ifndef HUSK_SANDBOX_WORKSPACE_INTERNAL_H
#define HUSK_SANDBOX_WORKSPACE_INTERNAL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "util/error.h"

/* What to do with one path of a writable mount, shallowest first. */
enum ws_pin {
	/* A directory that holds protected paths: bound onto itself, still
	 * writable, so that it can be neither renamed, removed nor replaced
	 * (a rename of it would carry the protected mounts below away). */
	WS_PIN_ANCHOR,
	WS_PIN_FILE, /* a protected path: read-only; made an empty file where missing */
	WS_PIN_DIR,  /* the same, made an empty directory where missing */
	/* Read-only where it is, never made where missing: a placeholder
	 * would break what reads it (git fails on an empty .git/commondir). */
	WS_PIN_WATCH,
};

typedef struct ws_path_s {
	char *path; /* relative to the mount, no `.` or `..` */
	enum ws_pin pin;
	/* Missing on the host when planned (a leaf whose parents are
	 * directories or missing too): an --overlay gets a placeholder in
	 * its protect layer; an --rw mount, where nothing may be made on
	 * the host, is looked at again after the job. */
	bool missing;
} ws_path_t;

/* A writable mount: --rw, --workdir, or --overlay. */
typedef struct ws_mount_s {
	char *source;      /* on the host, absolute */
	char *destination; /* in the box, normalised */
	bool overlay;
	int layer;    /* an overlay's number: upper-N, work-N, protect-N, DIR/overlay-N */
	int sourcefd; /* O_PATH of SOURCE, opened by husk (the diff's lower side) */
	ws_path_t *paths;
	size_t n_paths;
} ws_mount_t;

struct husk_workspace {
	ws_mount_t *mounts;
	size_t n_mounts, n_overlays;
	bool userns;   /* the init mounts inside a user namespace: userxattr */
	uint64_t size; /* --disk-limit: /tmp comes from the tmpfs, of this size */
	bool tmpfs;    /* a tmpfs of the workspace's own: overlays or --disk-limit */
	int sock[2];   /* the init sends the tmpfs over [1]; husk keeps [0] */
	int tmpfd;     /* husk's: the tmpfs's root, once the init sent it */
	const char *diff;
	int difffd;     /* DIR, opened when planned */
	bool diff_made; /* husk made DIR (and removes it if no job ran) */
	char **created; /* protected paths the job made where it could */
};

/* sandbox/workspace-mount.c: create's after_mounts hook, in the init;
 * DATA is the plan (struct husk_workspace). */
int husk_sandbox_workspace_mount(void *data, int rootfd, husk_error_t *err);

/* DIR/REL, for DIR a normalised absolute path ("/" included). */
char *ws_join(const char *dir, const char *rel);

/* The overlay's layers in the tmpfs: "upper-0"... */
#define WS_UPPER   "upper-%d"
#define WS_WORK    "work-%d"
#define WS_PROTECT "protect-%d"
#define WS_TMP     "tmp"

#endif
