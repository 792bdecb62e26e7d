/* husk init: the sandbox's pid 1, which the job cannot control.
 *
 * A job that is pid 1 of its own pid namespace is spared every signal it
 * has no handler for (`kill -SEGV $$` does nothing), and it can clear the
 * parent-death signal that ties it to husk with one prctl, after which a
 * husk killed with SIGKILL leaves it running with no deadline.  So in a
 * sandbox the container's init does not exec the job: it forks it, and
 * stays as pid 1, husk's own code, to forward signals to it, reap it and
 * whatever it leaves behind, and tell husk how it ended.  The init keeps
 * SIGKILL as its parent-death signal, which the job cannot touch; when the
 * init dies, with husk or for any reason, the kernel kills everything in
 * its pid namespace.  The job runs as it would outside a sandbox.
 */
#ifndef HUSK_INIT_JOBINIT_H
#define HUSK_INIT_JOBINIT_H

#include <stdbool.h>

#include "seccomp/seccomp.h"
#include "spec/config.h"

/* How the job ended, left by the init in a page that husk mapped shared
 * before the clone.  The job shares it only until its execve. */
typedef struct husk_job_status_s {
	volatile int set; /* 1 once WSTATUS is the job's */
	int wstatus;      /* as waitpid(2) gives it */
} husk_job_status_t;

/* A page for it, shared with the children forked after; NULL on failure
 * (errno set).  husk_job_status_free() unmaps it. */
husk_job_status_t *husk_job_status_new(void);
void husk_job_status_free(husk_job_status_t *s);

/* In the init, where it would exec the job: fork the job, which execs P's
 * program at PATH (husk_process_exec(): SECCOMP loaded last, or already with
 * UNDER_FILTER), and stay as pid 1 until it is gone.  Returns the exit
 * status for the init: the job's own exit code, or 128 + its signal. */
int husk_jobinit_run(const husk_process_t *p, const char *path,
		     const husk_seccomp_filter_t *seccomp, bool under_filter,
		     husk_job_status_t *status);

#endif
