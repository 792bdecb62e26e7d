#!/usr/bin/python3
"""tests/cri/registry.py: the CRI lane's own image registry.

    registry.py ADDRESS:PORT LOG NAME:TAG=ROOTFS_TAR=ARGS_JSON...

containerd 1.6's CRI plugin resolves every PullImage against a registry, even
for an image it already has; the lane's images come from this one, serving on
loopback inside the lane's own network namespace.  Each NAME:TAG is an OCI
image of one uncompressed layer, ROOTFS_TAR (the test rootfs), whose config
runs ARGS_JSON (a JSON array).  It answers the read side of the OCI
distribution API (GET and HEAD of /v2/, manifests by tag or digest, blobs by
digest) and nothing else, and writes one line per request to LOG, so a test
can see that a pull reached it.
"""
import hashlib
import http.server
import json
import os
import sys

MANIFEST = "application/vnd.oci.image.manifest.v1+json"
CONFIG = "application/vnd.oci.image.config.v1+json"
LAYER = "application/vnd.oci.image.layer.v1.tar"


def digest_of_file(path):
    h = hashlib.sha256()
    with open(path, "rb") as f:
        for chunk in iter(lambda: f.read(1 << 20), b""):
            h.update(chunk)
    return "sha256:" + h.hexdigest()


class Store:
    """Blobs by digest (bytes in memory, or a file's path) and tags."""

    def __init__(self):
        self.blobs = {}
        self.tags = {}  # (name, tag) -> manifest digest
        self.manifests = set()

    def add_bytes(self, data):
        d = "sha256:" + hashlib.sha256(data).hexdigest()
        self.blobs[d] = data
        return d, len(data)

    def add_image(self, ref, rootfs_tar, args):
        name, tag = ref.rsplit(":", 1)
        layer = digest_of_file(rootfs_tar)
        self.blobs[layer] = rootfs_tar
        config = {
            "architecture": "amd64",
            "os": "linux",
            "config": {"Cmd": args, "WorkingDir": "/"},
            "rootfs": {"type": "layers", "diff_ids": [layer]},
        }
        cd, cs = self.add_bytes(json.dumps(config).encode())
        manifest = {
            "schemaVersion": 2,
            "mediaType": MANIFEST,
            "config": {"mediaType": CONFIG, "digest": cd, "size": cs},
            "layers": [
                {"mediaType": LAYER, "digest": layer, "size": os.path.getsize(rootfs_tar)}
            ],
        }
        md, _ = self.add_bytes(json.dumps(manifest).encode())
        self.manifests.add(md)
        self.tags[(name, tag)] = md

    def manifest(self, name, ref):
        if ref.startswith("sha256:"):
            return ref if ref in self.manifests else None
        return self.tags.get((name, ref))


class Handler(http.server.BaseHTTPRequestHandler):
    store = None
    log = None

    def log_message(self, fmt, *args):
        self.log.write("%s %s\n" % (self.command, self.path))
        self.log.flush()

    def reply(self, code, body=b"", ctype="application/json", digest=None, size=None):
        self.send_response(code)
        self.send_header("Docker-Distribution-API-Version", "registry/2.0")
        self.send_header("Content-Type", ctype)
        self.send_header("Content-Length", str(len(body) if size is None else size))
        if digest:
            self.send_header("Docker-Content-Digest", digest)
        self.end_headers()
        if self.command != "HEAD" and isinstance(body, bytes):
            self.wfile.write(body)

    def unknown(self, code):
        err = {"errors": [{"code": code, "message": "unknown to the husk test registry"}]}
        self.reply(404, json.dumps(err).encode())

    def blob(self, digest, ctype):
        data = self.store.blobs[digest]
        if isinstance(data, bytes):
            return self.reply(200, data, ctype, digest)
        self.reply(200, None, ctype, digest, os.path.getsize(data))
        if self.command == "HEAD":
            return None
        with open(data, "rb") as f:
            for chunk in iter(lambda: f.read(1 << 20), b""):
                self.wfile.write(chunk)
        return None

    def do_GET(self):
        parts = self.path.split("?")[0].strip("/").split("/")
        if parts == ["v2"]:
            return self.reply(200, b"{}")
        if len(parts) < 4 or parts[0] != "v2" or parts[-2] not in ("manifests", "blobs"):
            return self.unknown("NAME_UNKNOWN")
        name, kind, ref = "/".join(parts[1:-2]), parts[-2], parts[-1]
        if kind == "manifests":
            d = self.store.manifest(name, ref)
            return self.blob(d, MANIFEST) if d else self.unknown("MANIFEST_UNKNOWN")
        if ref in self.store.blobs:
            return self.blob(ref, "application/octet-stream")
        return self.unknown("BLOB_UNKNOWN")

    do_HEAD = do_GET


def main(argv):
    if len(argv) < 4:
        print("usage: registry.py ADDRESS:PORT LOG NAME:TAG=ROOTFS_TAR=ARGS_JSON...", file=sys.stderr)
        return 2
    host, port = argv[1].rsplit(":", 1)
    store = Store()
    for spec in argv[3:]:
        ref, tar, args = spec.split("=", 2)
        store.add_image(ref, tar, json.loads(args))
    Handler.store = store
    Handler.log = open(argv[2], "a", encoding="utf-8")
    server = http.server.ThreadingHTTPServer((host, int(port)), Handler)
    server.daemon_threads = True
    server.serve_forever()
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
