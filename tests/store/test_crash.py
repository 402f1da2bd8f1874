"""Crash-consistent writes: a real writer process is killed (SIGKILL) right after a store
write chosen at random, ten times; after each kill search, list and show agree, `repair`
leaves exactly the committed documents' chunks, and a re-run converges."""

from __future__ import annotations

import json
import random
import signal
import subprocess
import sys
from pathlib import Path

import pytest

from assistant.embedding.encoder import Encoder
from assistant.knowledge import KnowledgeBase
from assistant.retrieval.hybrid import Mode
from assistant.schema import chunk_version
from tests.conftest import make_settings
from tests.server import certguide_command, checkout_env

KILLS = 10
WORDS = ["供应商", "不合格", "记录", "评审", "培训", "检验"]
SECTIONS = {
    "CW-QP-01": ["供应商每年评价一次，评分低于六十分的暂停采购。", "评价记录由采购部保存三年。"],
    "CW-QP-02": ["不合格品由质量部组织评审，评审结论写入处置单。", "让步放行须经总经理批准。"],
    "CW-QP-03": ["新员工上岗前接受质量培训并考核。", "检验员每年复训一次，培训记录归档。"],
}


def _procedure(code: str, sentences: list[str]) -> str:
    head = f"---\nid: {code}\ntitle: {code} 测试程序\nkind: procedure\norg: crashco\n---\n"
    body = "".join(f"\n## {n} 条款\n\n{text}\n" for n, text in enumerate(sentences, 1))
    return f"{head}\n# {code} 测试程序\n{body}"


@pytest.fixture(scope="module")
def sources(tmp_path_factory: pytest.TempPathFactory) -> list[Path]:
    """Three short procedures of our own, then a new version of the first (same name, one
    more section): short, so that each writer process spends its time writing, not embedding."""
    root = tmp_path_factory.mktemp("sources")
    (root / "v2").mkdir()
    files = []
    for code, sentences in SECTIONS.items():
        files.append(root / f"{code}.md")
        files[-1].write_text(_procedure(code, sentences), encoding="utf-8")
    first, sentences = next(iter(SECTIONS.items()))
    new_version = root / "v2" / f"{first}.md"
    new_version.write_text(_procedure(first, [*sentences, "整改报告十个工作日内提交。"]), "utf-8")
    return [*files, new_version]


def _write(
    data_dir: Path, sources: list[Path], crash_after: int = 0
) -> subprocess.CompletedProcess[str]:
    *files, new_version = sources
    env = {**checkout_env(), "CERTGUIDE_CRASH_AFTER_WRITES": str(crash_after)}
    command = [sys.executable, "-m", "tests.store.crash_writer",
               str(data_dir), str(new_version), *map(str, files)]  # fmt: skip
    return subprocess.run(command, capture_output=True, text=True, env=env, timeout=300)


def _store_ids(kb: KnowledgeBase) -> set[str]:
    return set(kb.store.chunks.get(include=[])["ids"])


def _committed_ids(kb: KnowledgeBase) -> set[str]:
    ids: set[str] = set()
    for record in kb.documents():
        shown = kb.document(record.doc_id)
        assert shown is not None
        ids.update(c.chunk_id for c in shown[1])
    return ids


def _assert_reads_agree(kb: KnowledgeBase) -> None:
    """What search, list and show say is one state: every listed document shows all its
    chunks of the committed version, and every hit belongs to a listed document's version."""
    versions = {r.doc_id: r.chunks_version for r in kb.documents()}
    for record in kb.documents():
        shown = kb.document(record.doc_id)
        assert shown is not None
        assert len(shown[1]) == record.chunk_count
        assert {chunk_version(c.chunk_id) for c in shown[1]} == {record.chunks_version}
    for word in WORDS:
        for mode in Mode:
            for hit in kb.search(word, k=20, mode=mode):
                assert versions.get(hit.doc_id) == chunk_version(hit.chunk_id), (word, mode)


@pytest.fixture(scope="module")
def finished(tmp_path_factory: pytest.TempPathFactory, sources: list[Path]) -> tuple[int, Path]:
    """A run that is not killed: how many writes it makes, and the state it leaves."""
    data_dir = tmp_path_factory.mktemp("finished") / "data"
    run = _write(data_dir, sources)
    assert run.returncode == 0, run.stderr[-2000:]
    return int(json.loads(run.stdout.strip().splitlines()[-1])["writes"]), data_dir


def test_a_writer_killed_at_ten_random_moments_leaves_a_repairable_store(
    tmp_path: Path, sources: list[Path], finished: tuple[int, Path], encoder: Encoder
) -> None:
    writes, finished_dir = finished
    expected = KnowledgeBase(make_settings(finished_dir), encoder)
    expected_ids = _store_ids(expected)
    assert expected_ids == _committed_ids(expected) and expected.store.check().consistent
    assert writes > KILLS
    unreferenced_seen = 0
    for moment in sorted(random.Random(19).sample(range(1, writes), KILLS)):
        data_dir = tmp_path / f"killed-{moment}"
        run = _write(data_dir, sources, crash_after=moment)
        assert run.returncode == -signal.SIGKILL, (moment, run.stderr[-2000:])

        kb = KnowledgeBase(make_settings(data_dir, lexical_refresh_seconds=0.0), encoder)
        _assert_reads_agree(kb)
        found = kb.store.check()
        assert not found.incomplete, moment  # a committed document always has its chunks
        unreferenced_seen += len(found.unreferenced)
        repaired = kb.store.repair(grace_seconds=0)
        assert repaired.removed == len(found.unreferenced)
        assert _store_ids(kb) == _committed_ids(kb), moment
        assert kb.store.check().consistent
        _assert_reads_agree(kb)
    assert unreferenced_seen  # some kills did land between a version's chunks and its record


def test_a_rerun_after_a_kill_converges_and_the_cli_repairs(
    tmp_path: Path, sources: list[Path], finished: tuple[int, Path], encoder: Encoder
) -> None:
    """Killed right after the first chunks were written (no record yet): `check` names them,
    `repair --grace` keeps them while they may be another writer's, `--grace 0` removes
    them; a re-run then ends in the same state as a run never killed."""
    data_dir = tmp_path / "data"
    assert _write(data_dir, sources, crash_after=1).returncode == -signal.SIGKILL
    cli = [*certguide_command(), "--data-dir", str(data_dir)]

    def run(*args: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run([*cli, *args], capture_output=True, text=True, env=checkout_env())

    check = run("check", "--json")
    assert check.returncode == 1
    report = json.loads(check.stdout)
    assert report["documents"] == 0 and report["unreferenced"] and not report["consistent"]
    kept = run("repair", "--grace", "3600", "--json")
    assert kept.returncode == 0 and json.loads(kept.stdout)["removed"] == 0
    removed = run("repair", "--grace", "0", "--json")
    assert json.loads(removed.stdout)["removed"] == len(report["unreferenced"])
    assert run("check").returncode == 0

    assert _write(data_dir, sources).returncode == 0
    rerun = KnowledgeBase(make_settings(data_dir), encoder)
    expected = KnowledgeBase(make_settings(finished[1]), encoder)
    assert _store_ids(rerun) == _store_ids(expected)
    assert [r.doc_id for r in rerun.documents()] == [r.doc_id for r in expected.documents()]
