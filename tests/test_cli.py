"""The certguide CLI, in-process (fast) and once as the installed console script."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from assistant.cli import main
from tests.conftest import CORPUS_DIR


@pytest.fixture()
def data_dir(tmp_path: Path) -> str:
    return str(tmp_path / "data")


def _run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def test_ingest_search_documents_stats(
    data_dir: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    procedures = CORPUS_DIR / "procedures" / "huarui"
    code, out, _ = _run(
        capsys,
        "--data-dir",
        data_dir,
        "ingest",
        str(procedures / "HR-QP-08.md"),
        str(procedures / "HR-QP-09.md"),
    )
    assert code == 0 and "added 2" in out

    question = "接到顾客投诉后多长时间内要答复"
    code, out, _ = _run(capsys, "--data-dir", data_dir, "search", question, "--json", "--k", "2")
    payload = json.loads(out)
    assert code == 0 and len(payload["hits"]) == 2
    top = payload["hits"][0]
    assert set(top) >= {"doc_id", "title", "kind", "org", "ref", "text", "score", "source"}
    assert top["doc_id"] == "HR-QP-09" and "24小时" in top["text"]

    code, out, _ = _run(capsys, "--data-dir", data_dir, "search", "校准", "--org", "nobody")
    assert code == 0 and "no results" in out

    batch = tmp_path / "q.jsonl"
    batch.write_text(
        '{"id": "q1", "question": "测量设备多久校准一次"}\n'
        "not json\n"
        '{"id": "q3", "question": "8D报告几天内交"}\n',
        encoding="utf-8",
    )
    code, out, _ = _run(capsys, "--data-dir", data_dir, "search", "--batch", str(batch))
    lines = [json.loads(line) for line in out.splitlines()]
    assert code == 3  # partial: one bad line
    assert [line["id"] for line in lines] == ["q1", None, "q3"]
    assert lines[0]["hits"][0]["doc_id"] == "HR-QP-08"
    assert "line 2" in lines[1]["error"]
    assert lines[2]["hits"][0]["doc_id"] == "HR-QP-09"

    code, out, _ = _run(capsys, "--data-dir", data_dir, "documents", "list", "--json")
    assert [d["doc_id"] for d in json.loads(out)["documents"]] == ["HR-QP-08", "HR-QP-09"]
    code, out, _ = _run(capsys, "--data-dir", data_dir, "documents", "show", "HR-QP-08")
    assert code == 0 and "## HR-QP-08 §4" in out
    code, out, _ = _run(capsys, "--data-dir", data_dir, "stats", "--json")
    assert json.loads(out)["documents"] == 2

    code, out, _ = _run(capsys, "--data-dir", data_dir, "documents", "delete", "HR-QP-08")
    assert code == 0
    code, _, err = _run(capsys, "--data-dir", data_dir, "documents", "show", "HR-QP-08")
    assert code == 1 and "unknown document" in err


def test_ingest_errors_name_the_file(
    data_dir: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    bad = tmp_path / "bad.txt"
    bad.write_bytes(b"")
    good = tmp_path / "good.md"
    good.write_text("# 说明\n## 保存\n记录保存三年。", encoding="utf-8")
    code, out, err = _run(capsys, "--data-dir", data_dir, "ingest", str(bad), str(good))
    assert code == 3 and f"{bad}: file is empty" in err and "added 1" in out
    code, _, err = _run(capsys, "--data-dir", data_dir, "ingest", str(bad))
    assert code == 1
    code, _, err = _run(capsys, "--data-dir", data_dir, "search")
    assert code == 2 and "QUESTION" in err


def test_console_script_end_to_end(data_dir: str) -> None:
    exe = shutil.which("certguide", path=str(Path(sys.executable).parent))
    assert exe, "certguide console script is installed by make setup"
    env = {**os.environ, "CERTGUIDE_DATA_DIR": data_dir}
    subprocess.run(
        [exe, "ingest", str(CORPUS_DIR / "procedures" / "huarui" / "HR-QP-11.md")],
        env=env,
        check=True,
        capture_output=True,
    )
    result = subprocess.run(
        [exe, "search", "新员工上岗前要培训多少小时", "--json", "--k", "1"],
        env=env,
        check=True,
        capture_output=True,
        text=True,
    )
    hit = json.loads(result.stdout)["hits"][0]
    assert hit["doc_id"] == "HR-QP-11" and "16小时" in hit["text"]


def test_ask_json_follow_up_and_batch(
    data_dir: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    procedures = CORPUS_DIR / "procedures" / "huarui"
    _run(
        capsys,
        "--data-dir",
        data_dir,
        "ingest",
        str(procedures / "HR-QP-07.md"),
        str(procedures / "HR-QP-03.md"),
    )
    code, out, _ = _run(
        capsys, "--data-dir", data_dir, "ask", "C级供应商多长时间内要整改？", "--json"
    )
    reply = json.loads(out)
    assert code == 0 and not reply["refused"] and "3个月" in reply["answer"]
    assert reply["citations"][0]["doc_id"] == "HR-QP-07"

    code, out, _ = _run(
        capsys,
        "--data-dir",
        data_dir,
        "ask",
        "那谁负责评价？",
        "--json",
        "--conversation",
        reply["conversation_id"],
    )
    assert "供应商" in json.loads(out)["rewritten_question"]

    code, out, _ = _run(capsys, "--data-dir", data_dir, "ask", "内审员能审自己的部门吗")
    assert code == 0 and "来源：" in out and "HR-QP-03" in out

    code, _, err = _run(capsys, "--data-dir", data_dir, "ask", "x", "--conversation", "nope")
    assert code == 1 and "unknown conversation" in err

    batch = tmp_path / "ask.jsonl"
    batch.write_text(
        '{"id": "a", "question": "新供应商要试供几批？"}\n[1, 2]\n'
        '{"id": "c", "question": "明天会下雨吗"}\n',
        encoding="utf-8",
    )
    code, out, _ = _run(capsys, "--data-dir", data_dir, "ask", "--batch", str(batch))
    lines = [json.loads(line) for line in out.splitlines()]
    assert code == 3 and [line["id"] for line in lines] == ["a", None, "c"]
    assert "3批" in lines[0]["answer"] and "error" in lines[1] and lines[2]["refused"] is True
