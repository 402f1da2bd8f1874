"""A portable llama.cpp build for the local LLM, and the check that proves it portable.

A source build of llama-cpp-python compiles for the CPU it is built on. On a machine that
advertises AVX-512 or AMX the result holds instructions another virtual machine of the same
kind may not run, and the server dies with SIGILL (exit 132) on its first completion. So we
build for a fixed baseline (AVX2, FMA, F16C), keep the wheel in a folder named after the
build flags (pip's own wheel cache would hand back a native wheel built earlier), and check
the installed shared libraries with ``objdump`` before using them.

    python -m assistant.llm.build install    # idempotent; builds once per flag set (~6-9 min)
    python -m assistant.llm.build check      # exit 1 if a library holds AVX-512/AMX code
    python -m assistant.llm.build rebuild    # drop the built wheel and build again
"""

from __future__ import annotations

import argparse
import hashlib
import importlib.util
import os
import re
import shutil
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

from assistant.settings import PROJECT_ROOT

LLAMA_PACKAGE = "llama_cpp_python"
LLAMA_VERSION = "0.3.36"
PORTABLE_CMAKE_ARGS = (
    "-DGGML_NATIVE=OFF",
    "-DGGML_AVX=ON",
    "-DGGML_AVX2=ON",
    "-DGGML_FMA=ON",
    "-DGGML_F16C=ON",
    "-DGGML_AVX512=OFF",
    "-DGGML_AVX_VNNI=OFF",
    "-DGGML_AMX_TILE=OFF",
    "-DGGML_AMX_INT8=OFF",
)
LOCK_FILE = PROJECT_ROOT / "requirements-llm.lock"
WHEELHOUSE = PROJECT_ROOT / "models" / "wheels"
# AT&T syntax: zmm registers and opmask registers are AVX-512 only; tile ops are AMX.
BEYOND_BASELINE = re.compile(r"%zmm\d|%k[0-7]\b|\btdpb|\bldtilecfg|\btilerelease|\btileload")


class BuildError(RuntimeError):
    pass


def build_key() -> str:
    """Names the wheel folder: new flags or a new version never reuse an old wheel."""
    text = " ".join((LLAMA_PACKAGE, LLAMA_VERSION, *PORTABLE_CMAKE_ARGS))
    return hashlib.sha256(text.encode()).hexdigest()[:12]


def wheel_dir() -> Path:
    return WHEELHOUSE / f"llama-{LLAMA_VERSION}-{build_key()}"


def installed_key_file() -> Path:
    """Beside the venv's interpreter: which build the venv holds."""
    return Path(sys.prefix) / ".llama-build-key"


def library_dir() -> Path | None:
    """The installed llama_cpp package's folder of shared libraries, if any."""
    spec = importlib.util.find_spec("llama_cpp")  # finds it without loading the libraries
    if spec is None or spec.origin is None:
        return None
    return Path(spec.origin).parent / "lib"


@dataclass
class LibraryScan:
    path: Path
    beyond_baseline: int
    """Instructions an AVX2 machine cannot run (AVX-512, AMX)."""
    examples: list[str]


def scan_library(path: Path) -> LibraryScan:
    objdump = shutil.which("objdump")
    if objdump is None:
        raise BuildError("objdump not found (Debian package binutils)")
    listing = subprocess.run(
        [objdump, "-d", "--no-show-raw-insn", str(path)],
        check=True,
        capture_output=True,
        text=True,
    ).stdout
    hits = [line.strip() for line in listing.splitlines() if BEYOND_BASELINE.search(line)]
    return LibraryScan(path, len(hits), hits[:3])


def shared_libraries(folder: Path) -> list[Path]:
    """One path per library: wheels hold libx.so, libx.so.0 and libx.so.0.1 as copies."""
    unique: dict[str, Path] = {}
    for path in sorted(folder.glob("*.so*"), key=lambda p: len(p.name)):
        if path.is_file():
            unique.setdefault(hashlib.sha256(path.read_bytes()).hexdigest(), path)
    return sorted(unique.values())


def check(folder: Path | None = None) -> list[LibraryScan]:
    """Scan every installed llama/ggml library; raise if any is not portable."""
    folder = folder or library_dir()
    if folder is None or not folder.is_dir():
        raise BuildError("llama_cpp is not installed (make llm)")
    libraries = shared_libraries(folder)
    if not libraries:
        raise BuildError(f"no shared libraries in {folder}")
    scans = [scan_library(path) for path in libraries]
    bad = [s for s in scans if s.beyond_baseline]
    if bad:
        detail = "; ".join(f"{s.path.name}: {s.beyond_baseline} ({s.examples[0]})" for s in bad)
        raise BuildError(
            "llama.cpp was built for a newer CPU than the AVX2 baseline and would die with "
            f"SIGILL on other machines of this kind: {detail}. Rebuild: make llm-rebuild"
        )
    return scans


def _pip(*args: str, env: dict[str, str] | None = None) -> None:
    subprocess.run([sys.executable, "-m", "pip", *args], check=True, env=env)


def build_wheel() -> Path:
    """Build the portable wheel once per flag set; later installs take it from the folder."""
    target = wheel_dir()
    existing = sorted(target.glob(f"{LLAMA_PACKAGE}-{LLAMA_VERSION}-*.whl"))
    if existing:
        return existing[-1]
    partial = target.with_name(target.name + ".partial")
    shutil.rmtree(partial, ignore_errors=True)
    env = {
        **os.environ,
        "CMAKE_ARGS": " ".join(PORTABLE_CMAKE_ARGS),
        "CMAKE_BUILD_PARALLEL_LEVEL": str(os.cpu_count() or 2),
    }
    print(f"building {LLAMA_PACKAGE}=={LLAMA_VERSION} for the AVX2 baseline (several minutes)")
    _pip("wheel", "-q", "--no-cache-dir", "--no-deps", "--no-binary", LLAMA_PACKAGE,
         "-w", str(partial), f"{LLAMA_PACKAGE}=={LLAMA_VERSION}", env=env)  # fmt: skip
    partial.replace(target)
    return next(target.glob(f"{LLAMA_PACKAGE}-{LLAMA_VERSION}-*.whl"))


def install() -> None:
    key_file = installed_key_file()
    if key_file.is_file() and key_file.read_text().strip() == build_key():
        check()
        return
    wheel = build_wheel()
    key_file.unlink(missing_ok=True)
    # our wheel in place of whatever llama_cpp was there; then the lock finds it satisfied
    # and adds only the server's extra packages
    _pip("install", "-q", "--no-deps", "--force-reinstall", str(wheel))
    _pip("install", "-q", "-r", str(LOCK_FILE))
    check()
    key_file.write_text(build_key() + "\n")


def rebuild() -> None:
    shutil.rmtree(wheel_dir(), ignore_errors=True)
    installed_key_file().unlink(missing_ok=True)
    install()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("command", choices=["install", "check", "rebuild"])
    args = parser.parse_args(argv)
    try:
        if args.command == "install":
            install()
        elif args.command == "rebuild":
            rebuild()
        scans = check()
    except (BuildError, subprocess.CalledProcessError) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1
    names = ", ".join(s.path.name for s in scans)
    print(f"llama.cpp portable (AVX2 baseline, no AVX-512/AMX instructions): {names}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
