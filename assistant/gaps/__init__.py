"""Gap reports: requirements as data, the assessment, the exports."""

from assistant.gaps.assess import GapAssessor, Thresholds
from assistant.gaps.export import FORMATS, STATUS_LABELS, to_docx, to_markdown, to_xlsx
from assistant.gaps.requirements import Requirement, Requirements, load_requirements

__all__ = [
    "FORMATS",
    "STATUS_LABELS",
    "GapAssessor",
    "Requirement",
    "Requirements",
    "Thresholds",
    "load_requirements",
    "to_docx",
    "to_markdown",
    "to_xlsx",
]
