"""Drives examples/bridge/fanout_bridge.py against a running fanout, for BridgePythonTest.

    python3 bridge_scenarios.py BRIDGE_PORT HTTP_PORT TARGET_URL KIND

Prints one JSON line per scenario: fetch, refused, handler. Exits non-zero on any surprise.
"""

import json
import os
import sys
import urllib.request

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "..", "..", "examples", "bridge"))

from fanout_bridge import BridgeError, FanoutBridge  # noqa: E402


def report(name, **fields):
    print(json.dumps(dict(fields, scenario=name)), flush=True)


def fetch(bus, target):
    result = bus.request("fanout.fetch", {"url": target})
    report("fetch", ok=result["ok"], status=result["status"], bytes=result["bytes"])


def refused(bus):
    try:
        bus.request("fanout.jobs.cancel", {"id": 1})
        report("refused", refused=None)
    except BridgeError as e:
        report("refused", refused=str(e))
    bus.send_frame({"type": "register", "address": "fanout.job.not-listed"})
    report("refusedRegister", refused=bus.read_frame().get("message"))


def enqueue(http_port, jobs):
    req = urllib.request.Request("http://127.0.0.1:%d/v1/jobs" % http_port,
                                 data=json.dumps({"jobs": jobs}).encode("utf-8"),
                                 headers={"Content-Type": "application/json"}, method="POST")
    with urllib.request.urlopen(req, timeout=30) as resp:
        return json.loads(resp.read())


def handler(bus, http_port, kind):
    bus.register_handler(kind)
    created = enqueue(http_port, [{"kind": kind, "payload": {"n": n, "fail": n == 3}} for n in (1, 2, 3)])
    handled = []

    def double(job):
        p = job["payload"]
        handled.append({"id": job["id"], "attempt": job["attempt"]})
        if p["fail"] and job["attempt"] == 1:
            raise RuntimeError("asked to fail")
        return {"doubled": 2 * p["n"]}

    bus.serve(double, count=4)  # three jobs, one of them twice
    report("handler", batch=created["batch"], ids=created["ids"], handled=handled)


def main():
    bridge_port, http_port, target, kind = int(sys.argv[1]), int(sys.argv[2]), sys.argv[3], sys.argv[4]
    with FanoutBridge("127.0.0.1", bridge_port, timeout=60) as bus:
        fetch(bus, target)
        handler(bus, http_port, kind)
    with FanoutBridge("127.0.0.1", bridge_port, timeout=60) as bus:
        refused(bus)  # last: the bridge answers a refused register without an address


if __name__ == "__main__":
    main()
