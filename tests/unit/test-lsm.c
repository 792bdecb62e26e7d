/* Unit tests: telling the active LSMs (util/lsm.h) and deciding what a
 * process gets (init/lsm.h).  Where the answer depends on this host's
 * LSMs, the test asks util/lsm.h first and checks the branch the host takes;
 * tests/lsm/ checks both branches in VMs that have each. */
#include <string.h>
#include <unistd.h>

#include "init/lsm.h"
#include "tap.h"
#include "util/cleanup.h"
#include "util/error.h"
#include "util/lsm.h"
#include "util/procfs.h"

static void test_list(void)
{
	const char *debian = "lockdown,capability,landlock,yama,apparmor,tomoyo,bpf";

	ok(husk_lsm_list_has(debian, "apparmor"), "list: apparmor in the middle");
	ok(husk_lsm_list_has(debian, "lockdown"), "list: the first name");
	ok(husk_lsm_list_has(debian, "bpf"), "list: the last name");
	ok(husk_lsm_list_has("capability,selinux\n", "selinux"), "list: before a newline");
	ok(!husk_lsm_list_has(debian, "selinux"), "list: a name it lacks");
	ok(!husk_lsm_list_has(debian, "armor"), "list: not a part of a name");
	ok(!husk_lsm_list_has("apparmorx,bpf", "apparmor"), "list: not a prefix of a name");
	ok(!husk_lsm_list_has("", "apparmor"), "list: empty");
	ok(!husk_lsm_list_has(NULL, "apparmor"), "list: none");
}

static void test_unconfined(void)
{
	ok(husk_lsm_apparmor_unconfined("unconfined\n"), "current: unconfined");
	ok(husk_lsm_apparmor_unconfined("unconfined"), "current: unconfined, no newline");
	ok(!husk_lsm_apparmor_unconfined("docker-default (enforce)\n"), "current: a profile");
	ok(!husk_lsm_apparmor_unconfined("unconfined_foo (complain)\n"),
	   "current: a profile whose name starts with unconfined");
	ok(!husk_lsm_apparmor_unconfined("unconf"), "current: a short read is confined");
	ok(!husk_lsm_apparmor_unconfined(NULL), "current: unknown is confined");
}

static void test_plan_nothing(void)
{
	_cleanup_error_ husk_error_t err = NULL;
	husk_process_t p = { .no_new_privileges = true };
	husk_lsm_plan_t plan;

	is_int(husk_lsm_plan(&p, NULL, &plan, &err), 0, "plan: a process that asks for nothing");
	ok(plan.apparmor == NULL && plan.selinux == NULL && !plan.apparmor_stack,
	   "plan: ...gets nothing");
	p.apparmor_profile = "";
	p.selinux_label = "";
	is_int(husk_lsm_plan(&p, "", &plan, &err), 0, "plan: empty strings ask for nothing");
	ok(plan.apparmor == NULL && plan.selinux == NULL, "plan: ...and get nothing");
	is_int(husk_lsm_apply(-1, &plan, &err), 0, "apply: nothing to write, no handle needed");
	is_int(husk_lsm_apply(-1, NULL, &err), 0, "apply: no plan");
}

/* A profile: applied where AppArmor is active, a warning elsewhere; and
 * where it is not, the kernel refuses the write, naming the profile. */
static void test_apparmor(const husk_lsm_host_t *host)
{
	_cleanup_error_ husk_error_t err = NULL;
	_cleanup_close_ int procfd = -1;
	husk_process_t p = { .apparmor_profile = "husk-unit" };
	husk_lsm_plan_t plan;

	is_int(husk_lsm_plan(&p, NULL, &plan, &err), 0, "plan: an AppArmor profile is accepted");
	if (host->apparmor) {
		is_str(plan.apparmor, "husk-unit", "plan: ...and applied where AppArmor is active");
		skip("AppArmor is active here: tests/lsm/apparmor.bats writes profiles");
		skip("AppArmor is active here");
		return;
	}
	ok(plan.apparmor == NULL, "plan: ...and not applied where AppArmor is not active");
	procfd = husk_procfs_open(&err);
	plan.apparmor = "husk-unit";
	is_int(husk_lsm_apply(procfd, &plan, &err), -1,
	       "apply: without AppArmor the kernel refuses the profile");
	ok(err != NULL && strncmp(err->msg, "AppArmor profile `husk-unit`: write `/proc/", 43) == 0,
	   "apply: ...and the error names it: %s", err != NULL ? err->msg : "(none)");
}

/* A label: runc's error where SELinux is not enabled. */
static void test_selinux(const husk_lsm_host_t *host)
{
	_cleanup_error_ husk_error_t err = NULL;
	husk_process_t p = { .selinux_label = "system_u:system_r:container_t:s0" };
	husk_lsm_plan_t plan;

	if (host->selinux) {
		is_int(husk_lsm_plan(&p, NULL, &plan, &err), 0, "plan: an SELinux label");
		is_str(plan.selinux, p.selinux_label, "plan: ...is applied where SELinux is");
		return;
	}
	is_int(husk_lsm_plan(&p, NULL, &plan, &err), -1,
	       "plan: an SELinux label without SELinux is an error");
	is_str(err != NULL ? err->msg : NULL,
	       "selinux label is specified in config, but selinux is disabled or not supported",
	       "plan: ...in runc's words");
}

int main(void)
{
	husk_lsm_host_t host;

	plan(28);
	husk_lsm_host(&host);
	diag("this host: AppArmor %s (%s); SELinux %s (%s)", host.apparmor ? "active" : "not",
	     host.apparmor_why, host.selinux ? "enabled" : "not", host.selinux_why);
	ok(host.apparmor_why != NULL && host.selinux_why != NULL, "host: each answer says why");
	test_list();
	test_unconfined();
	test_plan_nothing();
	test_apparmor(&host);
	test_selinux(&host);
	return done();
}
