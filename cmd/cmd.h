/* husk CLI: flags into plain values, one library entry point per verb.
 *
 * Nothing under cmd/ makes a system call of its own: it parses, then calls
 * the library.  Each verb is one table (husk_verb_t) that says everything
 * about its command line: the flags getopt is given, and the text of
 * `--help`, of the man pages and of the bash completion, all printed from
 * that same table, so what husk parses and what it says it parses cannot
 * disagree.
 */
#ifndef HUSK_CMD_CMD_H
#define HUSK_CMD_CMD_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

#include "util/cleanup.h"
#include "util/error.h"
#include "util/log.h"

struct husk_global_s {
	const char *root; /* --root: the state directory */
	const char *log;  /* --log FILE, NULL for stderr */
	enum husk_log_format log_format;
	bool debug;
	bool systemd_cgroup;        /* --systemd-cgroup */
	int rootless;               /* --rootless true|false|auto: enum husk_rootless */
	const char *cgroup_manager; /* --cgroup-manager cgroupfs|systemd|disabled (crun's flag) */
	const char *criu;           /* --criu PATH: CRIU's binary (runc's flag) */
};
typedef struct husk_global_s husk_global_t;

/* One flag.  getopt_long_only() takes --NAME and -NAME alike, as runc's Go
 * flag package does (go-runc sends `-no-subreaper`), and --NAME=VALUE. */
typedef struct husk_flag_s {
	const char *name;
	char letter;      /* -L as well, or 0 */
	const char *arg;  /* the value's name ("FILE"; "a|b" lists the choices); NULL: no value */
	int id;           /* what the verb's switch sees */
	const char *help; /* what it does, a sentence or two */
	const char *def;  /* the default, where there is one worth saying */
	bool repeat;      /* may be given more than once, each adding to the last */
} husk_flag_t;

/* A flag as the command line gave it. */
typedef struct husk_opt_s {
	const husk_flag_t *flag;
	char *value; /* NULL for a flag without one (a word of argv, which may be cut) */
} husk_opt_t;

struct husk_verb_s;

/* A verb's command line, parsed by its table (husk_cmd_parse()). */
typedef struct husk_args_s {
	const struct husk_verb_s *verb;
	husk_opt_t *opts; /* in the order given */
	size_t n_opts;
	int argc; /* the operands after the flags */
	char **argv;
	bool help; /* -h or --help was given: print the help, do nothing else */
} husk_args_t;

/* A verb: returns <0 on failure, else husk's exit status (0 for most). */
typedef int (*husk_cmd_fn)(husk_global_t *g, const husk_args_t *a, husk_error_t *err);

typedef struct husk_verb_s {
	const char *name;
	husk_cmd_fn fn;
	const char *summary;      /* one line, for `husk help` and the man page's NAME */
	const char *operands;     /* what follows the flags in the usage line, or NULL */
	const husk_flag_t *flags; /* ended by a NULL name; NULL when it has none */
	const char *about;        /* what it does: paragraphs, a blank line between */
	const char *exit_status;  /* what husk's exit status says; NULL: 0, or 1 on an error */
	int section;              /* of its man page: 8, 1 for a page written for scripts */
	int usage_status;         /* the exit status for a command line it refuses; 0 means 1 */
	bool seal;                /* starts processes in a container: run from a sealed binary */
} husk_verb_t;

/* Every verb, in the order `husk help` lists them, NULL-terminated. */
extern const husk_verb_t *const husk_verbs[];
/* The global flags, before the verb (cmd/main.c). */
/* The global flags' ids (their table is in cmd/help.c). */
enum {
	HUSK_GLOBAL_ROOT = 1,
	HUSK_GLOBAL_LOG,
	HUSK_GLOBAL_LOG_FORMAT,
	HUSK_GLOBAL_DEBUG,
	HUSK_GLOBAL_SYSTEMD_CGROUP,
	HUSK_GLOBAL_ROOTLESS,
	HUSK_GLOBAL_CRIU,
	HUSK_GLOBAL_CGROUP_MANAGER,
	HUSK_GLOBAL_VERSION,
};

extern const husk_flag_t husk_global_flags[];
/* What every verb also takes: -h, --help. */
extern const husk_flag_t husk_help_flag;

/* The verb called NAME, or NULL. */
const husk_verb_t *husk_verb_find(const char *name);

/* Parse ARGV (ARGV[0] is the verb's name, or husk's for the global flags)
 * by FLAGS, stopping at the first operand or `--`, into A (whose opts the
 * caller frees).  VERB names whose flags these are in errors, NULL for the
 * global ones; a flag that is not in FLAGS, or lacks its value, is one
 * error that names it and points at --help. */
int husk_cmd_parse(const husk_verb_t *verb, const husk_flag_t *flags, int argc, char **argv,
		   husk_args_t *a, husk_error_t *err);

/* Help on OUT: husk's own (the global flags and the verbs), or VERB's. */
void husk_help_print(FILE *out);
void husk_help_verb(FILE *out, const husk_verb_t *verb);

/* Verbs, one file each under cmd/. */
extern const husk_verb_t husk_verb_version;
extern const husk_verb_t husk_verb_spec;
extern const husk_verb_t husk_verb_features;
extern const husk_verb_t husk_verb_create;
extern const husk_verb_t husk_verb_start;
extern const husk_verb_t husk_verb_run;
extern const husk_verb_t husk_verb_state;
extern const husk_verb_t husk_verb_wait;
extern const husk_verb_t husk_verb_kill;
extern const husk_verb_t husk_verb_delete;
extern const husk_verb_t husk_verb_list;
extern const husk_verb_t husk_verb_pause;
extern const husk_verb_t husk_verb_resume;
extern const husk_verb_t husk_verb_ps;
extern const husk_verb_t husk_verb_exec;
extern const husk_verb_t husk_verb_update;
extern const husk_verb_t husk_verb_events;
extern const husk_verb_t husk_verb_checkpoint;
extern const husk_verb_t husk_verb_restore;
extern const husk_verb_t husk_verb_sandbox;
extern const husk_verb_t husk_verb_help;

#endif
