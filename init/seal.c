/* husk init: the husk binary, sealed against the containers it starts. */
#include "init/seal.h"

#include <elf.h>
#include <errno.h>
#include <fcntl.h>
#include <link.h>
#include <linux/magic.h>
#include <signal.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/mount.h>
#include <linux/prctl.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <sys/sendfile.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <sys/statvfs.h>
#include <unistd.h>

#include "util/cleanup.h"
#include "util/open.h"
#include "util/pathfs.h"
#include "util/procfs.h"

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

/* The program's own image: its program headers, where the kernel mapped
 * them.  dl_iterate_phdr() names the program first, static or not. */
struct image {
	const ElfW(Phdr) * phdr;
	size_t phnum;
	ElfW(Addr) bias;
};

static int first_object(struct dl_phdr_info *info, size_t size, void *data)
{
	struct image *im = data;

	(void) size;
	im->phdr = info->dlpi_phdr;
	im->phnum = info->dlpi_phnum;
	im->bias = info->dlpi_addr;
	return 1;
}

/* LEN bytes from SRC to DST, both page-aligned, a word at a time and
 * unchecked: SRC is the program's data, which a sanitizer's redzones
 * poison in parts (its memcpy would report them). */
__attribute__((no_sanitize("address"))) static void copy_words(void *dst, const void *src,
							       size_t len)
{
	volatile unsigned long *d = dst;
	const volatile unsigned long *s = src;

	for (size_t i = 0; i < len / sizeof(*d); i++) {
		d[i] = s[i];
	}
}

/* Map the program's file-backed segments anew, each in place and in one
 * step, so that none maps the writable file any more: the read-only ones
 * from FD (the same file through the read-only mount: the same page cache,
 * nothing copied), the writable ones (data, and what relocation wrote) as an
 * anonymous copy moved over the original.  Each step swaps the same bytes
 * for the same bytes, so the program runs on whatever the outcome. */
/* Whether IM can be mapped again segment by segment: its PT_LOADs in
 * ascending order on pages of their own (a read-only segment sharing a page
 * with the data would bring back the file's bytes over relocated ones),
 * and no text relocations (text mapped again from the file would lose
 * them).  Checked before anything is changed: the caller re-executes
 * instead. */
static bool remappable(const struct image *im, uintptr_t page)
{
	uintptr_t last_end = 0;

	for (size_t i = 0; i < im->phnum; i++) {
		const ElfW(Phdr) *ph = &im->phdr[i];

		if (ph->p_type == PT_DYNAMIC) {
			for (const ElfW(Dyn) *d = (const void *) (im->bias + ph->p_vaddr);
			     d->d_tag != DT_NULL; d++) {
				if (d->d_tag == DT_TEXTREL ||
				    (d->d_tag == DT_FLAGS && (d->d_un.d_val & DF_TEXTREL))) {
					return false;
				}
			}
		}
		if (ph->p_type == PT_LOAD && ph->p_filesz > 0) {
			uintptr_t start = (im->bias + ph->p_vaddr) & ~(page - 1);
			uintptr_t end =
				(im->bias + ph->p_vaddr + ph->p_memsz + page - 1) & ~(page - 1);

			if (start < last_end ||
			    (ph->p_offset & (page - 1)) != (ph->p_vaddr & (page - 1))) {
				return false;
			}
			last_end = end;
		}
	}
	return true;
}

static int remap_image(int fd)
{
	const uintptr_t page = (uintptr_t) sysconf(_SC_PAGESIZE);
	struct image im = { 0 };
	const ElfW(Phdr) *relro = NULL;
	sigset_t all, old;
	int r = -1;

	(void) dl_iterate_phdr(first_object, &im);
	if (im.phdr == NULL || !remappable(&im, page)) {
		errno = ENOTSUP;
		return -1;
	}
	/* No handler may write the data between its copy and the move. */
	sigfillset(&all);
	sigprocmask(SIG_SETMASK, &all, &old);
	for (size_t i = 0; i < im.phnum; i++) {
		const ElfW(Phdr) *ph = &im.phdr[i];
		uintptr_t start = (im.bias + ph->p_vaddr) & ~(page - 1);
		uintptr_t end = (im.bias + ph->p_vaddr + ph->p_filesz + page - 1) & ~(page - 1);
		size_t len = end - start;

		if (ph->p_type == PT_GNU_RELRO) {
			relro = ph;
		}
		if (ph->p_type != PT_LOAD || ph->p_filesz == 0) {
			continue;
		}
		if (ph->p_flags & PF_W) {
			void *copy = mmap(NULL, len,
					  PROT_READ | PROT_WRITE |
						  ((ph->p_flags & PF_X) ? PROT_EXEC : 0),
					  MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);

			if (copy == MAP_FAILED) {
				goto out;
			}
			copy_words(copy, (void *) start, len);
			if (mremap(copy, len, len, MREMAP_MAYMOVE | MREMAP_FIXED, (void *) start) ==
			    MAP_FAILED) {
				int e = errno;

				munmap(copy, len);
				errno = e;
				goto out;
			}
		} else {
			int prot = ((ph->p_flags & PF_R) ? PROT_READ : 0) |
				   ((ph->p_flags & PF_X) ? PROT_EXEC : 0);

			if (mmap((void *) start, len, prot, MAP_PRIVATE | MAP_FIXED | MAP_POPULATE,
				 fd, (off_t) (ph->p_offset & ~(page - 1))) == MAP_FAILED) {
				goto out;
			}
		}
	}
	if (relro != NULL) {
		/* As the loader left it: read-only once relocated. */
		uintptr_t start = (im.bias + relro->p_vaddr) & ~(page - 1);
		uintptr_t end = (im.bias + relro->p_vaddr + relro->p_memsz) & ~(page - 1);

		if (end > start && mprotect((void *) start, end - start, PROT_READ) < 0) {
			goto out;
		}
	}
	r = 0;
out:
	sigprocmask(SIG_SETMASK, &old, NULL);
	return r;
}

