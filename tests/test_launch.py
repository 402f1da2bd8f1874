"""`make run`'s launcher as a process manager sees it: SIGTERM stops everything it started;
dev mode (anonymous callers) never listens beyond this machine unless told to."""

from __future__ import annotations

import signal
import socket
import subprocess
import sys
from pathlib import Path

import pytest

from assistant.launch import is_loopback, wait_ready
from tests.server import DEV_MODE, certguide_command, checkout_env, free_port

pytestmark = pytest.mark.server


def port_is_free(port: int) -> bool:
    with socket.socket() as sock:
        try:
            sock.bind(("127.0.0.1", port))
        except OSError:
            return False
        return True


def test_sigterm_to_the_launcher_stops_the_api_and_the_ui(tmp_path: Path) -> None:
    api_port, ui_port = free_port(), free_port()
    env = {**checkout_env(), **DEV_MODE, "CERTGUIDE_DATA_DIR": str(tmp_path / "data")}
    command = [sys.executable, "-m", "assistant.launch", "--host", "127.0.0.1",
               "--api-port", str(api_port), "--ui-port", str(ui_port)]  # fmt: skip
    launcher = subprocess.Popen(command, env=env, stdout=subprocess.DEVNULL)
    try:
        wait_ready(f"http://127.0.0.1:{ui_port}/_stcore/health", launcher, 180)
        assert not port_is_free(api_port) and not port_is_free(ui_port)
        launcher.send_signal(signal.SIGTERM)
        assert launcher.wait(timeout=60) == 0
        assert port_is_free(api_port) and port_is_free(ui_port)
    finally:
        if launcher.poll() is None:
            launcher.kill()


@pytest.mark.parametrize(
    ("host", "loopback"),
    [("127.0.0.1", True), ("::1", True), ("localhost", True), ("0.0.0.0", False),
     ("192.168.1.20", False), ("example.org", False)],
)  # fmt: skip
def test_loopback_hosts(host: str, loopback: bool) -> None:
    assert is_loopback(host) is loopback


def test_dev_mode_will_not_listen_on_the_network(tmp_path: Path) -> None:
    serve = [*certguide_command(), "--data-dir", str(tmp_path / "data"), "serve",
             "--host", "0.0.0.0", "--port", str(free_port())]  # fmt: skip
    finished = subprocess.run(
        serve, env={**checkout_env(), **DEV_MODE}, capture_output=True, text=True, timeout=120
    )
    assert finished.returncode == 2
    assert "--allow-anonymous-on-network" in finished.stderr
