"""The local LLM's llama.cpp libraries hold no instruction beyond the AVX2 baseline, and
the scan that says so does find such instructions when they are there."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest

from assistant.llm.build import build_key, check, library_dir, scan_library

AVX512_SOURCE = """
#include <immintrin.h>
void add16(float *out, const float *a, const float *b) {
    _mm512_storeu_ps(out, _mm512_add_ps(_mm512_loadu_ps(a), _mm512_loadu_ps(b)));
}
"""


def test_installed_llama_cpp_is_portable() -> None:
    folder = library_dir()
    if folder is None:
        pytest.skip("llama_cpp not installed (make llm)")
    scans = check(folder)
    names = {scan.path.name.split(".so")[0] for scan in scans}
    assert {"libllama", "libggml-cpu"} <= names, names
    assert all(scan.beyond_baseline == 0 for scan in scans)


@pytest.mark.skipif(shutil.which("gcc") is None, reason="gcc not installed")
def test_scan_finds_avx512_code(tmp_path: Path) -> None:
    source = tmp_path / "wide.c"
    source.write_text(AVX512_SOURCE)
    library = tmp_path / "libwide.so"
    subprocess.run(
        ["gcc", "-O2", "-mavx512f", "-shared", "-fPIC", str(source), "-o", str(library)],
        check=True,
    )
    assert scan_library(library).beyond_baseline > 0


def test_new_flags_mean_a_new_build(monkeypatch: pytest.MonkeyPatch) -> None:
    before = build_key()
    monkeypatch.setattr("assistant.llm.build.PORTABLE_CMAKE_ARGS", ("-DGGML_NATIVE=ON",))
    assert build_key() != before