/* Field N (proc(5), from 1) of /proc/<pid>/stat, counted after the
 * command name, which may hold spaces and parentheses of its own. */
static int stat_field(const char *stat, int n, __u64 *out)
{
	const char *p = strrchr(stat, ')');

	if (p == NULL) {
		return -1;
	}
	for (int field = 2; field < n; field++) {
		p = strchr(p + 1, ' ');
		if (p == NULL) {
			return -1;
		}
	}
	errno = 0;
	*out = strtoull(p + 1, NULL, 10);
	return errno != 0 ? -1 : 0;
}

/* PR_SET_MM_MAP sets the exe along with the bounds of code, data, heap,
 * stack, arguments and environment: these are the ones the kernel holds
 * now, so only the exe changes. */
static int current_mm(struct prctl_mm_map *map)
{
	static const struct {
		int field;
		size_t off;
	} fields[] = {
		{ 26, offsetof(struct prctl_mm_map, start_code) },
		{ 27, offsetof(struct prctl_mm_map, end_code) },
		{ 28, offsetof(struct prctl_mm_map, start_stack) },
		{ 45, offsetof(struct prctl_mm_map, start_data) },
		{ 46, offsetof(struct prctl_mm_map, end_data) },
		{ 47, offsetof(struct prctl_mm_map, start_brk) },
		{ 48, offsetof(struct prctl_mm_map, arg_start) },
		{ 49, offsetof(struct prctl_mm_map, arg_end) },
		{ 50, offsetof(struct prctl_mm_map, env_start) },
		{ 51, offsetof(struct prctl_mm_map, env_end) },
	};
	_cleanup_error_ husk_error_t e = NULL;
	_cleanup_close_ int procfd = husk_procfs_open(&e);
	_cleanup_free_ char *stat = NULL;
	char path[32];
	pid_t pid;

	pid = procfd < 0 ? -1 : husk_procfs_self_pid(procfd, &e);
	if (pid < 0) {
		return -1;
	}
	snprintf(path, sizeof(path), "%d/stat", (int) pid);
	stat = husk_procfs_read(procfd, path, 4096, &e);
	if (stat == NULL) {
		return -1;
	}
	for (size_t i = 0; i < sizeof(fields) / sizeof(fields[0]); i++) {
		if (stat_field(stat, fields[i].field, (__u64 *) ((char *) map + fields[i].off)) <
		    0) {
			return -1;
		}
	}
	return 0;
}

/* Set FD as the exe, and nothing else.  The heap's end is read last, as
 * anything that allocates may move it. */
static int set_exe(struct prctl_mm_map *map, int fd)
{
	long brk = syscall(SYS_brk, 0);

	if (brk <= 0) {
		return -1;
	}
	map->brk = (__u64) brk;
	map->exe_fd = (__u32) fd;
	return prctl(PR_SET_MM, PR_SET_MM_MAP, (unsigned long) map, sizeof(*map), 0);
}

/* Make REF (the read-only reference) this process's executable, without an
 * exec.  The kernel takes a new exe from a process that may checkpoint and
 * restore (CAP_SYS_ADMIN or CAP_CHECKPOINT_RESTORE: PR_SET_MM_MAP), and only
 * when nothing of the old one is mapped any more (EBUSY), so the image is
 * mapped again from REF first.  On failure the caller re-executes. */
static int switch_exe(int ref)
{
	struct prctl_mm_map map = { .exe_fd = (__u32) -1 };
	char name[32];
	_cleanup_close_ int fd = -1;

	if (current_mm(&map) < 0) {
		return -1;
	}
	fd = open(husk_path_fd_name(ref, name), O_RDONLY | O_CLOEXEC);
	if (fd < 0) {
		return -1;
	}
	/* Checked first, as it costs nothing: EPERM or EINVAL (no
	 * checkpoint/restore in this kernel) end it here. */
	if (set_exe(&map, fd) < 0 &&
	    (errno != EBUSY || remap_image(fd) < 0 || set_exe(&map, fd) < 0)) {
		return -1;
	}
	/* FD's file is the exe now: its mount is the one to be read-only
	 * (no need to look the exe up again through /proc). */
	return seal_of(fd) == HUSK_SEAL_READONLY ? 0 : -1;
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

/* After an in-place seal, the read-only reference's mount handle.  Closing
 * the last descriptor of a detached mount dissolves it, and the kernel
 * waits for an expedited RCU grace period to do so (about 0.1 ms here):
 * kept until husk_seal_release(), so that the wait can fall where husk
 * waits anyway.  The exe itself keeps the mount alive either way. */
static int kept_ref = -1;

void husk_seal_release(void)
{
	kept_ref = husk_safe_close(kept_ref);
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
	if (ref >= 0 && switch_exe(ref) == 0) {
		kept_ref = TAKE_FD(ref);
		return 0;
	}
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
