/* husk seccomp: the OCI profile compiled to BPF with libseccomp. */
#ifndef HUSK_SECCOMP_SECCOMP_H
#define HUSK_SECCOMP_SECCOMP_H

#include <stddef.h>

/* The version of the libseccomp husk runs with (not the one it was built
 * against), "major.minor.micro". */
void husk_seccomp_library_version(char *buf, size_t len);

#endif
