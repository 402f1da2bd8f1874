"""Structure-aware splitting: articles for regulations, clauses for standards, numbered
sections for procedures, headings for everything else. A chunk never straddles two refs."""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass, field

from langchain_text_splitters import RecursiveCharacterTextSplitter

from assistant.ingest.detect import ARTICLE_LINE_RE
from assistant.refs import CN_NUMERAL, NumeralError, article_ref, cn_to_int
from assistant.schema import Chunk, Kind, SourceDocument, version_id

_HEADING_RE = re.compile(r"^(#{1,6})\s+(.+?)\s*#*$")
_CHAPTER_RE = re.compile(rf"^(?:#{{1,6}}\s+)?(第\s*[{CN_NUMERAL}\d]+\s*[章节编])\s*(.*)$")
_NUMBERED_RE = re.compile(r"^(\d{1,2}(?:\.\d{1,2}){0,3})(?!\d)\.?\s*(\D.*)$")
_BARE_NUMBERED_LINE_RE = re.compile(r"^(\d{1,2}(?:\.\d{1,2}){0,3})\.?\s+(\S.{0,30})$")
_ITEM_RE = re.compile(rf"^\s*[（(][{CN_NUMERAL}\d]+[）)]")


@dataclass
class _Section:
    path: list[str]
    number: str
    heading: str
    lines: list[str] = field(default_factory=list)


@dataclass
class _Piece:
    ref: str
    section: str
    text: str
    article: int | None = None
    clause: str = ""


