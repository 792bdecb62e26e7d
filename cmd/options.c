/* husk CLI: option parsing shared by the verbs. */
#include "cmd/options.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

int husk_cmd_bad_option(const char *verb, int c, char **argv, husk_error_t *err)
{
	if (c == ':') {
		return husk_error_make(err, 0, "%s: flag `%s` needs a value", verb,
				       argv[optind - 1]);
	}
	return husk_error_make(err, 0, "%s: unknown flag `%s`", verb, argv[optind - 1]);
}

int husk_cmd_take_id(const char *verb, int argc, char **argv, int max_extra, const char **id,
		     husk_error_t *err)
{
	int left = argc - optind;

	if (left < 1) {
		return husk_error_make(err, 0, "%s: a container id is required", verb);
	}
	if (left - 1 > max_extra) {
		return husk_error_make(err, 0, "%s: unexpected argument `%s`", verb,
				       argv[optind + 1 + max_extra]);
	}
	*id = argv[optind];
	return 0;
}

int husk_cmd_parse_uint(const char *flag, const char *s, int *out, husk_error_t *err)
{
	char *end;
	long v;

	errno = 0;
	v = strtol(s, &end, 10);
	if (s[0] < '0' || s[0] > '9' || errno != 0 || *end != '\0' || v > 1 << 20) {
		return husk_error_make(err, 0, "%s: invalid value `%s`: expected a number", flag,
				       s);
	}
	*out = (int) v;
	return 0;
}

enum {
	OPT_BUNDLE = 256,
	OPT_CONSOLE_SOCKET,
	OPT_PID_FILE,
	OPT_NO_PIVOT,
	OPT_NO_NEW_KEYRING,
	OPT_PRESERVE_FDS,
	OPT_DETACH,
	OPT_KEEP,
	OPT_NO_SUBREAPER,
	OPT_MONITOR,
	OPT_NO_MONITOR,
	OPT_OUTPUT_FILE,
	OPT_OUTPUT_MAX,
};

/* The monitor's flags make sense only where there is one. */
static int check_monitor(const char *verb, const husk_run_opts_t *r, const husk_monitor_opts_t *m,
			 husk_error_t *err)
{
	bool active = m->enabled && (r == NULL || r->detach);

	if (!active && (m->output_file != NULL || m->output_max > 0)) {
		return husk_error_make(err, 0, "%s: --output-file and --output-max need %s", verb,
				       r == NULL ? "--monitor" : "--detach and a monitor");
	}
	return 0;
}

