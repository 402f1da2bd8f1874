"""问答: chat with streamed, cited answers, earlier conversations and feedback."""

from __future__ import annotations

import itertools
from dataclasses import dataclass

import streamlit as st
from connection import call, client, describe, ready_chunks
from render import kind_label, org_label, reply

from assistant.answer.schema import Reply
from assistant.api.schemas import Filters
from assistant.client import APIRequestError, APIUnavailable
from assistant.conversations import Conversation
from assistant.schema import Kind

EXAMPLE_QUESTIONS = (
    "生产许可证的有效期是几年？到期前多久要申请延续？",
    "ISO 9001 的管理评审要输入哪些内容？",
    "我们公司内部审核多久做一次？",
    "企业名称变了，生产许可证要怎么办？",
)


@dataclass
class Exchange:
    question: str
    reply: Reply


state = st.session_state
state.setdefault("conversation_id", None)
state.setdefault("exchanges", [])
state.setdefault("rated", set())


def start_new() -> None:
    state.conversation_id = None
    state.exchanges = []


def open_conversation(conversation_id: str) -> None:
    found: Conversation = call(client().conversation, conversation_id)
    state.conversation_id = found.id
    state.exchanges = [
        Exchange(
            t.question,
            Reply(
                answer=t.answer,
                citations=t.citations,
                refused=t.refused,
                conversation_id=found.id,
                rewritten_question=t.rewritten_question,
                turn=t.turn,
            ),
        )
        for t in found.turns
    ]


def feedback_form(answer: Reply) -> None:
    key = f"{answer.conversation_id}-{answer.turn}"
    if key in state.rated:
        st.caption("已收到你的反馈，谢谢！")
        return
    with st.expander("评价这个回答"), st.form(f"feedback-{key}", border=False):
        rating = st.radio(
            "这个回答有帮助吗？", ["👍 有帮助", "👎 没帮助"], index=None, horizontal=True
        )
        comment = st.text_input("补充意见（可选）", max_chars=2000)
        if st.form_submit_button("提交反馈"):
            if rating is None:
                st.warning("请先选择 👍 或 👎。")
            else:
                score = 1 if rating.startswith("👍") else -1
                call(client().feedback, answer.conversation_id, answer.turn, score, comment)
                state.rated.add(key)
                st.rerun()


def show(exchange: Exchange) -> None:
    with st.chat_message("user"):
        st.markdown(exchange.question)
    with st.chat_message("assistant"):
        st.markdown(exchange.reply.answer)
        reply(exchange.reply)
        feedback_form(exchange.reply)


AUTOMATIC_SCOPE = "自动（本公司；问题点名的公司优先）"


def sidebar() -> tuple[str | None, Filters | None]:
    """Conversation list and search filters; returns the org and filters to ask with."""
    st.sidebar.button("➕ 新对话", on_click=start_new, width="stretch")
    documents = call(client().documents)
    with st.sidebar.expander("检索范围", expanded=False):
        kinds = st.multiselect(
            "资料类别", list(Kind), format_func=kind_label, placeholder="全部类别"
        )
        titles = {d.doc_id: d.title for d in documents if not kinds or d.kind in kinds}
        doc_ids = st.multiselect(
            "限定文档", list(titles), format_func=titles.__getitem__, placeholder="全部文档"
        )
        orgs = sorted({d.org for d in documents} - {"public"})
        org = st.selectbox(
            "组织",
            [None, *orgs],
            format_func=lambda o: (
                "自动（本公司；问题点名的公司优先）" if o is None else org_label(o)
            ),
            help="每个回答只用一个组织的程序文件，加上公共资料。",
        )
    st.sidebar.subheader("历史对话")
    earlier = call(client().conversations)
    if not earlier:
        st.sidebar.caption("还没有对话。")
    for conversation in earlier[:30]:
        label = conversation.title or "（未命名对话）"
        when = conversation.updated_at.astimezone().strftime("%m-%d %H:%M")
        st.sidebar.button(
            f"{label[:22]} · {when}",
            key=f"conversation-{conversation.id}",
            on_click=open_conversation,
            args=(conversation.id,),
            type="primary" if conversation.id == state.conversation_id else "secondary",
            width="stretch",
        )
    chosen = Filters(kinds=kinds, doc_ids=doc_ids) if kinds or doc_ids else None
    return org, chosen


def answer(question: str, org: str | None, filters: Filters | None) -> None:
    with st.chat_message("user"):
        st.markdown(question)
    with st.chat_message("assistant"):
        try:
            stream = client().chat(question, state.conversation_id, org, filters)
            pieces = iter(stream)
            with st.spinner("正在检索资料、核对出处…"):
                first = next(pieces, "")
            st.write_stream(itertools.chain([first], pieces))
            result = stream.reply
        except (APIUnavailable, APIRequestError) as exc:
            st.error(describe(exc), icon="🚫")
            return
    state.exchanges.append(Exchange(question, result))
    state.conversation_id = result.conversation_id
    st.rerun()


st.title("💬 问答")
st.caption(
    "关于生产许可证（XK）、ISO 9001 和公司程序文件的问题。回答均标注出处 [n]，点开即可查看原文。"
)
chunks = ready_chunks()
org, filters = sidebar()
if chunks == 0:
    st.info("资料库还是空的：请先在「文档库」页面上传法规、标准或程序文件。", icon="📭")

for exchange in state.exchanges:
    show(exchange)

if not state.exchanges:
    st.markdown("**可以这样问：**")
    columns = st.columns(2)
    for i, example in enumerate(EXAMPLE_QUESTIONS):
        columns[i % 2].button(
            example,
            key=f"example-{i}",
            on_click=state.__setitem__,
            args=("pending", example),
            width="stretch",
        )

typed = st.chat_input("输入问题，例如：许可证丢了怎么补领？")
question = typed or state.pop("pending", None)
if question:
    answer(question, org, filters)
