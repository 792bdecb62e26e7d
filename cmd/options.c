/* husk CLI: the command line, parsed by a verb's table. */
#include "cmd/options.h"

#include <errno.h>
#include <getopt.h>
#include <stdlib.h>
#include <string.h>

#include "util/num.h"
#include "util/xalloc.h"

const husk_flag_t husk_help_flag = { "help", 'h', NULL, 0, "print this help and exit" };

/* getopt's value for the I-th entry of a table (the help flag's is one past
 * the last); a letter comes back as itself, below this. */
#define OPT_INDEX_BASE 1000

static size_t count_flags(const husk_flag_t *flags)
{
	size_t n = 0;

	while (flags != NULL && flags[n].name != NULL) {
		n++;
	}
	return n;
}

static const husk_flag_t *flag_at(const husk_flag_t *flags, size_t n, size_t i)
{
	return i < n ? &flags[i] : &husk_help_flag;
}

/* getopt_long_only()'s view of FLAGS and -h, --help: the long options and
 * the short ones ("+:" first: stop at the first operand, and tell a missing
 * value from an unknown flag). */
static struct option *getopt_table(const husk_flag_t *flags, size_t n, char **shorts)
{
	struct option *lo = xcalloc(n + 2, sizeof(*lo));
	char *s = xmalloc(2 * (n + 1) + 3);
	size_t k = 0;

	s[k++] = '+';
	s[k++] = ':';
	for (size_t i = 0; i <= n; i++) {
		const husk_flag_t *f = flag_at(flags, n, i);

		lo[i] = (struct option){ f->name, f->arg != NULL ? required_argument : no_argument,
					 NULL, OPT_INDEX_BASE + (int) i };
		if (f->letter != 0) {
			s[k++] = f->letter;
			if (f->arg != NULL) {
				s[k++] = ':';
			}
		}
	}
	s[k] = '\0';
	*shorts = s;
	return lo;
}

static const husk_flag_t *flag_of(const husk_flag_t *flags, size_t n, int c)
{
	if (c >= OPT_INDEX_BASE) {
		return flag_at(flags, n, (size_t) (c - OPT_INDEX_BASE));
	}
	for (size_t i = 0; i <= n; i++) {
		if (flag_at(flags, n, i)->letter == c) {
			return flag_at(flags, n, i);
		}
	}
	return NULL;
}

/* ARG is the word getopt was at when it failed (a short flag's cluster). */
static int bad_flag(const husk_verb_t *verb, int c, const char *arg, husk_error_t *err)
{
	if (verb == NULL && c == ':') {
		return husk_error_make(err, 0, "flag `%s` needs a value: see `husk --help`", arg);
	}
	if (verb == NULL) {
		return husk_error_make(err, 0, "unknown global flag `%s`: see `husk --help`", arg);
	}
	if (c == ':') {
		return husk_error_make(err, 0, "%s: flag `%s` needs a value: see `husk %s --help`",
				       verb->name, arg, verb->name);
	}
	return husk_error_make(err, 0, "%s: unknown flag `%s`: see `husk %s --help`", verb->name,
			       arg, verb->name);
}

int husk_cmd_parse(const husk_verb_t *verb, const husk_flag_t *flags, int argc, char **argv,
		   husk_args_t *a, husk_error_t *err)
{
	size_t n = count_flags(flags);
	_cleanup_free_ char *shorts = NULL;
	_cleanup_free_ struct option *lo = getopt_table(flags, n, &shorts);

	*a = (husk_args_t){ .verb = verb };
	opterr = 0;
	optind = 0; /* a fresh start, for each table */
	for (;;) {
		int at = optind > 0 ? optind : 1;
		int c = getopt_long_only(argc, argv, shorts, lo, NULL);
		const husk_flag_t *f;

		if (c == -1) {
			break;
		}
		f = c == '?' || c == ':' ? NULL : flag_of(flags, n, c);
		if (f == NULL) {
			free(a->opts);
			a->opts = NULL;
			return bad_flag(verb, c, at < argc ? argv[at] : argv[argc - 1], err);
		}
		a->help |= f == &husk_help_flag;
		a->opts = xreallocarray(a->opts, a->n_opts + 1, sizeof(*a->opts));
		a->opts[a->n_opts++] = (husk_opt_t){ f, f->arg != NULL ? optarg : NULL };
	}
	a->argc = argc - optind;
	a->argv = argv + optind;
	return 0;
}

int husk_cmd_take_id(const husk_args_t *a, int max_extra, const char **id, husk_error_t *err)
{
	if (a->argc < 1) {
		return husk_error_make(err, 0, "%s: a container id is required", a->verb->name);
	}
	if (a->argc - 1 > max_extra) {
		return husk_error_make(err, 0, "%s: unexpected argument `%s`", a->verb->name,
				       a->argv[1 + max_extra]);
	}
	*id = a->argv[0];
	return 0;
}

