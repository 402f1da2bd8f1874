"""Start real server processes on 127.0.0.1 for tests, and stop them."""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import sys
import tempfile
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass
from pathlib import Path

import httpx

from assistant.launch import ServerFailed, wait_ready
from assistant.settings import PROJECT_ROOT


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def venv_tool(name: str) -> str:
    tool = shutil.which(name, path=str(Path(sys.executable).parent))
    if tool is None:
        raise RuntimeError(f"{name} is not installed in {Path(sys.executable).parent}")
    return tool


@contextmanager
def running(
    command: list[str],
    ready_url: str,
    log: Path,
    env: dict[str, str] | None = None,
    timeout: float = 120.0,
) -> Iterator[subprocess.Popen[bytes]]:
    """Run ``command`` until ``ready_url`` answers 2xx; always terminate it afterwards."""
    with log.open("wb") as out:
        process = subprocess.Popen(
            command, stdout=out, stderr=subprocess.STDOUT, env={**checkout_env(), **(env or {})}
        )
        try:
            try:
                wait_ready(ready_url, process, timeout)
            except ServerFailed as exc:
                raise RuntimeError(f"{exc}:\n{log.read_text(errors='replace')[-3000:]}") from exc
            yield process
        finally:
            process.terminate()
            try:
                process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                process.kill()


@contextmanager
def chroma_server(path: Path, log: Path) -> Iterator[int]:
    """A real `chroma run` on 127.0.0.1 storing in ``path``; yields its port."""
    port = free_port()
    command = [venv_tool("chroma"), "run", "--path", str(path),
               "--host", "127.0.0.1", "--port", str(port)]  # fmt: skip
    with running(command, f"http://127.0.0.1:{port}/api/v2/heartbeat", log):
        yield port


def postgres_binaries() -> Path | None:
    """Debian's PostgreSQL server binaries (``make postgres`` installs them)."""
    found = sorted(Path("/usr/lib/postgresql").glob("*/bin/initdb"))
    return found[-1].parent if found else None


@contextmanager
def postgres(log: Path) -> Iterator[str]:
    """A throwaway PostgreSQL cluster on 127.0.0.1; yields the SQLAlchemy URL of its
    ``postgres`` database. As root the server runs as the ``postgres`` user (initdb refuses
    root), in a folder of its own outside pytest's, which only root may enter."""
    binaries = postgres_binaries()
    assert binaries is not None, "no PostgreSQL server binaries: run `make postgres`"
    root = Path(tempfile.mkdtemp(prefix="certguide-pg-"))
    as_owner: list[str] = []
    if os.geteuid() == 0:
        shutil.chown(root, "postgres", "postgres")
        as_owner = ["runuser", "-u", "postgres", "--"]
    data, port = root / "data", free_port()
    initdb = [str(binaries / "initdb"), "-D", str(data), "-U", "certguide", "--auth=trust",
              "-E", "UTF8", "--no-sync"]  # fmt: skip
    subprocess.run([*as_owner, *initdb], check=True, capture_output=True)
    ctl = [*as_owner, str(binaries / "pg_ctl"), "-D", str(data), "-l", str(root / "server.log")]
    options = f"-h 127.0.0.1 -p {port} -k {root} -F"
    try:
        subprocess.run([*ctl, "-o", options, "-w", "-t", "60", "start"], check=True,
                       capture_output=True)  # fmt: skip
        yield f"postgresql+psycopg://certguide@127.0.0.1:{port}/postgres"
    finally:
        subprocess.run([*ctl, "-m", "fast", "-w", "stop"], capture_output=True)
        server_log = root / "server.log"
        log.write_bytes(server_log.read_bytes() if server_log.exists() else b"")
        shutil.rmtree(root, ignore_errors=True)


def new_database(url: str, name: str) -> str:
    """Create database ``name`` on the server of ``url``; its URL."""
    from sqlalchemy import create_engine, text

    engine = create_engine(url, isolation_level="AUTOCOMMIT")
    with engine.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    engine.dispose()
    return url.rsplit("/", 1)[0] + f"/{name}"


@dataclass
class Deployment:
    """API processes sharing one Chroma server and one PostgreSQL database."""

    urls: list[str]
    processes: list[subprocess.Popen[bytes]]
    admin_key: str


@contextmanager
def deployment(root: Path, processes: int = 2) -> Iterator[Deployment]:
    """``processes`` real `certguide serve` against one Chroma server and one PostgreSQL
    database (both started here; the API keys are real: an admin's is made first)."""
    from assistant.access import AccessStore, Role
    from assistant.db import make_engine

    with ExitStack() as stack:
        server = stack.enter_context(postgres(root / "postgres.log"))
        database = new_database(server, "certguide")
        chroma = stack.enter_context(chroma_server(root / "chroma", root / "chroma.log"))
        _, admin_key = AccessStore(make_engine(database)).add_user("boss", Role.admin)
        env = {
            "CERTGUIDE_DATABASE_URL": database,
            "CERTGUIDE_CHROMA_HOST": "127.0.0.1",
            "CERTGUIDE_CHROMA_PORT": str(chroma),
            "CERTGUIDE_ANONYMOUS_ROLE": "",
            "CERTGUIDE_LEXICAL_REFRESH_SECONDS": "0.5",
        }
        urls, started = [], []
        for n in range(processes):
            port = free_port()
            urls.append(f"http://127.0.0.1:{port}")
            command = serve_command(root / f"api{n}", port)  # its data dir holds only a cache
            log = root / f"api{n}.log"
            started.append(stack.enter_context(running(command, f"{urls[-1]}/ready", log, env)))
        yield Deployment(urls, started, admin_key)


def certguide_command() -> list[str]:
    """The CLI of this checkout (the console script may point at another one)."""
    return [sys.executable, "-m", "assistant.cli"]


def checkout_env() -> dict[str, str]:
    """Environment that makes a child process import this checkout's ``assistant``."""
    paths = [str(PROJECT_ROOT), *filter(None, [os.environ.get("PYTHONPATH")])]
    return {**os.environ, "PYTHONPATH": os.pathsep.join(paths)}


def serve_command(data_dir: Path, port: int) -> list[str]:
    return [*certguide_command(), "--data-dir", str(data_dir), "serve",
            "--host", "127.0.0.1", "--port", str(port), "--log-level", "warning"]  # fmt: skip


DEV_MODE = {"CERTGUIDE_ANONYMOUS_ROLE": "admin"}


@contextmanager
def api_server(tmp: Path, uploads: list[Path], env: dict[str, str] | None = None) -> Iterator[str]:
    """A real `certguide serve` on a fresh data dir, with ``uploads`` ingested over HTTP;
    in dev mode (anonymous admin) unless ``env`` says otherwise."""
    port = free_port()
    url = f"http://127.0.0.1:{port}"
    command = serve_command(tmp / "data", port)
    with running(command, f"{url}/ready", tmp / "api.log", env=DEV_MODE if env is None else env):
        with httpx.Client(base_url=url, timeout=300) as client:
            for path in uploads:
                response = client.post(
                    "/v1/documents", files={"file": (path.name, path.read_bytes())}
                )
                if response.status_code != 201:
                    raise RuntimeError(f"upload of {path} failed: {response.text}")
        yield url
