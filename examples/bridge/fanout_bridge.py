"""A client of fanout's TCP event-bus bridge, Python standard library only.

Frames are a 4-byte big-endian length, then that many bytes of UTF-8 JSON:
{"type": "send"|"publish"|"register"|"unregister"|"ping", "address", "replyAddress"?,
 "headers"?, "body"?}. The bridge answers a request with {"type": "message", "address":
<our replyAddress>, "body"} or {"type": "err", "address", "failureCode", "message"}; a job sent
to a kind we registered arrives as {"type": "message", "address": "fanout.job.<kind>",
"replyAddress", "body": <the job>}, and we answer it by sending to its replyAddress.

    with FanoutBridge("127.0.0.1", 7000) as bus:
        result = bus.request("fanout.fetch", {"url": "https://example.com/"})
        bus.register_handler("thumbnail")
        bus.serve(lambda job: {"bytes": len(job["payload"]["url"])})
"""

import itertools
import json
import socket
import struct
from collections import deque

JOB_PREFIX = "fanout.job."


class BridgeError(Exception):
    """An error frame: access denied, a failed request (failureCode), the connection closed."""

    def __init__(self, frame):
        super().__init__(frame.get("message", "error"))
        self.frame = frame
        self.failure_code = frame.get("failureCode")


class Retry(Exception):
    """Raise from a job handler to fail the attempt: the job is retried after a backoff."""


class FanoutBridge:
    """One connection to the bridge. Not thread-safe: use it from one thread."""

    def __init__(self, host="127.0.0.1", port=7000, token=None, timeout=60.0):
        self._sock = socket.create_connection((host, port), timeout=timeout)
        self._token = token  # presented in the first frame's headers (checked once tokens exist)
        self._ids = itertools.count(1)
        self._pending = deque()  # frames read while waiting for something else

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()

    def close(self):
        self._sock.close()

    # --- frames ---
    def send_frame(self, frame):
        if self._token is not None:
            frame = dict(frame, headers={"token": self._token, **frame.get("headers", {})})
            self._token = None
        data = json.dumps(frame).encode("utf-8")
        self._sock.sendall(struct.pack(">I", len(data)) + data)

    def read_frame(self):
        """The next frame; raises BridgeError when the bridge closed the connection."""
        if self._pending:
            return self._pending.popleft()
        (length,) = struct.unpack(">I", self._read_exactly(4))
        return json.loads(self._read_exactly(length).decode("utf-8"))

    def _read_exactly(self, n):
        chunks = []
        while n > 0:
            chunk = self._sock.recv(n)
            if not chunk:
                raise BridgeError({"type": "err", "message": "connection closed"})
            chunks.append(chunk)
            n -= len(chunk)
        return b"".join(chunks)

    # --- requests ---
    def request(self, address, body, timeout_ms=None):
        """Sends body to address and returns the reply's body; raises BridgeError on a failure."""
        reply_address = "py." + str(next(self._ids))
        frame = {"type": "send", "address": address, "replyAddress": reply_address, "body": body}
        if timeout_ms is not None:
            frame["headers"] = {"timeout": timeout_ms}
        self.send_frame(frame)
        skipped = []
        try:
            while True:
                f = self.read_frame()
                if f.get("address") == reply_address:
                    if f["type"] == "err":
                        raise BridgeError(f)
                    return f.get("body")
                if f["type"] == "err" and "address" not in f:
                    raise BridgeError(f)  # access_denied and the like name no address
                skipped.append(f)  # a job or another message: kept for later
        finally:
            self._pending.extend(skipped)

    def publish(self, address, body):
        self.send_frame({"type": "publish", "address": address, "body": body})

    def ping(self):
        self.send_frame({"type": "ping"})
        return self.read_frame()

    # --- job handlers ---
    def register_handler(self, kind):
        """Handles jobs of kind (one of bridge.handlerKinds): the node claims it while we stay connected."""
        self.send_frame({"type": "register", "address": JOB_PREFIX + kind})

    def unregister_handler(self, kind):
        self.send_frame({"type": "unregister", "address": JOB_PREFIX + kind})

    def next_job(self):
        """Blocks until a job arrives; returns (job, reply_address)."""
        while True:
            f = self.read_frame()
            if f["type"] == "message" and f.get("address", "").startswith(JOB_PREFIX):
                return f["body"], f["replyAddress"]
            if f["type"] == "err":
                raise BridgeError(f)

    def complete(self, reply_address, result):
        """Completes the job with result (a JSON object)."""
        self.send_frame({"type": "send", "address": reply_address, "body": result})

    def retry(self, reply_address, error):
        """Fails this attempt with error: retried after a backoff, discarded after the last attempt."""
        self.send_frame({"type": "send", "address": reply_address, "failureCode": 500, "message": error})

    def snooze(self, reply_address, ms):
        """Runs the job again after ms without using an attempt."""
        self.complete(reply_address, {"snooze": ms})

    def cancel(self, reply_address, reason):
        self.complete(reply_address, {"cancel": reason})

    def serve(self, handler, count=None):
        """Runs handler(job) for each job (count of them, or forever): its dict completes the job,
        raising Retry (or any exception) fails the attempt with the exception's message."""
        done = 0
        while count is None or done < count:
            job, reply_address = self.next_job()
            try:
                result = handler(job)
            except Exception as e:  # the handler's failure is the attempt's, not ours
                self.retry(reply_address, str(e) or type(e).__name__)
            else:
                self.complete(reply_address, result if result is not None else {})
            done += 1
