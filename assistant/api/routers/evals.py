"""Evaluation reports written by `make eval`, for the UI's 评估 page."""

from __future__ import annotations

from fastapi import APIRouter, Depends
from fastapi.responses import FileResponse

from assistant.api.deps import ReportsDep, get_principal
from assistant.api.errors import APIError
from assistant.api.schemas import ReportList
from assistant.reports import Report

router = APIRouter(
    prefix="/v1/eval-reports", tags=["evaluation"], dependencies=[Depends(get_principal)]
)


@router.get("")
def list_reports(reports: ReportsDep) -> ReportList:
    return ReportList(reports=reports.list())


@router.get("/{report_id}")
def get_report(report_id: str, reports: ReportsDep) -> Report:
    report = reports.get(report_id)
    if report is None:
        raise APIError(404, "not_found", f"unknown report {report_id!r}")
    return report


@router.get(
    "/{report_id}/plots/{name}",
    response_class=FileResponse,
    responses={200: {"content": {"image/png": {}}}},
)
def get_plot(report_id: str, name: str, reports: ReportsDep) -> FileResponse:
    path = reports.plot(report_id, name)
    if path is None:
        raise APIError(404, "not_found", f"unknown plot {name!r} in report {report_id!r}")
    return FileResponse(path, media_type="image/png")
