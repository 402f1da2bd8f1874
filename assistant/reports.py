"""Read the evaluation reports that `make eval` writes (``<dir>/<UTC timestamp>/``).

The API serves them so the UI's 评估 page stays a thin client; nothing here writes.
"""

from __future__ import annotations

import json
import re
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from pydantic import BaseModel

from assistant.schema import UTCDateTime

REPORT_ID_RE = re.compile(r"^\d{8}T\d{6}Z$")
FILE_NAME_RE = re.compile(r"^[\w.\-]+\.(json|md|png)$")


class ReportSummary(BaseModel):
    id: str
    created_at: UTCDateTime
    files: list[str]


class Report(BaseModel):
    id: str
    created_at: UTCDateTime
    data: dict[str, Any]
    """Each JSON file of the report, by file name."""
    markdown: dict[str, str]
    plots: list[str]


class ReportStore:
    def __init__(self, root: Path) -> None:
        self.root = root

    def _folder(self, report_id: str) -> Path | None:
        if not REPORT_ID_RE.match(report_id):
            return None
        folder = self.root / report_id
        return folder if folder.is_dir() else None

    @staticmethod
    def _created(report_id: str) -> datetime:
        return datetime.strptime(report_id, "%Y%m%dT%H%M%SZ").replace(tzinfo=UTC)

    @staticmethod
    def _files(folder: Path) -> list[str]:
        return sorted(p.name for p in folder.iterdir() if FILE_NAME_RE.match(p.name))

    def list(self) -> list[ReportSummary]:
        """Newest first; folders without a report file are skipped."""
        if not self.root.is_dir():
            return []
        summaries = [
            ReportSummary(id=p.name, created_at=self._created(p.name), files=self._files(p))
            for p in self.root.iterdir()
            if p.is_dir() and REPORT_ID_RE.match(p.name)
        ]
        return sorted(
            (s for s in summaries if any(f.endswith(".json") for f in s.files)),
            key=lambda s: s.id,
            reverse=True,
        )

    def get(self, report_id: str) -> Report | None:
        folder = self._folder(report_id)
        if folder is None:
            return None
        data: dict[str, Any] = {}
        markdown: dict[str, str] = {}
        plots: list[str] = []
        for name in self._files(folder):
            path = folder / name
            if name.endswith(".json"):
                try:
                    data[name] = json.loads(path.read_text(encoding="utf-8"))
                except (UnicodeDecodeError, json.JSONDecodeError):
                    continue  # a half-written report is not worth failing the page for
            elif name.endswith(".md"):
                markdown[name] = path.read_text(encoding="utf-8", errors="replace")
            else:
                plots.append(name)
        return Report(
            id=report_id,
            created_at=self._created(report_id),
            data=data,
            markdown=markdown,
            plots=plots,
        )

    def plot(self, report_id: str, name: str) -> Path | None:
        folder = self._folder(report_id)
        if folder is None or not name.endswith(".png") or not FILE_NAME_RE.match(name):
            return None
        path = folder / name
        return path if path.is_file() else None
