/* husk: whether openat2(2) may be used (util/openat2.h). */
#include "util/openat2.h"

#include <errno.h>
#include <fcntl.h>
#include <linux/openat2.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "util/cleanup.h"

/* -1 until probed */
static int usable = -1;

bool husk_openat2_refused(int e)
{
	return e == ENOSYS || e == EPERM || e == E2BIG;
}

bool husk_openat2_usable(void)
{
	if (usable < 0) {
		struct open_how how = {
			.flags = O_PATH | O_CLOEXEC,
			.resolve = RESOLVE_IN_ROOT | RESOLVE_NO_MAGICLINKS,
		};
		int fd = (int) syscall(SYS_openat2, AT_FDCWD, "/", &how, sizeof(how));

		usable = fd >= 0 || !husk_openat2_refused(errno);
		husk_safe_close(fd);
	}
	return usable == 1;
}

void husk_openat2_forgo(void)
{
	usable = 0;
}
