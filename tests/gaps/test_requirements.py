"""The requirements data file: complete, consistent, in our own words, and its XK article
numbers and figures as the official regulation states them (when ../shared has it)."""

from __future__ import annotations

import re

import pytest

from assistant.gaps import Requirement, load_requirements
from tests.conftest import REGULATIONS_DIR, requires_regulations
from tests.copycheck import copied_runs

XK_REGULATION = REGULATIONS_DIR / "xk-licence-regulation-2023.md"
_ARTICLE_RE = re.compile(r"^(第[一二三四五六七八九十百]+条)", re.MULTILINE)


def official_articles() -> dict[str, str]:
    """第N条 -> its text, paragraphs and items included (up to the next article)."""
    body = XK_REGULATION.read_text(encoding="utf-8").split("<!-- INFO END -->")[-1]
    starts = list(_ARTICLE_RE.finditer(body))
    ends = [m.start() for m in starts[1:]] + [len(body)]
    return {m.group(1): body[m.start() : end] for m, end in zip(starts, ends, strict=True)}


def test_every_iso_clause_from_4_1_to_10_3_once() -> None:
    refs = [r.ref for r in load_requirements().iso9001]
    assert len(refs) == len(set(refs))
    assert refs[0] == "4.1" and refs[-1] == "10.3"
    assert {"4.4", "7.1.5", "8.5.6", "9.3.3", "10.2"} <= set(refs)
    assert all(re.fullmatch(r"\d{1,2}\.\d{1,2}(\.\d{1,2})?", ref) for ref in refs)
    chapters = {ref.split(".")[0] for ref in refs}
    assert chapters == {"4", "5", "6", "7", "8", "9", "10"}


def test_every_entry_says_what_is_required_and_what_an_auditor_asks_for() -> None:
    requirements = load_requirements()
    assert requirements.version
    known = {r.ref for r in requirements.all}
    for requirement in requirements.all:
        assert requirement.title and len(requirement.required) >= 20, requirement.ref
        assert requirement.evidence and all(requirement.evidence), requirement.ref
        assert requirement.parent is None or requirement.parent in known, requirement.ref


def test_the_licence_obligations_a_holder_carries() -> None:
    xk = {r.ref: r for r in load_requirements().xk}
    covered = " ".join(r.title for r in xk.values())
    for duty in ("有效期", "标志", "名称变更", "工艺", "自查报告", "抽查", "出借"):
        assert duty in covered, duty
    for requirement in xk.values():
        assert requirement.articles and set(requirement.checks) <= set(requirement.articles)
        assert "许可证" in requirement.subject  # only a passage on the licence meets it


@requires_regulations
@pytest.mark.parametrize("requirement", load_requirements().xk, ids=lambda r: r.ref)
def test_article_numbers_and_figures_match_the_regulation(requirement: Requirement) -> None:
    articles = official_articles()
    for article in requirement.articles:
        assert article in articles, (requirement.ref, article)
    for article, words in requirement.checks.items():
        text = re.sub(r"\s", "", articles[article])
        missing = [w for w in words if w not in text]
        assert not missing, (requirement.ref, article, missing)


@requires_regulations
def test_the_requirements_are_in_our_own_words() -> None:
    for requirement in load_requirements().all:
        text = " ".join([requirement.title, requirement.required, *requirement.evidence])
        assert not copied_runs(text), (requirement.ref, copied_runs(text))
