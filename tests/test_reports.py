"""Reading evaluation reports: newest first, half-written files tolerated, no path escapes."""

from __future__ import annotations

import json
from pathlib import Path

from assistant.reports import ReportStore


def make_report(root: Path, report_id: str, files: dict[str, bytes]) -> None:
    folder = root / report_id
    folder.mkdir(parents=True)
    for name, content in files.items():
        (folder / name).write_bytes(content)


def test_lists_newest_first_and_reads_every_file(tmp_path: Path) -> None:
    store = ReportStore(tmp_path)
    assert store.list() == []
    make_report(tmp_path, "20261101T080000Z", {"answers.json": b'{"groups": {}}'})
    body = json.dumps({"configuration": "混合检索"}, ensure_ascii=False).encode()
    make_report(
        tmp_path,
        "20261102T080000Z",
        {"answers.json": body, "broken.json": b'{"half', "answers.md": b"# t", "a.png": b"png"},
    )
    make_report(tmp_path, "20261103T080000Z", {"notes.txt": b"no report file"})
    make_report(tmp_path, "not-a-report", {"answers.json": b"{}"})

    assert [r.id for r in store.list()] == ["20261102T080000Z", "20261101T080000Z"]
    report = store.get("20261102T080000Z")
    assert report is not None
    assert report.data == {"answers.json": {"configuration": "混合检索"}}
    assert report.markdown == {"answers.md": "# t"} and report.plots == ["a.png"]
    assert store.plot("20261102T080000Z", "a.png") == tmp_path / "20261102T080000Z" / "a.png"


def test_unknown_or_escaping_names_are_not_found(tmp_path: Path) -> None:
    store = ReportStore(tmp_path)
    make_report(tmp_path, "20261102T080000Z", {"a.png": b"png", "answers.json": b"{}"})
    (tmp_path / "secret.png").write_bytes(b"x")
    assert store.get("20261231T000000Z") is None
    assert store.get("..") is None
    assert store.plot("20261102T080000Z", "../secret.png") is None
    assert store.plot("20261102T080000Z", "answers.json") is None
    assert store.plot("20261102T080000Z", "missing.png") is None
