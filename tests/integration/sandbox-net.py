#!/usr/bin/python3
"""tests/integration/sandbox-net.py: both ends of sandbox-net.bats.

  serve READY ADDR:PORT...   servers in the test's network namespace: each
                             request is answered "hello from PORT: LINE",
                             LINE its request line, then all it read; READY
                             says "ready" once they listen
  get MODE=HOST:PORT...      in the job: through the proxy of HTTPS_PROXY,
                             CONNECT (MODE connect) or a plain http://
                             request (MODE plain); one line each
  reach ADDR:PORT...         in the job: a direct connection, what it read
  smuggle HOST:PORT          in the job: a plain request with a Host of its
                             own and a second request behind its body
  flood HOST:PORT            in the job: 64 silent connections to the
                             proxy, a 65th, then how the 64 ended
  hold HOST:PORT             in the job: a tunnel held open for ever
"""
import os
import socket
import sys
import threading
import time


def serve_one(conn, port):
    conn.settimeout(5)
    data = b""
    try:
        while b"\r\n\r\n" not in data:
            d = conn.recv(4096)
            if not d:
                return
            data += d
        # Whatever comes after the head within a moment: a second
        # request smuggled behind a body would show here.
        conn.settimeout(0.2)
        try:
            while len(data) < 65536:
                d = conn.recv(4096)
                if not d:
                    break
                data += d
        except socket.timeout:
            pass
        text = data.decode("latin-1")
        print("request from %d: %r" % (port, text), flush=True)
        body = ("hello from %d: %s\n%s" % (port, text.split("\r\n")[0], text)).encode("latin-1")
        conn.sendall(b"HTTP/1.0 200 OK\r\nContent-Length: %d\r\n\r\n" % len(body) + body)
    except OSError:
        pass
    finally:
        conn.close()


def accept_loop(s, port):
    while True:
        conn, _ = s.accept()
        threading.Thread(target=serve_one, args=(conn, port), daemon=True).start()


def serve(ready, addrs):
    threads = []
    for a in addrs:
        host, port = a.rsplit(":", 1)
        s = socket.socket()
        s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        s.bind((host, int(port)))
        s.listen(64)
        threads.append(threading.Thread(target=accept_loop, args=(s, int(port)), daemon=True))
    for t in threads:
        t.start()
    with open(ready, "w") as f:
        f.write("ready")
    while True:
        time.sleep(3600)


def proxy():
    p = os.environ["HTTPS_PROXY"].split("//", 1)[1].rstrip("/")
    host, port = p.rsplit(":", 1)
    return host, int(port)


def read_response(f, tunnel=False):
    """The status code and the body's text, from a file of a socket.
    TUNNEL: the answer to a CONNECT, whose 200 has no body."""
    status = f.readline().decode("latin-1").split(" ")
    length = None
    while True:
        line = f.readline()
        if line in (b"\r\n", b""):
            break
        name, _, value = line.decode("latin-1").partition(":")
        if name.lower() == "content-length":
            length = int(value)
    code = status[1] if len(status) > 1 else "?"
    if tunnel and code == "200":
        return code, ""
    body = f.read(length) if length is not None else f.read()
    return code, body.decode("latin-1")


def get(targets):
    for target in targets:
        mode, t = target.split("=", 1)
        s = socket.create_connection(proxy(), timeout=20)
        f = s.makefile("rb")
        if mode == "connect":
            s.sendall(b"CONNECT %s HTTP/1.1\r\nHost: %s\r\n\r\n" % (t.encode(), t.encode()))
            code, body = read_response(f, tunnel=True)
            if code == "200":
                s.sendall(b"GET /tunnel HTTP/1.1\r\nHost: x\r\n\r\n")
                code, body = read_response(f)
        else:
            s.sendall(b"GET http://%s/plain HTTP/1.1\r\nHost: evil.example\r\n\r\n" % t.encode())
            code, body = read_response(f)
        print("%s %s: %s %s" % (mode, t, code, body.split("\n")[0]), flush=True)
        s.close()


def reach(addrs):
    for a in addrs:
        host, port = a.rsplit(":", 1)
        try:
            c = socket.create_connection((host, int(port)), timeout=2)
            c.sendall(b"GET / HTTP/1.0\r\n\r\n")
            _, body = read_response(c.makefile("rb"))
            print("%s: %s" % (a, body.split(":")[0]), flush=True)
        except Exception as e:  # the kind of failure is the answer
            print("%s: %s" % (a, type(e).__name__), flush=True)


def smuggle(t):
    s = socket.create_connection(proxy(), timeout=20)
    s.sendall(b"GET http://%s/a HTTP/1.1\r\nHost: evil.example\r\nContent-Length: 5\r\n\r\n"
              b"helloGET http://%s/b HTTP/1.1\r\nHost: evil.example\r\n\r\n" % (t.encode(), t.encode()))
    code, body = read_response(s.makefile("rb"))
    print(code, body, flush=True)


def flood(t):
    silent = [socket.create_connection(proxy(), timeout=20) for _ in range(64)]
    t0 = time.monotonic()
    extra = socket.create_connection(proxy(), timeout=5)
    code, _ = read_response(extra.makefile("rb"))
    print("extra: %s" % code, flush=True)
    codes, last = [], 0.0
    for s in silent:
        code, _ = read_response(s.makefile("rb"))
        codes.append(code)
        last = time.monotonic() - t0
    print("silent: %d closed with %s after %.1f s" % (len(codes), ",".join(sorted(set(codes))), last), flush=True)
    s = socket.create_connection(proxy(), timeout=20)
    s.sendall(b"CONNECT %s HTTP/1.1\r\n\r\n" % t.encode())
    f = s.makefile("rb")
    code, _ = read_response(f, tunnel=True)
    s.sendall(b"GET /after HTTP/1.1\r\n\r\n")
    code, body = read_response(f)
    print("after: %s %s" % (code, body.split("\n")[0]), flush=True)


def hold(t):
    s = socket.create_connection(proxy(), timeout=20)
    s.sendall(b"CONNECT %s HTTP/1.1\r\n\r\n" % t.encode())
    s.recv(100)
    time.sleep(3600)


if __name__ == "__main__":
    cmd, args = sys.argv[1], sys.argv[2:]
    if cmd == "serve":
        serve(args[0], args[1:])
    elif cmd == "get":
        get(args)
    elif cmd == "reach":
        reach(args)
    elif cmd == "smuggle":
        smuggle(args[0])
    elif cmd == "flood":
        flood(args[0])
    elif cmd == "hold":
        hold(args[0])
    else:
        sys.exit("unknown command " + cmd)
