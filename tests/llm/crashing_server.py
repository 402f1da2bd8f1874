"""A stand-in for a llama.cpp server built for another CPU: it lists its model, then dies
of SIGILL on the first completion, as the native build did on an AVX-512 machine.

python -m tests.llm.crashing_server PORT
"""

from __future__ import annotations

import json
import os
import resource
import signal
import sys
from http.server import BaseHTTPRequestHandler, HTTPServer


class Handler(BaseHTTPRequestHandler):
    def do_GET(self) -> None:
        body = json.dumps({"object": "list", "data": [{"id": "local", "object": "model"}]})
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body.encode())

    def do_POST(self) -> None:
        os.kill(os.getpid(), signal.SIGILL)


if __name__ == "__main__":
    resource.setrlimit(resource.RLIMIT_CORE, (0, 0))  # no core file left behind
    HTTPServer(("127.0.0.1", int(sys.argv[1])), Handler).serve_forever()
