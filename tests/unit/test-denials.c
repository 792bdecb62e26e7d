/* Unit tests: the Landlock refusals of a sandbox's job, counted from the
 * kernel's audit records (sandbox/denials.c), fed here as the kernel
 * writes them (security/landlock/audit.c): no kernel of the lanes both
 * audits Landlock and may have its auditing turned on by a test. */
#include <stdbool.h>
#include <string.h>

#include "tap.h"
#include "sandbox/internal.h"
#include "util/audit.h"

static const husk_sandbox_denial_t *find(const husk_sandbox_report_t *r, const char *what)
{
	for (size_t i = 0; i < r->n_denials; i++) {
		if (strcmp(r->denials[i].what, what) == 0) {
			return &r->denials[i];
		}
	}
	return NULL;
}

int main(void)
{
	husk_sandbox_opts_t o = { .landlock = HUSK_LANDLOCK_AUTO };
	struct sandbox sb = { .o = &o, .created = true };
	husk_sandbox_report_t r = { .status = "exited" };
	const husk_sandbox_denial_t *d;
	static const struct {
		int type;
		const char *text;
	} records[] = {
		/* The job's: an access refused before its domain is named. */
		{ HUSK_AUDIT_LANDLOCK_ACCESS,
		  "audit(1765000000.100:41): domain=1a2b3c4d5 blockers=fs.read_file "
		  "path=\"/tmp/out/secret\" dev=\"vda\" ino=1234" },
		{ HUSK_AUDIT_LANDLOCK_DOMAIN,
		  "audit(1765000000.100:41): domain=1a2b3c4d5 status=allocated mode=enforcing "
		  "pid=4242 uid=65534 exe=\"/usr/bin/husk\" comm=\"husk\"" },
		{ HUSK_AUDIT_LANDLOCK_ACCESS,
		  "audit(1765000000.200:42): domain=1a2b3c4d5 blockers=fs.read_file "
		  "path=\"/tmp/out/secret\" dev=\"vda\" ino=1234" },
		{ HUSK_AUDIT_LANDLOCK_ACCESS,
		  "audit(1765000000.300:43): domain=1a2b3c4d5 blockers=net.connect_tcp "
		  "daddr=127.0.0.1 dest=80" },
		/* Another process's domain, on the same host. */
		{ HUSK_AUDIT_LANDLOCK_ACCESS,
		  "audit(1765000000.300:44): domain=99 blockers=fs.write_file path=\"/etc/x\" "
		  "dev=\"vda\" ino=7" },
		{ HUSK_AUDIT_LANDLOCK_DOMAIN,
		  "audit(1765000000.300:44): domain=99 status=allocated mode=enforcing pid=17 "
		  "uid=0 exe=\"/bin/x\" comm=\"x\"" },
		{ 1300, "audit(1765000000.300:45): arch=c000003e syscall=257 success=no" },
		/* Freed: the kernel counted one more than the log kept. */
		{ HUSK_AUDIT_LANDLOCK_DOMAIN,
		  "audit(1765000001.000:50): domain=1a2b3c4d5 status=deallocated denials=4" },
	};

	plan(5);
	sb.c.pid = 4242;
	sb.landlock_abi = 7;
	for (size_t i = 0; i < sizeof(records) / sizeof(records[0]); i++) {
		husk_sandbox_denials_audit_record(&sb, records[i].type, records[i].text);
	}
	husk_sandbox_denials_finish(&sb, &r);
	d = find(&r, "fs.read_file path=\"/tmp/out/secret\"");
	ok(d != NULL && d->count == 2 && strcmp(d->kind, "landlock") == 0,
	   "a path refused twice is one entry of count 2, without its device and inode");
	d = find(&r, "net.connect_tcp daddr=127.0.0.1 dest=80");
	ok(d != NULL && d->count == 1, "a port refused");
	ok(find(&r, "fs.write_file path=\"/etc/x\"") == NULL,
	   "another process's domain is not the job's");
	d = find(&r, "(refusals whose records were lost)");
	ok(d != NULL && d->count == 1, "what the kernel counted beyond the records is reported");
	ok(r.n_denials == 3 && r.n_unobserved == 0, "nothing else (%zu denials, %zu unobserved)",
	   r.n_denials, r.n_unobserved);
	husk_sandbox_report_clear(&r);
	husk_sandbox_denials_free(&sb);
	return done();
}
