/* husk help [--man | --complete] [COMMAND], and the tables the command line
 * is parsed by (the verbs, and the global flags before one): as text for
 * people (--help), as man pages (roff) and as the words the bash completion
 * offers (contrib/completion/husk.bash). */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "cmd/options.h"

#define WIDTH      80 /* of --help's lines */
#define FLAG_WIDTH 30 /* where a flag's help starts */

static const char *const intro =
	"husk is an OCI container runtime.  It runs a container from an OCI bundle (a "
	"config.json and a root filesystem) with runc's command line, errors and log "
	"lines, so that containerd, podman, CRI-O and docker can drive it, and runs jobs "
	"without a bundle in a sandbox with limits (husk sandbox).";

static const char *const global_exit_status =
	"0 on success, 1 on an error (one line on stderr, and in the --log file).  run, "
	"exec, restore and wait exit with the container's or the process's status, and "
	"sandbox with the job's: see their pages.";

/* ---- the tables: the verbs, and the global flags before one ---- */

const husk_verb_t *const husk_verbs[] = {
	&husk_verb_version,  &husk_verb_spec,
	&husk_verb_features, &husk_verb_create,
	&husk_verb_start,    &husk_verb_run,
	&husk_verb_state,    &husk_verb_wait,
	&husk_verb_kill,     &husk_verb_delete,
	&husk_verb_list,     &husk_verb_pause,
	&husk_verb_resume,   &husk_verb_ps,
	&husk_verb_exec,     &husk_verb_update,
	&husk_verb_events,   &husk_verb_checkpoint,
	&husk_verb_restore,  &husk_verb_sandbox,
	&husk_verb_help,     NULL,
};

/* Global flags stop at the verb, so a verb's own flags and the container's
 * argv are never taken for them. */
const husk_flag_t husk_global_flags[] = {
	{ "root", 0, "DIR", HUSK_GLOBAL_ROOT, "where the state of each container is kept",
	  "/run/husk as root; $XDG_RUNTIME_DIR/husk, or /tmp/husk-UID, otherwise" },
	{ "log", 0, "FILE", HUSK_GLOBAL_LOG,
	  "also append log lines to FILE (engines read the last error from it)" },
	{ "log-format", 0, "text|json", HUSK_GLOBAL_LOG_FORMAT,
	  "the --log file's lines: logrus-shaped text, or JSON", "text" },
	{ "debug", 0, NULL, HUSK_GLOBAL_DEBUG, "log debug lines too" },
	{ "systemd-cgroup", 0, NULL, HUSK_GLOBAL_SYSTEMD_CGROUP,
	  "use the systemd cgroup driver (runc's flag; --cgroup-manager systemd): the "
	  "container's cgroup is a transient scope systemd makes, named by "
	  "linux.cgroupsPath as SLICE:PREFIX:NAME; later verbs use the driver the "
	  "container was created with, flag or not" },
	{ "cgroup-manager", 0, "cgroupfs|systemd|disabled", HUSK_GLOBAL_CGROUP_MANAGER,
	  "cgroupfs: cgroups on v1, v2 or hybrid hosts; systemd: as --systemd-cgroup (cgroup "
	  "v2, systemd as PID 1); disabled: the container stays in husk's cgroups, and "
	  "resource limits in its config are an error",
	  "cgroupfs" },
	{ "rootless", 0, "true|false|auto", HUSK_GLOBAL_ROOTLESS,
	  "rootless: cgroups only under a subtree delegated to the caller; auto means "
	  "when not root",
	  "auto" },
	{ "criu", 0, "PATH", HUSK_GLOBAL_CRIU, "CRIU's binary, for checkpoint and restore",
	  "criu on PATH" },
	{ "version", 'v', NULL, HUSK_GLOBAL_VERSION,
	  "print the version and what this build supports" },
	{ NULL },
};

const husk_verb_t *husk_verb_find(const char *name)
{
	for (size_t i = 0; husk_verbs[i] != NULL; i++) {
		if (strcmp(husk_verbs[i]->name, name) == 0) {
			return husk_verbs[i];
		}
	}
	return NULL;
}

/* ---- --help: plain text ---- */

