"""题库: pick sources, generate validated questions, review each beside its source passage,
edit (re-validated by the API), reorder, delete, export for Moodle, Excel, Word …"""

from __future__ import annotations

import hashlib

import streamlit as st
from connection import call, client, describe, ready_chunks
from render import kind_label

from assistant.api.schemas import QuestionPatch, QuizCreate
from assistant.client import APIRequestError, APIUnavailable
from assistant.quiz import Difficulty, Question, QuestionType, Quiz, Selection
from assistant.quiz.formats import FORMATS
from assistant.quiz.formats.common import answer_text, parse_answer
from assistant.schema import Kind

DIFFICULTY_LABELS = {Difficulty.easy: "简单", Difficulty.medium: "中等", Difficulty.hard: "较难"}


def flash(level: str, message: str) -> None:
    st.session_state.quiz_flash = (level, message)


def generate_section(open_by_default: bool) -> None:
    documents = call(client().documents)
    titles = {d.doc_id: f"{d.title}（{kind_label(d.kind)}）" for d in documents}
    with st.expander("➕ 生成新题库", expanded=open_by_default), st.form("generate"):
        title = st.text_input("题库名称", placeholder="例如：2026 年双证联动培训", max_chars=200)
        doc_ids = st.multiselect(
            "文档（不选 = 全部）", list(titles), format_func=titles.__getitem__
        )
        kinds = st.multiselect("类别（不选 = 全部）", list(Kind), format_func=kind_label)
        ref = st.text_input(
            "条款范围（可选）", placeholder="第五条-第十条、7.1-7.5、HR-QP-05 §4.1-4.5"
        )
        left, middle, right = st.columns(3)
        n = left.number_input("题量", min_value=1, max_value=200, value=10)
        difficulty = middle.selectbox(
            "难度", list(Difficulty), index=1, format_func=DIFFICULTY_LABELS.__getitem__
        )
        seed = right.number_input("随机种子（相同种子出相同的题）", value=1, step=1)
        types = st.multiselect("题型", list(QuestionType), default=list(QuestionType))
        submitted = st.form_submit_button("生成题目", type="primary")
    if not submitted:
        return
    request = QuizCreate(
        title=title.strip(),
        sources=Selection(doc_ids=doc_ids, kinds=list(kinds), ref=ref.strip()),
        n=int(n),
        types=types or list(QuestionType),
        seed=int(seed),
        difficulty=difficulty or Difficulty.medium,
    )
    try:
        with st.spinner("正在出题并逐题核对出处…"):
            quiz = client().create_quiz(request)
    except (APIUnavailable, APIRequestError) as exc:
        st.error(describe(exc), icon="🚫")
        return
    report = quiz.report
    if report is not None:
        st.success(
            f"已生成 {report.kept} 道题：共出 {report.generated} 道，"
            f"{report.dropped} 道未通过出处校验已丢弃。",
            icon="✅",
        )
        st.caption(report.quality())
    st.session_state["quiz-id"] = quiz.id


def export_section(quiz: Quiz) -> None:
    left, right = st.columns([2, 1])
    name = left.selectbox(
        "导出格式", list(FORMATS), format_func=lambda f: FORMATS[f].description, key="format"
    )
    fmt = FORMATS[name]
    data = call(client().export_quiz, quiz.id, name)
    right.download_button(
        "⬇️ 下载",
        data=data,
        file_name=f"{quiz.title or 'quiz'}.{fmt.extension}",
        mime=fmt.media_type,
        key="download",
    )


def _move(quiz: Quiz, position: int, to: int) -> None:
    questions = list(quiz.questions)
    questions.insert(to, questions.pop(position))
    try:
        client().replace_questions(quiz.id, questions)
    except (APIUnavailable, APIRequestError) as exc:
        flash("error", describe(exc))


def _delete(quiz: Quiz, position: int) -> None:
    try:
        client().delete_question(quiz.id, position)
    except (APIUnavailable, APIRequestError) as exc:
        flash("error", describe(exc))
        return
    flash("success", f"已删除第 {position + 1} 题。")


