/* husk runtime: `ps` in table form, through the host's ps(1). */
#include "runtime/husk.h"

#include <errno.h>
#include <fcntl.h>
#include <spawn.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "util/cleanup.h"
#include "util/xalloc.h"

extern char **environ;

/* The column of the header that says PID. */
static int pid_column(const char *header)
{
	_cleanup_free_ char *h = xstrdup(header);
	int col = 0;

	for (char *save = NULL, *t = strtok_r(h, " \t\n", &save); t != NULL;
	     t = strtok_r(NULL, " \t\n", &save), col++) {
		if (strcmp(t, "PID") == 0) {
			return col;
		}
	}
	return -1;
}

static bool line_has_pid(const char *line, int col, const pid_t *pids, size_t n)
{
	_cleanup_free_ char *l = xstrdup(line);
	char *save = NULL, *t = strtok_r(l, " \t\n", &save);

	for (int i = 0; t != NULL && i < col; i++) {
		t = strtok_r(NULL, " \t\n", &save);
	}
	if (t == NULL) {
		return false;
	}
	for (size_t i = 0; i < n; i++) {
		if (atoi(t) == pids[i]) {
			return true;
		}
	}
	return false;
}

int husk_ps_table(const pid_t *pids, size_t n, char *const *args, husk_error_t *err)
{
	size_t nargs = 0;
	_cleanup_free_ char **argv = NULL;
	_cleanup_fclose_ FILE *out = NULL;
	posix_spawn_file_actions_t fa;
	char *line = NULL;
	size_t cap = 0;
	int pipefd[2], status, col = -1;
	bool header = true;
	pid_t pid;

	while (args != NULL && args[nargs] != NULL) {
		nargs++;
	}
	argv = xcalloc(nargs + 3, sizeof(char *));
	argv[0] = (char *) "ps";
	if (nargs == 0) {
		argv[1] = (char *) "-ef";
	}
	for (size_t i = 0; i < nargs; i++) {
		argv[i + 1] = args[i];
	}
	if (pipe2(pipefd, O_CLOEXEC) < 0) {
		return husk_error_errno(err, "ps: pipe");
	}
	posix_spawn_file_actions_init(&fa);
	posix_spawn_file_actions_adddup2(&fa, pipefd[1], 1);
	errno = posix_spawnp(&pid, "ps", &fa, NULL, argv, environ);
	posix_spawn_file_actions_destroy(&fa);
	close(pipefd[1]);
	if (errno != 0) {
		close(pipefd[0]);
		return husk_error_errno(err, "ps: run the host's ps");
	}
	out = fdopen(pipefd[0], "r");
	while (out != NULL && getline(&line, &cap, out) > 0) {
		if (header) {
			col = pid_column(line);
			fputs(line, stdout);
			header = false;
		} else if (col >= 0 && line_has_pid(line, col, pids, n)) {
			fputs(line, stdout);
		}
	}
	free(line);
	waitpid(pid, &status, 0);
	if (col < 0) {
		return husk_error_make(err, 0, "ps: no PID column in the output of ps");
	}
	return WIFEXITED(status) && WEXITSTATUS(status) == 0
		       ? 0
		       : husk_error_make(err, 0, "ps: the host's ps failed");
}