/* Print TEXT's words from column COL on, breaking lines before WIDTH and
 * starting each new one at column INDENT; "\n\n" starts a new paragraph.
 * Returns the column it ended at. */
static int wrap(FILE *out, const char *text, int col, int indent)
{
	const char *p = text;

	while (*p != '\0') {
		size_t len = strcspn(p, " \n");

		if (col > indent && col + 1 + (int) len > WIDTH) {
			col = fprintf(out, "\n%*s", indent, "") - 1;
		} else if (col > indent) {
			col += fprintf(out, " ");
		}
		col += fprintf(out, "%.*s", (int) len, p);
		p += len;
		if (strncmp(p, "\n\n", 2) == 0) {
			col = fprintf(out, "\n\n%*s", indent, "") - 2;
		}
		p += strspn(p, " \n");
	}
	return col;
}

static void help_flag(FILE *out, const husk_flag_t *f)
{
	int col;

	if (f->letter != 0) {
		col = fprintf(out, "  -%c, --%s", f->letter, f->name);
	} else {
		col = fprintf(out, "      --%s", f->name);
	}
	if (f->arg != NULL) {
		col += fprintf(out, " %s", f->arg);
	}
	if (col + 2 > FLAG_WIDTH) {
		col = fprintf(out, "\n%*s", FLAG_WIDTH, "") - 1;
	} else {
		col += fprintf(out, "%*s", FLAG_WIDTH - col, "");
	}
	col = wrap(out, f->help, col, FLAG_WIDTH);
	if (f->def != NULL) {
		col = wrap(out, "(default:", col, FLAG_WIDTH);
		col = wrap(out, f->def, col, FLAG_WIDTH);
		fprintf(out, ")");
	}
	if (f->repeat) {
		wrap(out, "(repeatable)", col, FLAG_WIDTH);
	}
	fprintf(out, "\n");
}

static void help_flags(FILE *out, const char *title, const husk_flag_t *flags)
{
	fprintf(out, "\n%s:\n", title);
	for (size_t i = 0; flags != NULL && flags[i].name != NULL; i++) {
		help_flag(out, &flags[i]);
	}
	help_flag(out, &husk_help_flag);
}

void husk_help_print(FILE *out)
{
	fprintf(out, "usage: husk [global options] COMMAND [options] [arguments]\n\n");
	wrap(out, intro, 0, 0);
	fprintf(out, "\n");
	help_flags(out, "global options", husk_global_flags);
	fprintf(out, "\ncommands:\n");
	for (size_t i = 0; husk_verbs[i] != NULL; i++) {
		fprintf(out, "  %-12s", husk_verbs[i]->name);
		wrap(out, husk_verbs[i]->summary, 14, 14);
		fprintf(out, "\n");
	}
	fprintf(out, "\n");
	wrap(out,
	     "`husk COMMAND --help` or `husk help COMMAND` says more of each; man husk "
	     "and man husk-COMMAND too.",
	     0, 0);
	fprintf(out, "\n");
}

void husk_help_verb(FILE *out, const husk_verb_t *v)
{
	fprintf(out, "usage: husk [global options] %s%s%s%s\n\n", v->name,
		v->flags != NULL ? " [options]" : " [-h]", v->operands != NULL ? " " : "",
		v->operands != NULL ? v->operands : "");
	wrap(out, v->about, 0, 0);
	fprintf(out, "\n");
	help_flags(out, "options", v->flags);
	if (v->exit_status != NULL) {
		fprintf(out, "\nexit status:\n  ");
		wrap(out, v->exit_status, 2, 2);
		fprintf(out, "\n");
	}
}

/* ---- --man: roff (man(7)) ---- */

/* TEXT for roff: backslashes and dashes escaped, a line never starting
 * with a control character, `code` in bold, "\n\n" a new paragraph. */
static void roff_escape(FILE *out, const char *text)
{
	bool bold = false, line_start = true;

	for (const char *p = text; *p != '\0'; p++) {
		if (strncmp(p, "\n\n", 2) == 0) {
			fputs("\n.PP\n", out);
			p++;
			line_start = true;
			continue;
		}
		if (line_start && (*p == '.' || *p == '\'')) {
			fputs("\\&", out);
		}
		line_start = *p == '\n';
		if (*p == '`') {
			fputs(bold ? "\\fR" : "\\fB", out);
			bold = !bold;
		} else if (*p == '\\') {
			fputs("\\e", out);
		} else if (*p == '-') {
			fputs("\\-", out);
		} else {
			fputc(*p, out);
		}
	}
}