int husk_cmd_parse_create(husk_global_t *g, int argc, char **argv, husk_create_opts_t *o,
			  husk_run_opts_t *r, husk_monitor_opts_t *m, husk_error_t *err)
{
	static const struct option opts[] = {
		{ "bundle", required_argument, NULL, 'b' },
		{ "console-socket", required_argument, NULL, OPT_CONSOLE_SOCKET },
		{ "pid-file", required_argument, NULL, OPT_PID_FILE },
		{ "no-pivot", no_argument, NULL, OPT_NO_PIVOT },
		{ "no-new-keyring", no_argument, NULL, OPT_NO_NEW_KEYRING },
		{ "preserve-fds", required_argument, NULL, OPT_PRESERVE_FDS },
		{ "detach", no_argument, NULL, 'd' },
		{ "keep", no_argument, NULL, OPT_KEEP },
		{ "no-subreaper", no_argument, NULL, OPT_NO_SUBREAPER },
		{ "monitor", no_argument, NULL, OPT_MONITOR },
		{ "no-monitor", no_argument, NULL, OPT_NO_MONITOR },
		{ "output-file", required_argument, NULL, OPT_OUTPUT_FILE },
		{ "output-max", required_argument, NULL, OPT_OUTPUT_MAX },
		{ NULL, 0, NULL, 0 },
	};
	const char *verb = argv[0];
	int c;

	*o = (husk_create_opts_t){ .root = g->root,
				   .cgroup_manager = g->cgroup_manager,
				   .rootless = g->rootless };
	*m = (husk_monitor_opts_t){ .enabled = r != NULL }; /* run --detach: on by default */
	while ((c = getopt_long_only(argc, argv, r != NULL ? "+:b:d" : "+:b:", opts, NULL)) != -1) {
		switch (c) {
		case 'b':
			o->bundle = optarg;
			break;
		case OPT_CONSOLE_SOCKET:
			o->console_socket = optarg;
			break;
		case OPT_PID_FILE:
			o->pid_file = optarg;
			break;
		case OPT_NO_PIVOT:
			o->no_pivot = true;
			break;
		case OPT_NO_NEW_KEYRING:
			o->no_new_keyring = true;
			break;
		case OPT_PRESERVE_FDS:
			if (husk_cmd_parse_uint("--preserve-fds", optarg, &o->preserve_fds, err) <
			    0) {
				return -1;
			}
			break;
		case 'd':
		case OPT_KEEP:
		case OPT_NO_SUBREAPER:
			if (r == NULL) {
				return husk_error_make(err, 0, "%s: unknown flag `%s`", verb,
						       argv[optind - 1]);
			}
			r->detach |= c == 'd';
			r->keep |= c == OPT_KEEP;
			r->no_subreaper |= c == OPT_NO_SUBREAPER;
			break;
		case OPT_MONITOR:
		case OPT_NO_MONITOR:
			if ((c == OPT_MONITOR) != (r == NULL)) {
				return husk_error_make(err, 0, "%s: unknown flag `%s`", verb,
						       argv[optind - 1]);
			}
			m->enabled = c == OPT_MONITOR;
			break;
		case OPT_OUTPUT_FILE:
			m->output_file = optarg;
			break;
		case OPT_OUTPUT_MAX: {
			/* Bytes, any size: husk_cmd_parse_uint() stops at 1 MiB,
			 * below the 16 MiB default. */
			char *end;

			errno = 0;
			m->output_max = strtoull(optarg, &end, 10);
			if (optarg[0] < '0' || optarg[0] > '9' || errno != 0 || *end != '\0' ||
			    m->output_max == 0) {
				return husk_error_make(
					err, 0,
					"--output-max: invalid value `%s`: expected a "
					"number of bytes above 0",
					optarg);
			}
			break;
		}
		default:
			return husk_cmd_bad_option(verb, c, argv, err);
		}
	}
	if (check_monitor(verb, r, m, err) < 0) {
		return -1;
	}
	return husk_cmd_take_id(verb, argc, argv, 0, &o->id, err);
}

int husk_cmd_criu_flag(int c, const char *optarg_, husk_criu_opts_t *o, husk_error_t *err)
{
	static const char *const modes[] = { "soft", "full", "strict", "ignore", NULL };

	switch (c) {
	case HUSK_OPT_CRIU_IMAGE_PATH:
		o->image_path = optarg_;
		return 1;
	case HUSK_OPT_CRIU_WORK_PATH:
		o->work_path = optarg_;
		return 1;
	case HUSK_OPT_CRIU_TCP_ESTABLISHED:
		o->tcp_established = true;
		return 1;
	case HUSK_OPT_CRIU_EXT_UNIX_SK:
		o->ext_unix_sk = true;
		return 1;
	case HUSK_OPT_CRIU_SHELL_JOB:
		o->shell_job = true;
		return 1;
	case HUSK_OPT_CRIU_FILE_LOCKS:
		o->file_locks = true;
		return 1;
	case HUSK_OPT_CRIU_LAZY_PAGES:
		o->lazy_pages = true;
		return 1;
	case HUSK_OPT_CRIU_AUTO_DEDUP:
		o->auto_dedup = true;
		return 1;
	case HUSK_OPT_CRIU_MANAGE_CGROUPS_MODE:
		for (size_t i = 0; modes[i] != NULL; i++) {
			if (strcmp(optarg_, modes[i]) == 0) {
				o->manage_cgroups_mode = modes[i];
				return 1;
			}
		}
		return husk_error_make(err, 0,
				       "--manage-cgroups-mode `%s`: soft, full, strict or ignore",
				       optarg_);
	case HUSK_OPT_CRIU_EMPTY_NS:
		/* runc takes runtime-spec names; CRIU can leave only the
		 * network namespace unconfigured. */
		if (strcmp(optarg_, "network") != 0) {
			return husk_error_make(err, 0,
					       "--empty-ns `%s`: only the network namespace can "
					       "be restored empty",
					       optarg_);
		}
		o->empty_netns = true;
		return 1;
	default:
		return 0;
	}
}
