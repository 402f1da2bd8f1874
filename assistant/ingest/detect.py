"""Guess a document's kind from its structure when neither the user nor front matter says."""

from __future__ import annotations

import re

from assistant.refs import CN_NUMERAL, PROCEDURE_RE
from assistant.schema import Kind

ARTICLE_LINE_RE = re.compile(rf"^\s*第\s*([{CN_NUMERAL}]+|\d+)\s*条(?:\s|　|$)", re.MULTILINE)
CLAUSE_HEADING_RE = re.compile(r"^#{1,6}\s+((?:10|[4-9])(?:\.\d{1,2}){1,3})\s+\S", re.MULTILINE)


def detect_kind(text: str, title: str) -> Kind:
    if len(ARTICLE_LINE_RE.findall(text)) >= 3:
        return Kind.regulation
    if PROCEDURE_RE.search(title) or "程序" in title:
        return Kind.procedure
    if len(CLAUSE_HEADING_RE.findall(text)) >= 3 and re.search(r"ISO|GB/T|标准", title):
        return Kind.standard
    return Kind.guide