static void roff_text(FILE *out, const char *text)
{
	roff_escape(out, text);
	fputc('\n', out);
}

/* .TP, then "-L, --NAME ARG" in bold and italics, then what it does. */
static void roff_flag(FILE *out, const husk_flag_t *f)
{
	fputs(".TP\n", out);
	if (f->letter != 0) {
		fprintf(out, "\\fB\\-%c\\fR, ", f->letter);
	}
	fputs("\\fB\\-\\-", out);
	roff_escape(out, f->name);
	fputs("\\fR", out);
	if (f->arg != NULL) {
		fputs(" \\fI", out);
		roff_escape(out, f->arg);
		fputs("\\fR", out);
	}
	fputc('\n', out);
	roff_text(out, f->help);
	if (f->def != NULL) {
		fputs("(default: ", out);
		roff_escape(out, f->def);
		fputs(")\n", out);
	}
	if (f->repeat) {
		fputs("May be given more than once.\n", out);
	}
}

static void roff_flags(FILE *out, const char *title, const husk_flag_t *flags)
{
	fprintf(out, ".SH %s\n", title);
	for (size_t i = 0; flags != NULL && flags[i].name != NULL; i++) {
		roff_flag(out, &flags[i]);
	}
	roff_flag(out, &husk_help_flag);
}

static void roff_header(FILE *out, const char *page, int section)
{
	fprintf(out, ".\\\" Generated by `husk help --man`, from the tables husk parses its "
		     "command line by.\n");
	fprintf(out, ".TH \"");
	for (const char *p = page; *p != '\0'; p++) {
		fputc(*p >= 'a' && *p <= 'z' ? *p - 'a' + 'A' : *p, out);
	}
	fprintf(out, "\" %d \"\" \"husk %s\" \"husk\"\n", section, HUSK_VERSION);
	/* A flag broken at one of its dashes would read as two. */
	fputs(".nh\n", out);
}

static void man_verb(FILE *out, const husk_verb_t *v)
{
	char page[64];

	snprintf(page, sizeof(page), "husk-%s", v->name);
	roff_header(out, page, v->section);
	fprintf(out, ".SH NAME\nhusk\\-%s \\- ", v->name);
	roff_text(out, v->summary);
	fprintf(out, ".SH SYNOPSIS\n.B husk\n[\\fIglobal options\\fR]\n.B %s\n", v->name);
	fprintf(out, "[\\fIoptions\\fR]%s", v->operands != NULL ? " " : "\n");
	if (v->operands != NULL) {
		roff_text(out, v->operands);
	}
	fprintf(out, ".SH DESCRIPTION\n");
	roff_text(out, v->about);
	roff_flags(out, "OPTIONS", v->flags);
	fprintf(out, ".SH \"EXIT STATUS\"\n");
	roff_text(out, v->exit_status != NULL ? v->exit_status
					      : "0 on success, 1 on an error (one line on "
						"stderr, and in the --log file).");
	fprintf(out, ".SH \"SEE ALSO\"\n.BR husk (8)\n");
}