class Chunker:
    def __init__(self, max_chars: int = 700, overlap: int = 80) -> None:
        self.max_chars = max_chars
        self.splitter = RecursiveCharacterTextSplitter(
            chunk_size=max_chars,
            chunk_overlap=overlap,
            separators=["\n\n", "\n", "。", "；", "，", ""],
            keep_separator="end",
        )

    def chunk(self, doc: SourceDocument) -> list[Chunk]:
        if doc.kind is Kind.regulation and ARTICLE_LINE_RE.search(doc.text):
            pieces = list(self._regulation(doc))
        elif doc.kind in (Kind.standard, Kind.procedure):
            pieces = list(self._numbered(doc))
        else:
            pieces = list(self._headings(doc))
        return [
            Chunk(
                chunk_id=f"{version_id(doc.doc_id, doc.content_hash)}::{position:04d}",
                doc_id=doc.doc_id,
                title=doc.title,
                kind=doc.kind,
                org=doc.org,
                ref=piece.ref,
                section=piece.section,
                text=piece.text,
                source=doc.source,
                content_hash=doc.content_hash,
                position=position,
                article=piece.article,
                clause=piece.clause,
                code=doc.code,
            )
            for position, piece in enumerate(pieces)
            if piece.text.strip()
        ]

    # -- regulations ---------------------------------------------------------------
    def _regulation(self, doc: SourceDocument) -> Iterator[_Piece]:
        chapter = ""
        preamble: list[str] = []
        article: tuple[int, list[str]] | None = None
        for raw_line in doc.text.split("\n"):
            line = raw_line.strip()
            if not line:
                continue
            article_match = ARTICLE_LINE_RE.match(line)
            chapter_match = _CHAPTER_RE.match(line) if not article_match else None
            if article_match:
                if article:
                    yield from self._article(article, chapter)
                try:
                    number = cn_to_int(article_match.group(1))
                except NumeralError:
                    number = 0
                article = (number, [line])
            elif chapter_match:
                if article:
                    yield from self._article(article, chapter)
                    article = None
                label = f"{chapter_match.group(1)} {chapter_match.group(2)}".strip()
                label = re.sub(r"\s+", " ", label)
                if "节" in chapter_match.group(1) and chapter:
                    chapter = f"{chapter.split(' > ')[0]} > {label}"
                else:
                    chapter = label
            elif article:
                article[1].append(line)
            elif not _HEADING_RE.match(line) or not preamble:
                preamble.append(_HEADING_RE.sub(r"\2", line))
        if article:
            yield from self._article(article, chapter)
        if preamble:
            text = "\n".join(preamble)
            for part in self._split(text):
                yield _Piece(ref="总述", section="总述", text=part)

    def _article(self, article: tuple[int, list[str]], chapter: str) -> Iterator[_Piece]:
        number, lines = article
        ref = article_ref(number) if number else lines[0][:12]
        section = f"{chapter} > {ref}" if chapter else ref
        text = "\n".join(lines)
        if len(text) <= self.max_chars:
            yield _Piece(ref=ref, section=section, text=text, article=number or None)
            return
        # Long article: split between items, repeating the article number on every part.
        lead = lines[0]
        groups: list[list[str]] = [[lead]]
        for line in lines[1:]:
            current = groups[-1]
            if sum(len(x) for x in current) + len(line) > self.max_chars and (
                _ITEM_RE.match(line) or len(current) > 1
            ):
                groups.append([])
            groups[-1].append(line)
        for index, group in enumerate(groups):
            if index == 0:
                body = "\n".join(group)
            else:
                head = lead if len(lead) <= 80 else lead[:78] + "……"
                body = f"{head}\n" + "\n".join(group)
            for part in self._split(body):
                if not part.startswith(ref) and not part.startswith("第"):
                    part = f"{ref}（续）{part}"
                yield _Piece(ref=ref, section=section, text=part, article=number or None)

    # -- standards and procedures: numbered sections ---------------------------------
    def _numbered(self, doc: SourceDocument) -> Iterator[_Piece]:
        has_markdown_headings = any(_HEADING_RE.match(line) for line in doc.text.split("\n")[:400])
        for section in self._sections(doc.text, bare_numbers=not has_markdown_headings):
            body = "\n".join(section.lines).strip()
            if not body:
                continue
            if section.number:
                ref = (
                    f"{doc.code} §{section.number}"
                    if doc.kind is Kind.procedure and doc.code
                    else section.number
                )
            else:
                ref = section.heading or doc.title
            for part in self._split(body):
                yield _Piece(
                    ref=ref, section=" > ".join(section.path), text=part, clause=section.number
                )

    # -- guides and anything else: headings -----------------------------------------------
    def _headings(self, doc: SourceDocument) -> Iterator[_Piece]:
        for section in self._sections(doc.text, bare_numbers=False):
            body = "\n".join(section.lines).strip()
            if not body:
                continue
            ref = section.heading or doc.title
            for part in self._split(body):
                yield _Piece(ref=ref, section=" > ".join(section.path) or doc.title, text=part)

    def _sections(self, text: str, bare_numbers: bool) -> Iterator[_Section]:
        stack: list[tuple[int, str]] = []  # (level, heading label)
        current = _Section(path=[], number="", heading="")
        for raw_line in text.split("\n"):
            line = raw_line.rstrip()
            heading = _HEADING_RE.match(line.strip())
            level, label = 0, ""
            if heading:
                level, label = len(heading.group(1)), heading.group(2).strip()
            elif bare_numbers and (bare := _BARE_NUMBERED_LINE_RE.match(line.strip())):
                level = 1 + bare.group(1).count(".") + 1
                label = line.strip()
            if not level:
                if line.strip():
                    current.lines.append(line.strip())
                continue
            if level == 1 and not stack and not current.lines:
                continue  # the document title
            yield current
            numbered = _NUMBERED_RE.match(label)
            number = numbered.group(1) if numbered and numbered.group(2) else ""
            if number:  # 7 > 7.1 > 7.1.5 nest by number, whatever the heading level
                level = 10 + number.count(".")
            while stack and stack[-1][0] >= level:
                stack.pop()
            stack.append((level, label))
            current = _Section(path=[lab for _, lab in stack], number=number, heading=label)
        yield current

    def _split(self, text: str) -> list[str]:
        text = text.strip()
        if len(text) <= self.max_chars:
            return [text] if text else []
        return [part.strip() for part in self.splitter.split_text(text) if part.strip()]
