#!/usr/bin/python3
"""tests/cri/cri.py: the kubelet's part in the CRI lane.

    cri.py SOCKET METHOD [REQUEST]

calls METHOD (RunPodSandbox, CreateContainer, PullImage ...) of the CRI v1
RuntimeService or ImageService on containerd's SOCKET with REQUEST, a JSON
object (the argument, or standard input; `{}` when neither), and prints the
response as one JSON object with the fields' proto names (pod_sandbox_id,
exit_code), every field present, defaults included.  ExecSync's stdout and
stderr are printed as text, not base64.  A failed call prints its gRPC status
and details on stderr and exits 1.

The messages come from cri.proto, compiled by protoc into CRI_PB_DIR (the
lane's run-lane.sh does it once).  The calls are made by full method name
(/runtime.v1.RuntimeService/RunPodSandbox), as the kubelet's client does, so
no generated service stubs are needed.
"""
import json
import os
import sys

import grpc
from google.protobuf import json_format

sys.path.insert(0, os.environ.get("CRI_PB_DIR", os.path.dirname(os.path.abspath(__file__))))
import cri_pb2  # noqa: E402  (generated at test time)

IMAGE_METHODS = {"ImageStatus", "PullImage", "RemoveImage"}
TIMEOUT = float(os.environ.get("CRI_TIMEOUT", "120"))


def call(socket, method, request):
    service = "ImageService" if method in IMAGE_METHODS else "RuntimeService"
    req_type = getattr(cri_pb2, method + "Request")
    resp_type = getattr(cri_pb2, method + "Response")
    req = json_format.ParseDict(request, req_type())
    with grpc.insecure_channel("unix://" + socket) as channel:
        stub = channel.unary_unary(
            "/runtime.v1.%s/%s" % (service, method),
            request_serializer=req_type.SerializeToString,
            response_deserializer=resp_type.FromString,
        )
        return stub(req, timeout=TIMEOUT)


def to_json(resp):
    out = json_format.MessageToDict(
        resp, preserving_proto_field_name=True, including_default_value_fields=True
    )
    if isinstance(resp, cri_pb2.ExecSyncResponse):
        out["stdout"] = resp.stdout.decode(errors="replace")
        out["stderr"] = resp.stderr.decode(errors="replace")
    return json.dumps(out, sort_keys=True)


def main(argv):
    if len(argv) not in (3, 4):
        print("usage: cri.py SOCKET METHOD [REQUEST-JSON]", file=sys.stderr)
        return 2
    text = argv[3] if len(argv) == 4 else ("{}" if sys.stdin.isatty() else sys.stdin.read())
    try:
        resp = call(argv[1], argv[2], json.loads(text or "{}"))
    except grpc.RpcError as e:
        print("cri.py: %s: %s: %s" % (argv[2], e.code().name, e.details()), file=sys.stderr)
        return 1
    print(to_json(resp))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