static void man_husk(FILE *out)
{
	roff_header(out, "husk", 8);
	fprintf(out, ".SH NAME\nhusk \\- an OCI container runtime\n");
	fprintf(out, ".SH SYNOPSIS\n.B husk\n[\\fIglobal options\\fR] \\fICOMMAND\\fR "
		     "[\\fIoptions\\fR] [\\fIarguments\\fR]\n");
	fprintf(out, ".SH DESCRIPTION\n");
	roff_text(out, intro);
	roff_flags(out, "\"GLOBAL OPTIONS\"", husk_global_flags);
	fprintf(out, ".SH COMMANDS\n");
	for (size_t i = 0; husk_verbs[i] != NULL; i++) {
		fprintf(out, ".TP\n.BR husk\\-%s (%d)\n", husk_verbs[i]->name,
			husk_verbs[i]->section);
		roff_text(out, husk_verbs[i]->summary);
	}
	fprintf(out, ".SH \"EXIT STATUS\"\n");
	roff_text(out, global_exit_status);
	fprintf(out, ".SH FILES\n.TP\n.I /run/husk\n");
	roff_text(out, "The state of each container (--root), as root; $XDG_RUNTIME_DIR/husk, "
		       "or /tmp/husk-UID, otherwise.");
	fprintf(out, ".SH \"SEE ALSO\"\n");
	for (size_t i = 0; husk_verbs[i] != NULL; i++) {
		fprintf(out, ".BR husk\\-%s (%d)%s\n", husk_verbs[i]->name, husk_verbs[i]->section,
			husk_verbs[i + 1] != NULL ? "," : "");
	}
}

/* ---- --complete: words for the bash completion ---- */

/* "flag WORD [ARG]" for each spelling of each flag. */
static void complete_flags(FILE *out, const husk_flag_t *flags)
{
	for (size_t i = 0;; i++) {
		const husk_flag_t *f =
			flags != NULL && flags[i].name != NULL ? &flags[i] : &husk_help_flag;

		fprintf(out, "flag --%s%s%s\n", f->name, f->arg ? " " : "", f->arg ? f->arg : "");
		if (f->letter != 0) {
			fprintf(out, "flag -%c%s%s\n", f->letter, f->arg ? " " : "",
				f->arg ? f->arg : "");
		}
		if (f == &husk_help_flag) {
			return;
		}
	}
}

static void complete(FILE *out, const husk_verb_t *v)
{
	if (v != NULL) {
		complete_flags(out, v->flags);
		fprintf(out, "operands %s\n", v->operands != NULL ? v->operands : "");
		return;
	}
	complete_flags(out, husk_global_flags);
	for (size_t i = 0; husk_verbs[i] != NULL; i++) {
		fprintf(out, "command %s\n", husk_verbs[i]->name);
	}
}

/* ---- the verb ---- */

enum {
	OPT_MAN = HUSK_OPT_VERB,
	OPT_COMPLETE,
};

static const husk_flag_t flags[] = {
	{ "man", 0, NULL, OPT_MAN,
	  "print the man page instead, as roff: husk(8), or COMMAND's (what `make` installs)" },
	{ "complete", 0, NULL, OPT_COMPLETE,
	  "print the global flags and the commands, or COMMAND's flags and operands, one a "
	  "line, for the bash completion" },
	{ NULL },
};

static int help(husk_global_t *g, const husk_args_t *a, husk_error_t *err)
{
	const husk_verb_t *v = NULL;
	bool man = false, words = false;

	for (size_t i = 0; i < a->n_opts; i++) {
		man |= a->opts[i].flag->id == OPT_MAN;
		words |= a->opts[i].flag->id == OPT_COMPLETE;
	}
	if (a->argc > 1) {
		return husk_error_make(err, 0, "help: unexpected argument `%s`", a->argv[1]);
	}
	if (a->argc == 1 && (v = husk_verb_find(a->argv[0])) == NULL) {
		return husk_error_make(err, 0, "help: unknown command `%s`: see `husk help`",
				       a->argv[0]);
	}
	if (man && words) {
		return husk_error_make(err, 0, "help: --man and --complete exclude each other");
	}
	if (man) {
		v != NULL ? man_verb(stdout, v) : man_husk(stdout);
	} else if (words) {
		complete(stdout, v);
	} else {
		v != NULL ? husk_help_verb(stdout, v) : husk_help_print(stdout);
	}
	if (fflush(stdout) != 0 || ferror(stdout)) {
		return husk_error_errno(err, "help: write");
	}
	return 0;
}

const husk_verb_t husk_verb_help = {
	.name = "help",
	.fn = help,
	.summary = "print help on husk or on one of its commands",
	.operands = "[COMMAND]",
	.flags = flags,
	.about = "Print what `husk --help` prints, or with COMMAND what `husk COMMAND --help` "
		 "prints: its usage, every flag with its value and default, and what its exit "
		 "status means.",
	.section = 8,
};
