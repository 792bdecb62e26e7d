/* husk: signalling a child through its pidfd (util/proc.h). */
#include "util/proc.h"

#include <errno.h>
#include <signal.h>
#include <sys/syscall.h>
#include <unistd.h>

int husk_pidfd_kill(int pidfd, pid_t pid, int sig)
{
	if (syscall(SYS_pidfd_send_signal, pidfd, sig, NULL, 0) == 0) {
		return 0;
	}
	if ((errno == ENOSYS || errno == EPERM) && pid > 0) {
		return kill(pid, sig);
	}
	return -1;
}
