/* husk init: the parent/child sync channel.
 *
 * The parent and the container init talk over a SOCK_SEQPACKET socketpair, so
 * every send is one message and message boundaries survive.  A message is a
 * type, an errno, and up to HUSK_SYNC_MAX_DATA bytes of payload; one
 * descriptor may ride along with SCM_RIGHTS.  A failure in the child travels
 * as HUSK_SYNC_ERROR {errno, text} and the parent reports it as its own, so
 * the user sees one clean line whichever process failed.
 */
#ifndef HUSK_INIT_SYNC_H
#define HUSK_INIT_SYNC_H

#include <stddef.h>

#include "util/error.h"

#define HUSK_SYNC_MAX_DATA 4096

enum husk_sync_type {
	HUSK_SYNC_ERROR = 1,      /* the sender failed: errno and message follow */
	HUSK_SYNC_FD,             /* a descriptor rides along (pty master, notify fd, mount fd) */
	HUSK_SYNC_READY,          /* the sender finished the current stage */
	HUSK_SYNC_USERMAP_DONE,   /* parent: id maps written, the init may act as root */
	HUSK_SYNC_CREATED,        /* init: setup done; it now blocks on exec.fifo */
	HUSK_SYNC_PRE_PIVOT,      /* init: mounts ready, paused before pivot_root for hooks */
	HUSK_SYNC_PRE_PIVOT_DONE, /* parent: createRuntime hooks ran; payload: init's host pid */
	HUSK_SYNC_PID,            /* exec: the process is born; payload: its pid */
};

/* A connected pair: [0] for the parent, [1] for the child.  Both close-on-exec. */
int husk_sync_pair(int fds[2], husk_error_t *err);

/* Send one message.  PASS_FD < 0 sends none. */
int husk_sync_send(int sock, enum husk_sync_type type, const void *data, size_t len, int pass_fd,
		   husk_error_t *err);

/* Child side: forward E to the peer as HUSK_SYNC_ERROR.  Best effort (the
 * peer may be gone); returns -1. */
int husk_sync_send_error(int sock, husk_error_t e);

/* Receive one message that must be of TYPE.  DATA (may be NULL) receives up
 * to *LEN bytes and *LEN is set to what arrived; RECV_FD (may be NULL)
 * receives a passed descriptor, close-on-exec, or -1.  If the peer sent
 * HUSK_SYNC_ERROR, *err becomes the peer's error, errno included.  The peer
 * closing its end is an error that says so. */
int husk_sync_expect(int sock, enum husk_sync_type type, void *data, size_t *len, int *recv_fd,
		     husk_error_t *err);

/* The same for a message of TYPE or OTHER; *GOT (may be NULL) says which. */
int husk_sync_expect_either(int sock, enum husk_sync_type type, enum husk_sync_type other,
			    enum husk_sync_type *got, void *data, size_t *len, int *recv_fd,
			    husk_error_t *err);

#endif
