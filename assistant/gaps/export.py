"""A gap report as the files a consultant hands over: Markdown, xlsx and docx.

Each holds the same two parts: a summary (by status, and by ISO 9001 chapter and the licence
duties) and one row per requirement — clause, requirement, status, the org's own sentences
that meet it with their document and section, and the reason.
"""

from __future__ import annotations

import io
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

from assistant.schema import GapItem, GapReport, GapStatus

if TYPE_CHECKING:
    from docx.document import Document

STATUS_LABELS = {
    GapStatus.covered: "已覆盖",
    GapStatus.partial: "部分覆盖",
    GapStatus.missing: "缺失",
    GapStatus.unknown: "无法判断",
}
CHAPTERS = {
    "4": "第4章 组织环境",
    "5": "第5章 领导作用",
    "6": "第6章 策划",
    "7": "第7章 支持",
    "8": "第8章 运行",
    "9": "第9章 绩效评价",
    "10": "第10章 改进",
}
XK_CHAPTER = "生产许可证义务"
COLUMNS = ("体系", "条款", "要求", "结论", "依据原文", "说明")
SUMMARY_COLUMNS = ("部分", *STATUS_LABELS.values(), "合计")


def title_of(report: GapReport, org_name: str) -> str:
    return f"差距分析报告：{org_name or report.org}"


def chapter(item: GapItem) -> str:
    if item.framework == "XK":
        return XK_CHAPTER
    return CHAPTERS.get(item.ref.split(".")[0], f"第{item.ref.split('.')[0]}章")


def summary(report: GapReport) -> list[tuple[str | int, ...]]:
    """(part, one count per status, total) per chapter in the report's order, then 合计."""
    parts: dict[str, list[int]] = {}
    order = list(GapStatus)
    for item in report.items:
        counts = parts.setdefault(chapter(item), [0] * len(order))
        counts[order.index(item.status)] += 1
    rows: list[tuple[str | int, ...]] = [
        (name, *counts, sum(counts)) for name, counts in parts.items()
    ]
    totals = [report.counts()[s.value] for s in order]
    rows.append(("合计", *totals, len(report.items)))
    return rows


def in_words(counts: dict[str, int]) -> str:
    """已覆盖 60 项，部分覆盖 5 项，缺失 20 项 (a status no item has is left out)."""
    return "，".join(
        f"{label} {counts[status.value]} 项"
        for status, label in STATUS_LABELS.items()
        if counts[status.value] or status is not GapStatus.unknown
    )


def quoted(item: GapItem) -> str:
    """The org's sentences with where they stand: 「…」（《采购控制程序》HR-QP-07 §4.2）."""
    return "\n".join(f"「{q.text}」（《{q.title}》{q.ref}）" for q in item.quotes)


def row(item: GapItem) -> tuple[str, str, str, str, str, str]:
    return (
        item.framework,
        item.ref,
        item.title,
        STATUS_LABELS[item.status],
        quoted(item) or "—",
        item.reason,
    )


def to_markdown(report: GapReport, org_name: str = "") -> str:
    def line(cells: tuple[object, ...]) -> str:
        text = (str(c).replace("|", "｜").replace("\n", "<br>") for c in cells)
        return "| " + " | ".join(text) + " |"

    lines = [
        f"# {title_of(report, org_name)}",
        "",
        f"{in_words(report.counts())}。",
        "",
        "## 汇总",
        "",
        line(SUMMARY_COLUMNS),
        line(("---",) * len(SUMMARY_COLUMNS)),
        *(line(r) for r in summary(report)),
        "",
        "## 逐条结论",
        "",
        line(COLUMNS),
        line(("---",) * len(COLUMNS)),
        *(line(row(item)) for item in report.items),
    ]
    return "\n".join(lines) + "\n"


def to_xlsx(report: GapReport, org_name: str = "") -> bytes:
    """Two sheets: 逐条结论 (one row a requirement, the status cell coloured) and 汇总."""
    from openpyxl import Workbook
    from openpyxl.styles import Alignment, Font, PatternFill

    fills = {
        GapStatus.covered: PatternFill("solid", fgColor="D9EAD3"),
        GapStatus.partial: PatternFill("solid", fgColor="FFF2CC"),
        GapStatus.missing: PatternFill("solid", fgColor="F4CCCC"),
        GapStatus.unknown: PatternFill("solid", fgColor="E7E6E6"),
    }
    book = Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.title = "逐条结论"
    sheet.append([title_of(report, org_name)])
    sheet["A1"].font = Font(bold=True, size=14)
    sheet.append(list(COLUMNS))
    for cell in sheet[2]:
        cell.font = Font(bold=True)
    for item in report.items:
        sheet.append(list(row(item)))
        sheet.cell(row=sheet.max_row, column=4).fill = fills[item.status]
        for cell in sheet[sheet.max_row]:
            cell.alignment = Alignment(wrap_text=True, vertical="top")
    for column, width in zip("ABCDEF", (10, 8, 24, 10, 60, 50), strict=True):
        sheet.column_dimensions[column].width = width
    totals = book.create_sheet("汇总")
    totals.append(list(SUMMARY_COLUMNS))
    for cell in totals[1]:
        cell.font = Font(bold=True)
    for values in summary(report):
        totals.append(list(values))
    totals.column_dimensions["A"].width = 20
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def to_docx(report: GapReport, org_name: str = "") -> bytes:
    """A Word document: the title, the summary table, then one table row a requirement."""
    import docx

    document = docx.Document()
    document.add_heading(title_of(report, org_name), level=1)
    document.add_heading("汇总", level=2)
    _table(document, SUMMARY_COLUMNS, summary(report))
    document.add_heading("逐条结论", level=2)
    _table(document, COLUMNS, [row(item) for item in report.items])
    out = io.BytesIO()
    document.save(out)
    return out.getvalue()


def _table(document: Document, header: tuple[str, ...], rows: Sequence[tuple[object, ...]]) -> None:
    table = document.add_table(rows=1, cols=len(header))
    table.style = "Table Grid"
    for cell, text in zip(table.rows[0].cells, header, strict=True):
        cell.text = text
        for run in cell.paragraphs[0].runs:
            run.bold = True
    for values in rows:
        for cell, value in zip(table.add_row().cells, values, strict=True):
            cell.text = str(value)


@dataclass(frozen=True)
class ReportFormat:
    media_type: str
    write: Callable[[GapReport, str], bytes]


FORMATS = {
    "md": ReportFormat(
        "text/markdown; charset=utf-8", lambda r, name: to_markdown(r, name).encode("utf-8")
    ),
    "xlsx": ReportFormat(
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", to_xlsx
    ),
    "docx": ReportFormat(
        "application/vnd.openxmlformats-officedocument.wordprocessingml.document", to_docx
    ),
}
