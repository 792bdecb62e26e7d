/* husk seccomp: the OCI profile compiled to BPF with libseccomp. */
#include "seccomp/seccomp.h"

#include <seccomp.h>
#include <stdio.h>

void husk_seccomp_library_version(char *buf, size_t len)
{
	const struct scmp_version *v = seccomp_version();

	snprintf(buf, len, "%u.%u.%u", v->major, v->minor, v->micro);
}
