/* husk spec: the manifest of `husk sandbox --diff DIR` (DIR/manifest.json).
 *
 * What a job changed under each --overlay, relative to the overlay's
 * source on the host: every entry added, changed or deleted, and what was
 * left out of the copy (skipped), with the paths relative to the overlay's
 * destination.  sandbox/diff.c reads the layers and fills these; this file
 * only writes the JSON, which the README's "husk sandbox: a workspace"
 * describes for the people and scripts that read it.
 */
#ifndef HUSK_SPEC_DIFF_H
#define HUSK_SPEC_DIFF_H

#include <stddef.h>
#include <stdint.h>

enum husk_diff_change {
	HUSK_DIFF_ADDED,   /* there after the job, not in the source */
	HUSK_DIFF_CHANGED, /* in both, with another type, mode, content or target */
	HUSK_DIFF_DELETED, /* in the source, gone after the job */
	HUSK_DIFF_SKIPPED, /* added or changed, but not copied (REASON says why) */
	HUSK_DIFF_COUNT,
};

typedef struct husk_diff_entry_s {
	int change;       /* enum husk_diff_change */
	char *path;       /* relative to the overlay's destination; any bytes but NUL */
	const char *type; /* "file", "directory", "symlink", "fifo", "socket", "char-device"... */
	uint32_t mode;    /* st_mode & 07777 (not for a deletion) */
	uint64_t size;    /* a file's */
	char *target;     /* a symlink's */
	char *link;       /* a file that is a hard link of an earlier entry: that entry's path */
	const char *reason;
} husk_diff_entry_t;

typedef struct husk_diff_overlay_s {
	const char *source;      /* on the host */
	const char *destination; /* in the box */
	const char *tree;        /* DIR's subdirectory holding the copies: "overlay-0" */
	husk_diff_entry_t *v;
	size_t n, cap;
} husk_diff_overlay_t;

/* Append a copy of E (which it now owns: PATH, TARGET and LINK) to O. */
void husk_diff_add(husk_diff_overlay_t *o, const husk_diff_entry_t *e);
void husk_diff_clear(husk_diff_overlay_t *o);

/* The manifest, as indented JSON with a final newline.  A path or target
 * that is not valid UTF-8 is written with U+FFFD for each bad byte and its
 * exact bytes in hex beside it ("path_hex", "target_hex"). */
char *husk_diff_manifest_json(const husk_diff_overlay_t *v, size_t n);

#endif
