/* husk runtime: the husk binary, sealed against the containers it starts. */
#include "runtime/seal.h"

#include <errno.h>
#include <fcntl.h>
#include <linux/magic.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/mount.h>
#include <sys/sendfile.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <sys/statvfs.h>
#include <unistd.h>

#include "util/cleanup.h"
#include "util/open.h"

#ifndef MFD_EXEC
#define MFD_EXEC 0x0010U
#endif
#ifndef F_SEAL_EXEC
#define F_SEAL_EXEC 0x0020
#endif

/* Set by a sealing re-exec for the new image, which removes it at once: a
 * second re-exec would mean the kernel did not keep the seal, and husk
 * must not loop. */
#define SEALED_ENV "_HUSK_SEALED"

/* The F_SEAL_* set that makes a memfd unwritable for good. */
#define MEMFD_SEALS (F_SEAL_SEAL | F_SEAL_SHRINK | F_SEAL_GROW | F_SEAL_WRITE)

extern char **environ;

/* FLAGS O_PATH: a handle to check and clone, without opening the file
 * itself (on a network or 9p file system, an open is a round trip to the
 * server, and a sealed run would pay it twice more). */
static int open_self(int flags, husk_error_t *err)
{
	/* A read of a magic link, not a write: the host's /proc will do. */
	int fd = open("/proc/self/exe", flags | O_CLOEXEC);

	if (fd < 0) {
		return husk_error_errno(err, "open /proc/self/exe");
	}
	return fd;
}

/* Only a memfd carries seals, and memfds live on tmpfs (hugetlbfs with
 * MFD_HUGETLB); the seals need a real open, which an O_PATH handle is not. */
static bool is_sealed_memfd(int fd)
{
	_cleanup_close_ int rd = -1;
	struct statfs sfs;
	int seals;

	if (fstatfs(fd, &sfs) < 0 || (sfs.f_type != TMPFS_MAGIC && sfs.f_type != HUGETLBFS_MAGIC)) {
		return false;
	}
	rd = open("/proc/self/exe", O_RDONLY | O_CLOEXEC);
	seals = rd < 0 ? -1 : fcntl(rd, F_GET_SEALS);
	return seals >= 0 && (seals & MEMFD_SEALS) == MEMFD_SEALS;
}

/* FD an O_PATH handle on the running binary. */
static enum husk_seal seal_of(int fd)
{
	struct statvfs sv;

	if (fstatvfs(fd, &sv) == 0 && (sv.f_flag & ST_RDONLY) != 0) {
		return HUSK_SEAL_READONLY;
	}
	if (is_sealed_memfd(fd)) {
		return HUSK_SEAL_MEMFD;
	}
	return HUSK_SEAL_NONE;
}

enum husk_seal husk_seal_state(husk_error_t *err)
{
	_cleanup_close_ int fd = open_self(O_PATH, err);

	return fd < 0 ? HUSK_SEAL_NONE : seal_of(fd);
}

/* A read-only bind mount of the binary, attached nowhere: what the exe of
 * a process run from it links to cannot be opened for writing (EROFS), and
 * no mount table shows it. */
static int readonly_ref(int self)
{
	struct mount_attr attr = { .attr_set = MOUNT_ATTR_RDONLY | MOUNT_ATTR_NOSUID |
					       MOUNT_ATTR_NODEV };
	_cleanup_close_ int mfd =
		open_tree(self, "", OPEN_TREE_CLONE | OPEN_TREE_CLOEXEC | AT_EMPTY_PATH);

	if (mfd < 0 || mount_setattr(mfd, "", AT_EMPTY_PATH, &attr, sizeof(attr)) < 0) {
		return -1;
	}
	return TAKE_FD(mfd);
}

/* A copy of the binary in a memfd whose seals forbid any write. */
static int memfd_copy(husk_error_t *err)
{
	_cleanup_close_ int mfd = memfd_create("husk", MFD_CLOEXEC | MFD_ALLOW_SEALING | MFD_EXEC);
	_cleanup_close_ int self = -1;
	struct stat st;

	if (mfd < 0 && errno == EINVAL) { /* a kernel before MFD_EXEC */
		mfd = memfd_create("husk", MFD_CLOEXEC | MFD_ALLOW_SEALING);
	}
	if (mfd < 0) {
		return husk_error_errno(err, "seal husk's binary: memfd_create");
	}
	self = open_self(O_RDONLY, err);
	if (self < 0) {
		return -1;
	}
	if (fstat(self, &st) < 0) {
		return husk_error_errno(err, "seal husk's binary: fstat");
	}
	for (off_t done = 0; done < st.st_size;) {
		ssize_t n = sendfile(mfd, self, NULL, (size_t) (st.st_size - done));

		if (n <= 0) {
			return husk_error_make(err, n < 0 ? errno : EIO,
					       "seal husk's binary: copy it to a memfd");
		}
		done += n;
	}
	if (fcntl(mfd, F_ADD_SEALS, MEMFD_SEALS) < 0) {
		return husk_error_errno(err, "seal husk's binary: F_ADD_SEALS");
	}
	/* Where the kernel knows it, the exec bit is sealed too. */
	(void) fcntl(mfd, F_ADD_SEALS, F_SEAL_EXEC);
	return TAKE_FD(mfd);
}

int husk_seal_self(char **argv, husk_error_t *err)
{
	_cleanup_close_ int self = -1, ref = -1;
	bool again = getenv(SEALED_ENV) != NULL;

	unsetenv(SEALED_ENV);
	self = open_self(O_PATH, err);
	if (self < 0) {
		return -1;
	}
	if (seal_of(self) != HUSK_SEAL_NONE) {
		return 0;
	}
	if (again) {
		return husk_error_make(err, 0,
				       "seal husk's binary: the re-executed binary "
				       "is still writable");
	}
	ref = readonly_ref(self);
	if (ref < 0) {
		ref = memfd_copy(err);
		if (ref < 0) {
			return -1;
		}
	}
	if (setenv(SEALED_ENV, "1", 1) < 0) {
		return husk_error_errno(err, "seal husk's binary: setenv");
	}
	execveat(ref, "", argv, environ, AT_EMPTY_PATH);
	husk_error_errno(err, "seal husk's binary: execveat");
	unsetenv(SEALED_ENV);
	return -1;
}
