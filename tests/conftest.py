"""Shared fixtures: the real e5 model (loaded once) and real Chroma stores in temp dirs."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest

os.environ.setdefault("HF_HUB_OFFLINE", "1")

from assistant.embedding.encoder import Encoder, get_encoder
from assistant.knowledge import KnowledgeBase
from assistant.settings import PROJECT_ROOT, Settings, get_settings

REGULATIONS_DIR = PROJECT_ROOT.parent / "shared" / "regulations"
CORPUS_DIR = PROJECT_ROOT / "corpus"
CLIENTS_DIR = CORPUS_DIR / "clients"
COMPANY_CORPUS = sorted(p for p in CORPUS_DIR.iterdir() if p.is_dir() and p != CLIENTS_DIR)
"""What our own staff see: everything but the consulting clients' folders."""


def regulation_files() -> list[Path]:
    if not REGULATIONS_DIR.is_dir():
        return []
    return sorted(p for p in REGULATIONS_DIR.glob("*.md") if p.name != "README.md")


requires_regulations = pytest.mark.skipif(
    not regulation_files(), reason=f"official texts not found in {REGULATIONS_DIR}"
)


def make_settings(data_dir: Path, **overrides: object) -> Settings:
    return get_settings().model_copy(update={"data_dir": data_dir, **overrides})


@pytest.fixture(scope="session")
def encoder() -> Encoder:
    enc = get_encoder(get_settings())
    if not Path(enc.name).is_dir() and not get_settings().embedding_model:
        pytest.fail(f"embedding model missing at {enc.name}: run `make setup`")
    return enc


@pytest.fixture()
def empty_kb(tmp_path: Path, encoder: Encoder) -> KnowledgeBase:
    return KnowledgeBase(make_settings(tmp_path / "data"), encoder)


@pytest.fixture(scope="session")
def corpus_kb(
    tmp_path_factory: pytest.TempPathFactory, encoder: Encoder
) -> Iterator[KnowledgeBase]:
    """Built-in corpus plus (when present) the official regulation texts, indexed once."""
    kb = KnowledgeBase(make_settings(tmp_path_factory.mktemp("corpus") / "data"), encoder)
    report = kb.ingest([*COMPANY_CORPUS, *regulation_files()], progress=False)
    assert not report.failed, report.failed
    yield kb


class RunSummary:
    """Per-folder test counts and seconds at the end of every run, and in CI a skip is a
    failure: a skipped gate or copy check would otherwise let a run pass without them."""

    def __init__(self) -> None:
        self.seconds: dict[str, float] = {}
        self.outcomes: dict[str, dict[str, int]] = {}
        self.skipped: list[tuple[str, str]] = []

    @staticmethod
    def folder(nodeid: str) -> str:
        parts = nodeid.split("::")[0].split("/")
        return "/".join(parts[:2]) if len(parts) > 2 else parts[0]

    def pytest_runtest_logreport(self, report: pytest.TestReport) -> None:
        folder = self.folder(report.nodeid)
        self.seconds[folder] = self.seconds.get(folder, 0.0) + report.duration
        if report.when == "call" or report.outcome != "passed":
            counts = self.outcomes.setdefault(folder, {})
            counts[report.outcome] = counts.get(report.outcome, 0) + 1
        if report.skipped:
            reason = report.longrepr[2] if isinstance(report.longrepr, tuple) else ""
            self.skipped.append((report.nodeid, str(reason)))

    def pytest_terminal_summary(self, terminalreporter: pytest.TerminalReporter) -> None:
        write = terminalreporter.write_line
        terminalreporter.section("time per folder")
        for folder, seconds in sorted(self.seconds.items(), key=lambda item: -item[1]):
            counts = ", ".join(f"{n} {o}" for o, n in sorted(self.outcomes.get(folder, {}).items()))
            write(f"{seconds:8.1f} s  {folder:<24} {counts}")
        write(f"{sum(self.seconds.values()):8.1f} s  in all")
        if os.environ.get("CI") and self.skipped:
            write(f"CI runs every test; {len(self.skipped)} skipped, so this run fails:", red=True)
            for nodeid, reason in self.skipped:
                write(f"  {nodeid}: {reason}", red=True)

    def pytest_sessionfinish(self, session: pytest.Session, exitstatus: int) -> None:
        if os.environ.get("CI") and self.skipped and exitstatus == 0:
            session.exitstatus = pytest.ExitCode.TESTS_FAILED


def pytest_configure(config: pytest.Config) -> None:
    config.pluginmanager.register(RunSummary(), "certguide-run-summary")
