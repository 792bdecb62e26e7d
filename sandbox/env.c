/* husk sandbox: the job's environment, from --clearenv, --env, --env-file
 * and --keep-env (sandbox/internal.h). */
#include "sandbox/internal.h"

#include <stdlib.h>
#include <string.h>

#include "util/cleanup.h"
#include "util/file.h"
#include "util/strv.h"
#include "util/xalloc.h"

/* What a job gets without --clearenv; HOME is the box's writable /tmp. */
#define DEFAULT_PATH "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"
static const char *const default_env[] = { "PATH=" DEFAULT_PATH, "HOME=/tmp", NULL };

/* An --env-file is a config file, not a data file. */
#define ENV_FILE_MAX (1u << 20)

/* A name the environment can carry: not empty, no '=', and no white space,
 * which is a typo far more often than a name (docker refuses it too). */
static bool valid_name(const char *s, size_t n)
{
	if (n == 0) {
		return false;
	}
	for (size_t i = 0; i < n; i++) {
		if (s[i] == '=' || s[i] == '\0' || s[i] == ' ' || s[i] == '\t') {
			return false;
		}
	}
	return true;
}

/* Set NAME=VALUE (KV), replacing an earlier NAME: the last one given wins,
 * as with docker's -e and --env-file. */
static void env_set(char ***env, char *kv)
{
	size_t n = strcspn(kv, "=");

	for (char **e = *env; e != NULL && *e != NULL; e++) {
		if (strncmp(*e, kv, n) == 0 && (*e)[n] == '=') {
			free(*e);
			*e = kv;
			return;
		}
	}
	husk_strv_push(env, kv);
}

/* NAME from husk's own environment; nothing when husk has none. */
static int env_keep(char ***env, const char *name, const char *what, husk_error_t *err)
{
	const char *value;

	if (!valid_name(name, strlen(name))) {
		return husk_error_make(err, 0, "sandbox: %s `%s`: not a variable name", what, name);
	}
	value = getenv(name);
	if (value != NULL) {
		env_set(env, xasprintf("%s=%s", name, value));
	}
	return 0;
}

/* Docker's format: a NAME=VALUE per line, taken as it is (no quotes, no
 * expansion); a bare NAME passes husk's own; blank lines and lines that
 * start with # are skipped. */
static int env_file(char ***env, const char *path, husk_error_t *err)
{
	_cleanup_free_ char *text = NULL;
	size_t len, lineno = 0;
	char *line, *next;

	text = husk_read_file(path, ENV_FILE_MAX, &len, err);
	if (text == NULL) {
		return husk_error_wrap(err, "sandbox: --env-file `%s`", path);
	}
	if (strlen(text) != len) {
		return husk_error_make(err, 0, "sandbox: --env-file `%s`: holds a NUL byte", path);
	}
	for (line = text; line != NULL && *line != '\0'; line = next) {
		size_t n;

		lineno++;
		next = strchr(line, '\n');
		if (next != NULL) {
			*next++ = '\0';
		}
		n = strlen(line);
		if (n > 0 && line[n - 1] == '\r') {
			line[--n] = '\0';
		}
		if (n == 0 || line[strspn(line, " \t")] == '\0' || line[0] == '#') {
			continue;
		}
		if (strchr(line, '=') == NULL) {
			_cleanup_free_ char *what =
				xasprintf("--env-file `%s` line %zu", path, lineno);

			if (env_keep(env, line, what, err) < 0) {
				return -1;
			}
			continue;
		}
		if (!valid_name(line, strcspn(line, "="))) {
			return husk_error_make(err, 0,
					       "sandbox: --env-file `%s` line %zu: `%s`: expected "
					       "NAME=VALUE",
					       path, lineno, line);
		}
		env_set(env, xstrdup(line));
	}
	return 0;
}

char **husk_sandbox_env(const husk_sandbox_opts_t *o, husk_error_t *err)
{
	_cleanup_strv_ char **env = NULL;

	if (!o->clearenv) {
		for (size_t i = 0; default_env[i] != NULL; i++) {
			husk_strv_push(&env, xstrdup(default_env[i]));
		}
		/* A terminal is no use without its type: husk's own, or what
		 * runc's default config says. */
		if (o->tty) {
			const char *term = getenv("TERM");

			husk_strv_push(&env, xasprintf("TERM=%s", term != NULL ? term : "xterm"));
		}
	}
	for (size_t i = 0; i < o->n_env; i++) {
		const husk_sandbox_env_t *e = &o->env[i];

		switch (e->kind) {
		case HUSK_SANDBOX_ENV_SET:
			if (!valid_name(e->value, strcspn(e->value, "=")) ||
			    strchr(e->value, '=') == NULL) {
				husk_error_make(err, 0,
						"sandbox: --env `%s`: expected NAME=VALUE "
						"(--keep-env NAME passes husk's own)",
						e->value);
				return NULL;
			}
			env_set(&env, xstrdup(e->value));
			break;
		case HUSK_SANDBOX_ENV_FILE:
			if (env_file(&env, e->value, err) < 0) {
				return NULL;
			}
			break;
		case HUSK_SANDBOX_ENV_KEEP:
			if (env_keep(&env, e->value, "--keep-env", err) < 0) {
				return NULL;
			}
			break;
		}
	}
	if (env == NULL) {
		env = xmalloc0(sizeof(*env)); /* --clearenv and nothing else: empty */
	}
	return TAKE_PTR(env);
}
