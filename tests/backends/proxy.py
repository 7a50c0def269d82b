"""A tiny HTTP proxy in front of osmem-server that can refuse requests, to test retries and errors."""
from __future__ import annotations

import json
import threading
import urllib.error
import urllib.request
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer


class FaultyProxy:
    """Forwards to `upstream`; `status` answers every request with that status instead, and
    `reject_bulk_items` answers the next N `_bulk` requests with per-item 429s."""

    def __init__(self, upstream: str):
        self.upstream, self.status, self.reject_bulk_items, self.bulk_calls = upstream, None, 0, 0
        proxy = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args):
                pass

            def _reply(self, code: int, body: bytes) -> None:
                self.send_response(code)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def _handle(self):
                data = self.rfile.read(int(self.headers.get("Content-Length") or 0))
                if "_bulk" in self.path:
                    proxy.bulk_calls += 1
                if proxy.status:
                    err = {"error": {"type": "injected", "reason": f"injected {proxy.status}",
                                     "root_cause": [{"type": "injected", "reason": "injected"}]},
                           "status": proxy.status}
                    return self._reply(proxy.status, json.dumps(err).encode())
                if "_bulk" in self.path and proxy.reject_bulk_items > 0:
                    proxy.reject_bulk_items -= 1
                    lines = [json.loads(x) for x in data.decode().splitlines() if x.strip()]
                    items, i = [], 0
                    while i < len(lines):
                        op, meta = next(iter(lines[i].items()))
                        items.append({op: {"_id": meta.get("_id"), "_index": meta.get("_index"),
                                           "status": 429, "error": {
                                               "type": "es_rejected_execution_exception",
                                               "reason": "queue full"}}})
                        i += 1 if op == "delete" else 2
                    return self._reply(200, json.dumps({"took": 1, "errors": True,
                                                        "items": items}).encode())
                req = urllib.request.Request(proxy.upstream + self.path, data=data or None,
                                             method=self.command,
                                             headers={"Content-Type": self.headers.get(
                                                 "Content-Type", "application/json")})
                try:
                    with urllib.request.urlopen(req, timeout=30) as resp:
                        return self._reply(resp.status, resp.read())
                except urllib.error.HTTPError as exc:
                    return self._reply(exc.code, exc.read())

            do_GET = do_POST = do_PUT = do_DELETE = _handle

            def do_HEAD(self):
                req = urllib.request.Request(proxy.upstream + self.path, method="HEAD")
                try:
                    with urllib.request.urlopen(req, timeout=30) as resp:
                        code = resp.status
                except urllib.error.HTTPError as exc:
                    code = exc.code
                self.send_response(proxy.status or code)
                self.send_header("Content-Length", "0")
                self.end_headers()

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()
