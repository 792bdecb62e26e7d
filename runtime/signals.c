/* husk runtime: signal names, as `kill` takes them. */
#include "runtime/husk.h"

#include <ctype.h>
#include <errno.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "util/num.h"

static const struct {
	const char *name;
	int signo;
} signal_names[] = {
	{ "HUP", SIGHUP },       { "INT", SIGINT },   { "QUIT", SIGQUIT },     { "ILL", SIGILL },
	{ "TRAP", SIGTRAP },     { "ABRT", SIGABRT }, { "IOT", SIGIOT },       { "BUS", SIGBUS },
	{ "FPE", SIGFPE },       { "KILL", SIGKILL }, { "USR1", SIGUSR1 },     { "SEGV", SIGSEGV },
	{ "USR2", SIGUSR2 },     { "PIPE", SIGPIPE }, { "ALRM", SIGALRM },     { "TERM", SIGTERM },
	{ "STKFLT", SIGSTKFLT }, { "CHLD", SIGCHLD }, { "CONT", SIGCONT },     { "STOP", SIGSTOP },
	{ "TSTP", SIGTSTP },     { "TTIN", SIGTTIN }, { "TTOU", SIGTTOU },     { "URG", SIGURG },
	{ "XCPU", SIGXCPU },     { "XFSZ", SIGXFSZ }, { "VTALRM", SIGVTALRM }, { "PROF", SIGPROF },
	{ "WINCH", SIGWINCH },   { "IO", SIGIO },     { "POLL", SIGPOLL },     { "PWR", SIGPWR },
	{ "SYS", SIGSYS },
};

static int parse_number(const char *s, int *out)
{
	uint64_t v;

	if (husk_parse_u64(s, 1000, &v) < 0) {
		return -1;
	}
	*out = (int) v;
	return 0;
}

static int parse_realtime(const char *s)
{
	int off = 0;

	if (strncasecmp(s, "RTMIN", 5) == 0) {
		if (s[5] == '\0' || (s[5] == '+' && parse_number(s + 6, &off) == 0)) {
			return SIGRTMIN + off;
		}
	} else if (strncasecmp(s, "RTMAX", 5) == 0) {
		if (s[5] == '\0' || (s[5] == '-' && parse_number(s + 6, &off) == 0)) {
			return SIGRTMAX - off;
		}
	}
	return -1;
}

int husk_signal_parse(const char *s, husk_error_t *err)
{
	const char *name = strncasecmp(s, "SIG", 3) == 0 ? s + 3 : s;
	int signo = -1;

	if (isdigit((unsigned char) s[0])) {
		if (parse_number(s, &signo) < 0) {
			signo = -1;
		}
	} else {
		for (size_t i = 0; i < sizeof(signal_names) / sizeof(signal_names[0]); i++) {
			if (strcasecmp(name, signal_names[i].name) == 0) {
				signo = signal_names[i].signo;
				break;
			}
		}
		if (signo < 0) {
			signo = parse_realtime(name);
		}
	}
	if (signo <= 0 || signo > SIGRTMAX) {
		return husk_error_make(err, 0, "invalid signal `%s`", s);
	}
	return signo;
}
