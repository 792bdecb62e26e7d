/* husk runtime: the verbs that only read, `state` and `list`. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

#include "runtime/husk.h"
#include "spec/state.h"
#include "state/record.h"
#include "state/statedir.h"
#include "util/cleanup.h"
#include "util/xalloc.h"

int husk_container_state(const char *root, const char *id, husk_error_t *err)
{
	_cleanup_close_ int rootfd = husk_statedir_open_root_for(root, id, err);
	_cleanup_state_ husk_state_t *st = NULL;
	_cleanup_free_ char *json = NULL;

	if (rootfd < 0) {
		return -1;
	}
	st = husk_state_load_live(rootfd, id, err);
	if (st == NULL) {
		return -1;
	}
	json = husk_state_to_json(st);
	printf("%s\n", json);
	return fflush(stdout) == 0 ? 0 : husk_error_errno(err, "write the state");
}

int husk_container_list(const char *root, enum husk_list_format format, bool quiet,
			husk_error_t *err)
{
	_cleanup_close_ int rootfd = -1;
	_cleanup_strv_ char **ids = NULL;
	husk_state_t **v = NULL;
	size_t n = 0, count = 0;

	rootfd = husk_statedir_open_root(root, false, err);
	if (rootfd < 0) {
		if (husk_error_errno_of(*err) != ENOENT) {
			return -1;
		}
		/* No root yet: no containers, as runc says. */
		husk_error_free(err);
	} else {
		ids = husk_statedir_list(rootfd, &count, err);
		if (ids == NULL) {
			return -1;
		}
	}
	v = xcalloc(count + 1, sizeof(*v));
	for (size_t i = 0; i < count; i++) {
		_cleanup_error_ husk_error_t e = NULL;

		/* A container deleted while we list is simply not listed. */
		v[n] = husk_state_load_live(rootfd, ids[i], &e);
		if (v[n] != NULL) {
			n++;
		}
	}
	if (quiet) {
		for (size_t i = 0; i < n; i++) {
			printf("%s\n", v[i]->id);
		}
	} else if (format == HUSK_LIST_JSON) {
		_cleanup_free_ char *json = husk_state_list_to_json(v, n);

		printf("%s\n", json);
	} else {
		printf("%-12s %-8s %-10s %-40s %-30s %-8s %s\n", "ID", "PID", "STATUS", "BUNDLE",
		       "CREATED", "OWNER", "EXIT");
		for (size_t i = 0; i < n; i++) {
			char code[16] = "-";

			if (v[i]->exit != NULL) {
				snprintf(code, sizeof(code), "%d", v[i]->exit->code);
			} else if (v[i]->exit_unknown) {
				snprintf(code, sizeof(code), "unknown");
			}
			printf("%-12s %-8d %-10s %-40s %-30s %-8s %s\n", v[i]->id, v[i]->pid,
			       v[i]->status, v[i]->bundle, v[i]->created,
			       v[i]->owner[0] != '\0' ? v[i]->owner : "root", code);
		}
	}
	for (size_t i = 0; i < n; i++) {
		husk_state_free(v[i]);
	}
	free(v);
	return fflush(stdout) == 0 ? 0 : husk_error_errno(err, "write the list");
}
