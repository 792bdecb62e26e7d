/* husk init: the container's terminal (process.terminal).
 *
 * The pty is allocated inside the container, from its own devpts
 * (rootfs/devices.c binds the peer at /dev/console and hands back the
 * master), so the container never sees a host pty.  The init makes the peer
 * its controlling terminal and stdio; the master travels to the parent over
 * the sync socket and from there either to the caller's --console-socket
 * (SCM_RIGHTS, as runc sends it: containerd and conmon read it that way) or,
 * for `run` in the foreground, is relayed to the caller's own terminal.
 */
#ifndef HUSK_INIT_TTY_H
#define HUSK_INIT_TTY_H

#include <stdbool.h>
#include <termios.h>

#include "spec/config.h"
#include "util/error.h"

/* Init: make the pty of MASTER the controlling terminal (new session) and
 * fds 0, 1 and 2, sized as SIZE says when it is not NULL. */
int husk_tty_setup_stdio(int master, const husk_console_size_t *size, husk_error_t *err);

/* Parent: connect to the unix socket at PATH and send MASTER over it. */
int husk_tty_send_master(const char *path, int master, husk_error_t *err);

/* The caller's terminal in raw mode while `run` relays, restored after. */
typedef struct husk_tty_saved_s {
	bool raw;
	struct termios termios;
} husk_tty_saved_t;

int husk_tty_make_raw(int fd, husk_tty_saved_t *saved, husk_error_t *err);
void husk_tty_restore(int fd, const husk_tty_saved_t *saved);

/* Copy the window size of FROM (the caller's terminal) to the pty MASTER. */
void husk_tty_copy_size(int from, int master);

/* Move what is readable on IN to OUT.  Returns the bytes moved, 0 at end of
 * file (or a hung-up pty), -1 on error with errno set. */
long husk_tty_pump(int in, int out);

#endif
