/* husk: scope-bound ownership. */
#include "util/cleanup.h"

#include <errno.h>
#include <unistd.h>

int husk_safe_close(int fd)
{
	if (fd >= 0) {
		int saved = errno;

		/* Never retry: on Linux the descriptor is gone even after EINTR,
		 * and a retry could close one another thread just opened. */
		(void) close(fd);
		errno = saved;
	}
	return -1;
}

void husk_closep(int *fd)
{
	*fd = husk_safe_close(*fd);
}

void husk_freep(void *p)
{
	void **pp = p;

	free(*pp);
	*pp = NULL;
}

void husk_fclosep(FILE **f)
{
	if (*f != NULL) {
		int saved = errno;

		fclose(*f);
		errno = saved;
		*f = NULL;
	}
}

void husk_closedirp(DIR **d)
{
	if (*d != NULL) {
		int saved = errno;

		closedir(*d);
		errno = saved;
		*d = NULL;
	}
}

void husk_strv_free(char **v)
{
	if (v == NULL) {
		return;
	}
	for (char **i = v; *i != NULL; i++) {
		free(*i);
	}
	free(v);
}

void husk_strv_freep(char ***v)
{
	husk_strv_free(*v);
	*v = NULL;
}
