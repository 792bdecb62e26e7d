/* husk rootfs: reading /proc/<pid>/mountinfo (and /proc/<pid>/cgroup). */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "rootfs/rootfs-internal.h"
#include "util/cleanup.h"
#include "util/io.h"
#include "util/open.h"
#include "util/procfs.h"
#include "util/xalloc.h"

/* mountinfo of a busy host can be large; more than this is a bug elsewhere. */
#define MOUNTINFO_MAX (16u << 20)

/* /proc/<own pid>/NAME through the verified handle, or /proc/self/NAME. */
static char *read_self(int procfd, const char *name, husk_error_t *err)
{
	_cleanup_close_ int fd = -1;
	char path[64];
	char *buf;

	if (procfd >= 0) {
		pid_t pid = husk_procfs_self_pid(procfd, err);

		if (pid < 0) {
			return NULL;
		}
		snprintf(path, sizeof(path), "%d/%s", (int) pid, name);
		fd = husk_procfs_open_at(procfd, path, O_RDONLY, err);
		if (fd < 0) {
			return NULL;
		}
	} else {
		snprintf(path, sizeof(path), "/proc/self/%s", name);
		fd = open(path, HUSK_O_RDONLY);
		if (fd < 0) {
			return husk_error_errno(err, "open `%s`", path), NULL;
		}
	}
	buf = husk_read_fd(fd, MOUNTINFO_MAX, NULL);
	if (buf == NULL) {
		husk_error_errno(err, "read %s", name);
	}
	return buf;
}

char *husk_mountinfo_read(int procfd, husk_error_t *err)
{
	return read_self(procfd, "mountinfo", err);
}

char *husk_self_cgroups_read(int procfd, husk_error_t *err)
{
	return read_self(procfd, "cgroup", err);
}

/* The kernel escapes space, tab, newline and backslash as \ooo. */
static void unescape(char *s)
{
	char *out = s;

	while (*s != '\0') {
		if (s[0] == '\\' && s[1] >= '0' && s[1] <= '7' && s[2] >= '0' && s[2] <= '7' &&
		    s[3] >= '0' && s[3] <= '7') {
			*out++ = (char) (((s[1] - '0') << 6) | ((s[2] - '0') << 3) | (s[3] - '0'));
			s += 4;
		} else {
			*out++ = *s++;
		}
	}
	*out = '\0';
}

static char *field(char **p)
{
	char *start = *p, *end;

	if (start == NULL) {
		return NULL;
	}
	end = strchr(start, ' ');
	if (end != NULL) {
		*end = '\0';
		*p = end + 1;
	} else {
		*p = NULL;
	}
	return start;
}

/* "36 35 98:0 /mnt1 /mnt2 rw,noatime master:1 - ext3 /dev/root rw,errors=continue" */
static int parse_line(char *line, husk_mountinfo_t *out)
{
	char *p = line, *id, *parent, *sep;

	id = field(&p);
	parent = field(&p);
	(void) field(&p); /* major:minor */
	(void) field(&p); /* root */
	out->mountpoint = field(&p);
	out->options = field(&p);
	if (id == NULL || parent == NULL || out->mountpoint == NULL || out->options == NULL ||
	    p == NULL) {
		return -1;
	}
	/* Zero or more optional fields, then a lone "-". */
	if (strncmp(p, "- ", 2) == 0) {
		out->optional = "";
		p += 2;
	} else {
		sep = strstr(p, " - ");
		if (sep == NULL) {
			return -1;
		}
		*sep = '\0';
		out->optional = p;
		p = sep + 3;
	}
	out->fstype = field(&p);
	out->source = field(&p);
	out->superopts = p != NULL ? p : "";
	if (out->fstype == NULL || out->source == NULL) {
		return -1;
	}
	out->id = atoi(id);
	out->parent = atoi(parent);
	unescape(out->mountpoint);
	return 0;
}

int husk_mountinfo_next(char **cursor, husk_mountinfo_t *out)
{
	while (*cursor != NULL && **cursor != '\0') {
		char *line = *cursor, *nl = strchr(line, '\n');

		if (nl != NULL) {
			*nl = '\0';
			*cursor = nl + 1;
		} else {
			*cursor = NULL;
		}
		if (parse_line(line, out) == 0) {
			return 1;
		}
	}
	return 0;
}