int husk_cmd_no_operands(const husk_args_t *a, husk_error_t *err)
{
	if (a->argc > 0) {
		return husk_error_make(err, 0, "%s: unexpected argument `%s`", a->verb->name,
				       a->argv[0]);
	}
	return 0;
}

int husk_cmd_parse_uint(const char *flag, const char *s, int *out, husk_error_t *err)
{
	uint64_t v;

	if (husk_parse_u64(s, 1 << 20, &v) < 0) {
		return husk_error_make(err, 0, "%s: invalid value `%s`: expected a number", flag,
				       s);
	}
	*out = (int) v;
	return 0;
}

/* Bytes, any size: husk_cmd_parse_uint() stops at 1 MiB, below the
 * 16 MiB default. */
static int parse_output_max(const char *s, uint64_t *out, husk_error_t *err)
{
	if (husk_parse_u64(s, UINT64_MAX, out) < 0 || *out == 0) {
		return husk_error_make(err, 0,
				       "--output-max: invalid value `%s`: expected a number of "
				       "bytes above 0",
				       s);
	}
	return 0;
}

int husk_cmd_create_flag(const husk_opt_t *o, husk_create_opts_t *c, husk_monitor_opts_t *m,
			 husk_error_t *err)
{
	switch (o->flag->id) {
	case HUSK_OPT_BUNDLE:
		c->bundle = o->value;
		return 1;
	case HUSK_OPT_CONSOLE_SOCKET:
		c->console_socket = o->value;
		return 1;
	case HUSK_OPT_PIDFD_SOCKET:
		c->pidfd_socket = o->value;
		return 1;
	case HUSK_OPT_PID_FILE:
		c->pid_file = o->value;
		return 1;
	case HUSK_OPT_NO_PIVOT:
		c->no_pivot = true;
		return 1;
	case HUSK_OPT_NO_NEW_KEYRING:
		c->no_new_keyring = true;
		return 1;
	case HUSK_OPT_PRESERVE_FDS:
		return husk_cmd_parse_uint("--preserve-fds", o->value, &c->preserve_fds, err) < 0
			       ? -1
			       : 1;
	case HUSK_OPT_OUTPUT_FILE:
		m->output_file = o->value;
		return 1;
	case HUSK_OPT_OUTPUT_MAX:
		return parse_output_max(o->value, &m->output_max, err) < 0 ? -1 : 1;
	default:
		return 0;
	}
}

int husk_cmd_check_monitor(const char *verb, const husk_run_opts_t *r, const husk_monitor_opts_t *m,
			   husk_error_t *err)
{
	bool active = m->enabled && (r == NULL || r->detach);

	if (!active && (m->output_file != NULL || m->output_max > 0)) {
		return husk_error_make(err, 0, "%s: --output-file and --output-max need %s", verb,
				       r == NULL ? "--monitor" : "--detach and a monitor");
	}
	return 0;
}

static int criu_choice(const husk_opt_t *o, husk_criu_opts_t *c, husk_error_t *err)
{
	static const char *const modes[] = { "soft", "full", "strict", "ignore", NULL };

	if (o->flag->id == HUSK_OPT_CRIU_EMPTY_NS) {
		/* runc takes runtime-spec names; CRIU can leave only the
		 * network namespace unconfigured. */
		if (strcmp(o->value, "network") != 0) {
			return husk_error_make(err, 0,
					       "--empty-ns `%s`: only the network namespace can "
					       "be restored empty",
					       o->value);
		}
		c->empty_netns = true;
		return 1;
	}
	for (size_t i = 0; modes[i] != NULL; i++) {
		if (strcmp(o->value, modes[i]) == 0) {
			c->manage_cgroups_mode = modes[i];
			return 1;
		}
	}
	return husk_error_make(err, 0, "--manage-cgroups-mode `%s`: soft, full, strict or ignore",
			       o->value);
}

int husk_cmd_criu_flag(const husk_opt_t *o, husk_criu_opts_t *c, husk_error_t *err)
{
	switch (o->flag->id) {
	case HUSK_OPT_CRIU_IMAGE_PATH:
		c->image_path = o->value;
		return 1;
	case HUSK_OPT_CRIU_WORK_PATH:
		c->work_path = o->value;
		return 1;
	case HUSK_OPT_CRIU_TCP_ESTABLISHED:
		c->tcp_established = true;
		return 1;
	case HUSK_OPT_CRIU_EXT_UNIX_SK:
		c->ext_unix_sk = true;
		return 1;
	case HUSK_OPT_CRIU_SHELL_JOB:
		c->shell_job = true;
		return 1;
	case HUSK_OPT_CRIU_FILE_LOCKS:
		c->file_locks = true;
		return 1;
	case HUSK_OPT_CRIU_LAZY_PAGES:
		c->lazy_pages = true;
		return 1;
	case HUSK_OPT_CRIU_AUTO_DEDUP:
		c->auto_dedup = true;
		return 1;
	case HUSK_OPT_CRIU_MANAGE_CGROUPS_MODE:
	case HUSK_OPT_CRIU_EMPTY_NS:
		return criu_choice(o, c, err);
	default:
		return 0;
	}
}
