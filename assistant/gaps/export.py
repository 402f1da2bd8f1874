"""A gap report as the files a consultant hands over: Markdown and xlsx."""

from __future__ import annotations

import io

from assistant.schema import GapReport, GapStatus

STATUS_LABELS = {
    GapStatus.covered: "已覆盖",
    GapStatus.partial: "部分覆盖",
    GapStatus.missing: "缺失",
}


def to_markdown(report: GapReport, org_name: str = "") -> str:
    counts = report.counts()
    lines = [
        f"# 差距分析报告：{org_name or report.org}",
        "",
        f"已覆盖 {counts['covered']} 项，部分覆盖 {counts['partial']} 项，"
        f"缺失 {counts['missing']} 项。",
        "",
        "| 体系 | 条款 | 要求 | 结论 | 依据 | 说明 |",
        "|---|---|---|---|---|---|",
    ]
    for item in report.items:
        sources = "；".join(f"{h.doc_id} {h.ref}" for h in item.evidence) or "—"
        lines.append(
            f"| {item.framework} | {item.ref} | {item.title} | {STATUS_LABELS[item.status]} "
            f"| {sources} | {item.reason} |"
        )
    return "\n".join(lines) + "\n"


def to_xlsx(report: GapReport, org_name: str = "") -> bytes:
    from openpyxl import Workbook
    from openpyxl.styles import Font, PatternFill

    fills = {
        GapStatus.covered: PatternFill("solid", fgColor="D9EAD3"),
        GapStatus.partial: PatternFill("solid", fgColor="FFF2CC"),
        GapStatus.missing: PatternFill("solid", fgColor="F4CCCC"),
    }
    book = Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.title = "差距分析"
    sheet.append([f"差距分析报告：{org_name or report.org}"])
    sheet["A1"].font = Font(bold=True, size=14)
    sheet.append(["体系", "条款", "要求", "结论", "依据", "说明"])
    for cell in sheet[2]:
        cell.font = Font(bold=True)
    for item in report.items:
        sources = "；".join(f"{h.doc_id} {h.ref}" for h in item.evidence)
        sheet.append([item.framework, item.ref, item.title, STATUS_LABELS[item.status], sources,
                      item.reason])  # fmt: skip
        sheet.cell(row=sheet.max_row, column=4).fill = fills[item.status]
    for column, width in zip("ABCDEF", (10, 8, 28, 10, 36, 70), strict=True):
        sheet.column_dimensions[column].width = width
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()
