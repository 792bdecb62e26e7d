/* husk spec: the OCI runtime-spec version husk implements. */
#ifndef HUSK_SPEC_VERSION_H
#define HUSK_SPEC_VERSION_H

#define HUSK_OCI_VERSION "1.3.0"

#endif