def widget_key(position: int, question: Question) -> str:
    """Position plus content: after a reorder or an edit the form shows the new content
    instead of the state Streamlit kept for the old key."""
    digest = hashlib.sha1(question.model_dump_json().encode()).hexdigest()[:10]
    return f"{position}-{digest}"


def edit_form(quiz: Quiz, position: int, question: Question) -> None:
    key = widget_key(position, question)
    with st.expander("✏️ 编辑"), st.form(f"edit-{key}"):
        stem = st.text_area("题干", question.stem, key=f"stem-{key}")
        options = st.text_area(
            "选项（每行一个，不写字母）", "\n".join(question.options), key=f"options-{key}"
        )
        answer = st.text_input(
            "答案（字母如 A、AC；判断填 正确/错误；填空填原文）",
            answer_text(question),
            key=f"answer-{key}",
        )
        explanation = st.text_area("解析", question.explanation, key=f"explanation-{key}")
        if not st.form_submit_button("保存并重新校验"):
            return
    patch = QuestionPatch(
        stem=stem.strip(),
        options=[line.strip() for line in options.splitlines() if line.strip()],
        answer=parse_answer(question.type, answer),
        explanation=explanation.strip(),
    )
    try:
        edited = client().edit_question(quiz.id, position, patch).questions[position]
    except (APIUnavailable, APIRequestError) as exc:
        flash("error", describe(exc))
    else:
        if edited.flagged:
            flash("warning", f"第 {position + 1} 题已保存，但与出处不再一致，已标记。")
        else:
            flash("success", f"第 {position + 1} 题已保存，仍与出处一致。")
    st.rerun()


def source_passage(question: Question) -> None:
    source = question.source
    st.caption(f"出处：《{source.title}》{source.ref} · {source.doc_id}")
    passage = source.passage or source.text
    st.markdown(passage.replace(source.text, f"**{source.text}**", 1))


def question_card(quiz: Quiz, position: int, question: Question) -> None:
    with st.container(border=True):
        left, right = st.columns([3, 2])
        with left:
            st.markdown(f"**{position + 1}. 【{question.type.value}】** {question.stem}")
            for option in question.lettered_options():
                st.markdown(f"- {option}")
            st.markdown(f"**答案：** {answer_text(question)}")
            st.caption(f"解析：{question.explanation}")
            if question.flagged:
                st.warning("与出处不再一致：" + "；".join(question.problems), icon="⚠️")
            up, remove = st.columns(2)
            up.button("⬆️ 上移", key=f"up-{position}", disabled=position == 0,
                      on_click=_move, args=(quiz, position, position - 1))  # fmt: skip
            remove.button("🗑️ 删除", key=f"delete-{position}", on_click=_delete,
                          args=(quiz, position))  # fmt: skip
            edit_form(quiz, position, question)
        with right:
            source_passage(question)


st.title("📝 题库")
st.caption(
    "从法规、标准条款和程序文件出题；每道题的答案都逐字核对所引出处，不一致的题会被丢弃或标记。"
)
if message := st.session_state.pop("quiz_flash", None):
    level, text = message
    {"success": st.success, "warning": st.warning}.get(level, st.error)(text)
ready_chunks()
quizzes = call(client().quizzes)
generate_section(open_by_default=not quizzes and "quiz-id" not in st.session_state)
quizzes = call(client().quizzes)
if not quizzes:
    st.info("还没有题库。选择资料范围后点「生成题目」。", icon="📭")
    st.stop()
labels = {q.id: f"{q.title}（{q.created_at.astimezone():%Y-%m-%d %H:%M}）" for q in quizzes}
if st.session_state.get("quiz-id") not in labels:
    st.session_state["quiz-id"] = quizzes[0].id
quiz_id = st.selectbox("打开题库", list(labels), format_func=labels.__getitem__, key="quiz-id")
quiz = call(client().quiz, quiz_id)
flagged = sum(q.flagged for q in quiz.questions)
st.subheader(quiz.title)
st.caption(
    f"{len(quiz.questions)} 道题 · 难度 {DIFFICULTY_LABELS[quiz.difficulty]} · 种子 {quiz.seed}"
    + (f" · ⚠️ {flagged} 道题需复核" if flagged else "")
)
export_section(quiz)
for position, question in enumerate(quiz.questions):
    question_card(quiz, position, question)
