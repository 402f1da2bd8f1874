"""`make run`: start the local LLM (when CERTGUIDE_LLM=local), the API and the UI; Ctrl-C
or SIGTERM stops all.

python -m assistant.launch [--host 127.0.0.1] [--api-port 8000] [--ui-port 8501] [--llm-port 8081]
"""

from __future__ import annotations

import argparse
import ipaddress
import os
import signal
import subprocess
import sys
import time

import httpx

from assistant.llm.local_model import LocalModelError, check_completion, prepare, server_command
from assistant.settings import PROJECT_ROOT

UI_SCRIPT = PROJECT_ROOT / "ui" / "app.py"


class ServerFailed(RuntimeError):
    pass


def is_loopback(host: str) -> bool:
    """127.0.0.1, ::1 or localhost: reachable from this machine only."""
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def stop_on_sigterm() -> None:
    """SIGTERM (systemctl stop, docker stop, a process manager) ends the launcher the way
    Ctrl-C does, so its ``finally`` stops the servers it started instead of orphaning them."""

    def interrupt(signum: int, _frame: object) -> None:
        raise KeyboardInterrupt(f"signal {signum}")

    signal.signal(signal.SIGTERM, interrupt)


def wait_ready(url: str, process: subprocess.Popen[bytes], seconds: float = 180) -> None:
    """Poll ``url`` until it answers 2xx; fail early if ``process`` dies."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise ServerFailed(f"process for {url} exited with {process.returncode}")
        try:
            if httpx.get(url, timeout=2).is_success:
                return
        except httpx.TransportError:
            pass
        time.sleep(0.5)
    raise ServerFailed(f"{url} did not become ready in {seconds:.0f}s")


def ui_command(host: str, port: int) -> list[str]:
    """Streamlit, headless, no telemetry, no file watcher (nothing reaches out)."""
    return [
        sys.executable, "-m", "streamlit", "run", str(UI_SCRIPT),
        "--server.address", host, "--server.port", str(port), "--server.headless", "true",
        "--server.fileWatcherType", "none", "--browser.gatherUsageStats", "false",
        "--client.toolbarMode", "viewer", "--client.showErrorDetails", "none",
        "--theme.primaryColor", "#1d5fbf",
    ]  # fmt: skip


def start_local_llm(command: list[str], url: str) -> list[subprocess.Popen[bytes]]:
    """The running server, or none when it crashed on its test completion. Either way the
    API is pointed at ``url``: with the server gone every answer is extractive and carries
    the warning, so the UI shows it too."""
    llm = subprocess.Popen(command)
    wait_ready(f"{url}/models", llm)
    try:
        check_completion(url, llm)
    except LocalModelError as exc:
        print(f"warning: {exc}; answers are extractive", file=sys.stderr, flush=True)
        if llm.poll() is None:
            return [llm]
        return []
    print(f"local LLM      {url}", flush=True)
    return [llm]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--api-port", type=int, default=8000)
    parser.add_argument("--ui-port", type=int, default=8501)
    parser.add_argument("--llm-port", type=int, default=8081)
    parser.add_argument(
        "--allow-anonymous-on-network",
        action="store_true",
        help="passed to the API: serve dev mode on a non-loopback host",
    )
    args = parser.parse_args(argv)
    stop_on_sigterm()
    env = dict(os.environ)
    processes: list[subprocess.Popen[bytes]] = []
    try:
        if env.get("CERTGUIDE_LLM") == "local":
            llm_url = f"http://{args.host}:{args.llm_port}/v1"
            command = server_command(prepare(), args.host, args.llm_port)
            processes.extend(start_local_llm(command, llm_url))
            env["CERTGUIDE_LLM_BASE_URL"] = llm_url
        api = subprocess.Popen(
            [sys.executable, "-m", "assistant.cli", "serve", "--host", args.host,
             "--port", str(args.api_port), "--log-level", "warning",
             *(["--allow-anonymous-on-network"] if args.allow_anonymous_on_network else [])],
            env=env,
        )  # fmt: skip
        processes.append(api)
        base = f"http://{args.host}:{args.api_port}"
        wait_ready(f"{base}/ready", api)
        print(f"CertGuide API  {base}    docs {base}/docs", flush=True)
        ui = subprocess.Popen(
            ui_command(args.host, args.ui_port), env={**env, "CERTGUIDE_API_URL": base}
        )
        processes.append(ui)
        ui_url = f"http://{args.host}:{args.ui_port}"
        wait_ready(f"{ui_url}/_stcore/health", ui)
        print(f"CertGuide UI   {ui_url}    (Ctrl-C stops everything)", flush=True)
        while all(p.poll() is None for p in processes):
            time.sleep(1)
        return 1
    except KeyboardInterrupt:
        return 0
    except ServerFailed as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1
    finally:
        for process in processes:
            if process.poll() is None:
                process.send_signal(signal.SIGTERM)
        for process in processes:
            try:
                process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                process.kill()


if __name__ == "__main__":
    raise SystemExit(main())
