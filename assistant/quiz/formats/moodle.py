"""Moodle XML (multichoice, truefalse, shortanswer). The source span is a
``<certguide_source>`` element, which Moodle's importer skips."""

from __future__ import annotations

import xml.etree.ElementTree as ET
from collections.abc import Sequence

from assistant.quiz.formats.common import NO_SOURCE
from assistant.quiz.schema import FALSE, LETTERS, TRUE, Question, QuestionType, Source

_TYPES = {
    QuestionType.single: "multichoice",
    QuestionType.multiple: "multichoice",
    QuestionType.judge: "truefalse",
    QuestionType.blank: "shortanswer",
}


def _text(parent: ET.Element, tag: str, value: str, **attrs: str) -> None:
    element = ET.SubElement(parent, tag, {"format": "plain_text", **attrs})
    ET.SubElement(element, "text").text = value


def _answers(question: Question) -> list[tuple[str, str]]:
    """(fraction, text) per answer."""
    if question.type is QuestionType.judge:
        right = question.answer == [TRUE]
        return [("100" if right else "0", "true"), ("0" if right else "100", "false")]
    if question.type is QuestionType.blank:
        return [("100", a) for a in question.answer]
    correct = set(question.answer)
    share = f"{100 / len(correct):.5g}" if correct else "0"
    wrong = "0" if question.type is QuestionType.single else "-100"
    return [
        (share if LETTERS[i] in correct else wrong, option)
        for i, option in enumerate(question.options)
    ]


def write(title: str, questions: Sequence[Question]) -> bytes:
    quiz = ET.Element("quiz")
    category = ET.SubElement(quiz, "question", {"type": "category"})
    ET.SubElement(ET.SubElement(category, "category"), "text").text = f"$course$/{title}"
    for n, question in enumerate(questions, 1):
        element = ET.SubElement(quiz, "question", {"type": _TYPES[question.type]})
        ET.SubElement(ET.SubElement(element, "name"), "text").text = f"Q{n} {question.type.value}"
        _text(element, "questiontext", question.stem)
        _text(element, "generalfeedback", question.explanation)
        if question.type in (QuestionType.single, QuestionType.multiple):
            single = "true" if question.type is QuestionType.single else "false"
            ET.SubElement(element, "single").text = single
            ET.SubElement(element, "shuffleanswers").text = "false"
            ET.SubElement(element, "answernumbering").text = "ABCD"
        for fraction, text in _answers(question):
            _text(element, "answer", text, fraction=fraction)
        source = question.source
        ET.SubElement(
            element, "certguide_source", {"doc_id": source.doc_id, "ref": source.ref}
        ).text = source.text
    ET.indent(quiz)
    return ET.tostring(quiz, encoding="utf-8", xml_declaration=True)


def _child_text(element: ET.Element, path: str) -> str:
    found = element.find(path)
    return (found.text or "") if found is not None else ""


def read(data: bytes) -> list[Question]:
    questions = []
    for element in ET.fromstring(data).iter("question"):
        kind = element.get("type")
        if kind == "category":
            continue
        answers = [(float(a.get("fraction", "0")), _child_text(a, "text"))
                   for a in element.findall("answer")]  # fmt: skip
        source_element = element.find("certguide_source")
        source = (
            Source(doc_id=source_element.get("doc_id", ""), ref=source_element.get("ref", ""),
                   text=source_element.text or "")
            if source_element is not None
            else NO_SOURCE
        )  # fmt: skip
        if kind == "truefalse":
            right = next(text for fraction, text in answers if fraction > 0)
            qtype, options, answer = QuestionType.judge, [], [TRUE if right == "true" else FALSE]
        elif kind == "shortanswer":
            qtype, options = QuestionType.blank, list[str]()
            answer = [text for fraction, text in answers if fraction > 0]
        else:
            single = _child_text(element, "single") == "true"
            qtype = QuestionType.single if single else QuestionType.multiple
            options = [text for _, text in answers]
            answer = [LETTERS[i] for i, (fraction, _) in enumerate(answers) if fraction > 0]
        questions.append(
            Question(
                type=qtype,
                stem=_child_text(element, "questiontext/text"),
                options=options,
                answer=answer,
                explanation=_child_text(element, "generalfeedback/text"),
                source=source,
            )
        )
    return questions
