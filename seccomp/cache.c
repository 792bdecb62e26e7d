/* husk seccomp: the cache of compiled filters.
 *
 * podman's and docker's default profiles go with every container, and
 * compiling one is most of what seccomp costs a create.  So each compiled
 * program is kept in <root>/.seccomp-cache/<hash>.bpf, named by a 64-bit
 * FNV-1a hash of the profile's canonical text (seccomp.c: canonical_key).
 * The file holds that whole text too, and a hit must match it byte for
 * byte: the hash only names the file.
 *
 *   "HUSKBPF1" | u64 key length | u64 program length | u64 program hash
 *   | key | program (struct sock_filter[])
 *
 * The directory is made 0700 by husk under a root only husk writes; entries
 * are opened with O_NOFOLLOW, must be regular files owned by husk's euid and
 * writable by nobody else, and every length is checked against the file's
 * size before anything is read.  Entries are written to a temporary name,
 * synced and renamed, so a reader sees a whole file or none.  Anything
 * wrong is a miss (and a debug line), never a failure.
 */
#include <errno.h>
#include <fcntl.h>
#include <linux/filter.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "seccomp/internal.h"
#include "util/cleanup.h"
#include "util/io.h"
#include "util/hash.h"
#include "util/log.h"
#include "util/open.h"
#include "util/xalloc.h"

#define MAGIC "HUSKBPF1"

struct header {
	char magic[8];
	uint64_t key_len;
	uint64_t prog_len; /* bytes */
	uint64_t prog_hash;
};

static void entry_name(char name[32], const char *key, size_t keylen)
{
	snprintf(name, 32, "%016llx.bpf",
		 (unsigned long long) husk_fnv1a(HUSK_FNV1A_INIT, key, keylen));
}

/* The cache directory, made when MAKE and missing. */
static int open_dir(int rootfd, bool make)
{
	int fd;
	struct stat st;

	if (make && mkdirat(rootfd, HUSK_SECCOMP_CACHE_DIR, 0700) < 0 && errno != EEXIST) {
		return -1;
	}
	fd = openat(rootfd, HUSK_SECCOMP_CACHE_DIR, HUSK_O_DIR);
	if (fd < 0) {
		return -1;
	}
	if (fstat(fd, &st) < 0 || st.st_uid != geteuid() || (st.st_mode & 022) != 0) {
		husk_debug("seccomp cache: %s is not husk's own: not used", HUSK_SECCOMP_CACHE_DIR);
		close(fd);
		return -1;
	}
	return fd;
}

/* Check an entry's header against the file and the key it must hold. */
static bool entry_sane(const struct stat *st, const struct header *h, size_t keylen)
{
	return S_ISREG(st->st_mode) && st->st_uid == geteuid() && (st->st_mode & 022) == 0 &&
	       memcmp(h->magic, MAGIC, 8) == 0 && h->key_len == keylen && h->prog_len > 0 &&
	       h->prog_len % sizeof(struct sock_filter) == 0 &&
	       h->prog_len <= HUSK_SECCOMP_MAX_INSNS * sizeof(struct sock_filter) &&
	       (uint64_t) st->st_size == sizeof(*h) + h->key_len + h->prog_len;
}

int husk_seccomp_cache_get(int rootfd, const char *key, size_t keylen, husk_seccomp_filter_t *f)
{
	_cleanup_close_ int dirfd = open_dir(rootfd, false);
	_cleanup_close_ int fd = -1;
	_cleanup_free_ char *stored = NULL;
	_cleanup_free_ void *prog = NULL;
	struct header h;
	struct stat st;
	char name[32];

	if (dirfd < 0) {
		return -1;
	}
	entry_name(name, key, keylen);
	fd = openat(dirfd, name, HUSK_O_RDONLY);
	if (fd < 0) {
		return -1;
	}
	if (fstat(fd, &st) < 0 || husk_read_exact(fd, &h, sizeof(h)) != 1 ||
	    !entry_sane(&st, &h, keylen)) {
		husk_debug("seccomp cache: %s is malformed: not used", name);
		return -1;
	}
	stored = xmalloc(keylen);
	prog = xmalloc(h.prog_len);
	if (husk_read_exact(fd, stored, keylen) != 1 || memcmp(stored, key, keylen) != 0 ||
	    husk_read_exact(fd, prog, h.prog_len) != 1 ||
	    husk_fnv1a(HUSK_FNV1A_INIT, prog, h.prog_len) != h.prog_hash) {
		husk_debug("seccomp cache: %s holds another profile or is damaged: not used", name);
		return -1;
	}
	f->prog = TAKE_PTR(prog);
	f->len = h.prog_len / sizeof(struct sock_filter);
	return 0;
}

void husk_seccomp_cache_put(int rootfd, const char *key, size_t keylen,
			    const husk_seccomp_filter_t *f)
{
	_cleanup_close_ int dirfd = open_dir(rootfd, true);
	_cleanup_close_ int fd = -1;
	size_t bytes = f->len * sizeof(struct sock_filter);
	struct header h = { .key_len = keylen,
			    .prog_len = bytes,
			    .prog_hash = husk_fnv1a(HUSK_FNV1A_INIT, f->prog, bytes) };
	char name[32], tmp[64];

	if (dirfd < 0) {
		husk_debug("seccomp cache: cannot open %s: %m", HUSK_SECCOMP_CACHE_DIR);
		return;
	}
	memcpy(h.magic, MAGIC, 8);
	entry_name(name, key, keylen);
	snprintf(tmp, sizeof(tmp), ".%s.%d", name, (int) getpid());
	unlinkat(dirfd, tmp, 0);
	fd = openat(dirfd, tmp, HUSK_O_CREAT_EXCL, 0600);
	if (fd < 0) {
		husk_debug("seccomp cache: cannot write %s: %m", tmp);
		return;
	}
	if (husk_write_all(fd, &h, sizeof(h)) < 0 || husk_write_all(fd, key, keylen) < 0 ||
	    husk_write_all(fd, f->prog, bytes) < 0 || fdatasync(fd) < 0 ||
	    renameat(dirfd, tmp, dirfd, name) < 0) {
		husk_debug("seccomp cache: cannot store %s: %m", name);
		unlinkat(dirfd, tmp, 0);
	}
}
