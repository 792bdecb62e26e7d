/* husk init: the container's terminal. */
#include "init/tty.h"
#include "util/sendfd.h"

#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include "util/cleanup.h"

#ifndef TIOCGPTPEER
#define TIOCGPTPEER _IO('T', 0x41)
#endif

int husk_tty_setup_stdio(int master, const husk_console_size_t *size, husk_error_t *err)
{
	_cleanup_close_ int peer = -1;

	if (size != NULL) {
		struct winsize ws = { .ws_row = (unsigned short) size->height,
				      .ws_col = (unsigned short) size->width };

		if (ioctl(master, TIOCSWINSZ, &ws) < 0) {
			return husk_error_errno(err, "set the console size");
		}
	}
	/* The init leads its own session already (init/init.c), so the pty
	 * can become its controlling terminal. */
	peer = ioctl(master, TIOCGPTPEER, O_RDWR | O_NOCTTY | O_CLOEXEC);
	if (peer < 0) {
		return husk_error_errno(err, "open the console's peer");
	}
	if (ioctl(peer, TIOCSCTTY, 0) < 0) {
		return husk_error_errno(err, "make the console the controlling terminal");
	}
	for (int fd = 0; fd < 3; fd++) {
		if (dup3(peer, fd, 0) < 0) {
			return husk_error_errno(err, "make the console fd %d", fd);
		}
	}
	return 0;
}

int husk_tty_send_master(const char *path, int master, husk_error_t *err)
{
	/* runc sends the pty's name as the message; receivers ignore it or
	 * log it. */
	return husk_sendfd("--console-socket", path, master, "/dev/ptmx", err);
}

int husk_tty_make_raw(int fd, husk_tty_saved_t *saved, husk_error_t *err)
{
	struct termios raw;

	saved->raw = false;
	if (!isatty(fd)) {
		return 0; /* a pipe or a file: nothing to put in raw mode */
	}
	if (tcgetattr(fd, &saved->termios) < 0) {
		return husk_error_errno(err, "read the terminal's mode");
	}
	raw = saved->termios;
	cfmakeraw(&raw);
	if (tcsetattr(fd, TCSANOW, &raw) < 0) {
		return husk_error_errno(err, "put the terminal in raw mode");
	}
	saved->raw = true;
	return 0;
}

void husk_tty_restore(int fd, const husk_tty_saved_t *saved)
{
	if (saved->raw) {
		tcsetattr(fd, TCSANOW, &saved->termios);
	}
}

void husk_tty_copy_size(int from, int master)
{
	struct winsize ws;

	if (ioctl(from, TIOCGWINSZ, &ws) == 0) {
		ioctl(master, TIOCSWINSZ, &ws);
	}
}

long husk_tty_pump(int in, int out)
{
	char buf[8192];
	ssize_t n = read(in, buf, sizeof(buf));

	if (n < 0) {
		/* A pty master reads EIO once the last peer is closed. */
		return errno == EIO ? 0 : -1;
	}
	for (ssize_t off = 0; off < n;) {
		ssize_t w = write(out, buf + off, (size_t) (n - off));

		if (w < 0) {
			if (errno == EINTR) {
				continue;
			}
			return -1;
		}
		off += w;
	}
	return (long) n;
}
