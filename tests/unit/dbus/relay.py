#!/usr/bin/env python3
"""tests/unit/dbus/relay.py LISTEN TARGET OUTDIR: a unix socket relay that
records a D-Bus session byte for byte.

Each connection made to LISTEN is relayed to the socket TARGET (the system
bus); what the client sent is appended to OUTDIR/N.client and what the bus
sent back to OUTDIR/N.server, N counting connections from 1.  The bus
authenticates the relay's own credentials, so run it as the same user as
the clients.  capture.sh runs it in the systemd VM lane; the files it made
are tests/unit/dbus/*.client and *.server, read by tests/unit/test-dbus.c.
"""
import os
import socket
import sys
import threading


def pump(src, dst, path):
    with open(path, "ab") as out:
        while True:
            data = src.recv(65536)
            if not data:
                break
            out.write(data)
            out.flush()
            dst.sendall(data)
    try:
        dst.shutdown(socket.SHUT_WR)
    except OSError:
        pass


def main():
    listen, target, outdir = sys.argv[1:4]
    srv = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    srv.bind(listen)
    srv.listen(16)
    n = 0
    while True:
        client, _ = srv.accept()
        n += 1
        bus = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        bus.connect(target)
        base = os.path.join(outdir, str(n))
        for src, dst, suffix in ((client, bus, "client"), (bus, client, "server")):
            threading.Thread(target=pump, args=(src, dst, base + "." + suffix),
                             daemon=True).start()


if __name__ == "__main__":
    main()
