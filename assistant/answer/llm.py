"""Optional LLM generator: any OpenAI-compatible chat endpoint, through LangChain.

The model only sees a few numbered passages and must mark every sentence with [n]. Its
answer is then checked sentence by sentence against the passages it cites; unsupported
sentences are dropped, and if too little survives the caller falls back to the extractive
answer. Small local models invent articles and botch arithmetic, so the check is the point.
"""

from __future__ import annotations

import re
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from urllib.parse import urlsplit

import httpx

from assistant.schema import Hit
from assistant.settings import Settings
from assistant.text.analysis import content_terms, support

PROMPT_PASSAGES = 3
PASSAGE_CHARS = 280
MIN_KEPT_SHARE = 0.5
_MARKER_RE = re.compile(r"\[(\d+)\]")
_SENTENCE_RE = re.compile(r"[^。！？\n]+[。！？]?")
NO_ANSWER = "资料中没有相关信息"

SYSTEM_PROMPT = (
    "你是认证助手，回答中国制造企业关于工业产品生产许可证和ISO 9001认证的问题。"
    "请根据用户消息中编号的资料直接回答问题，先给出结论（如期限、数量、负责人）。"
    "只使用资料中的内容，不要编造条款号或数字。用简体中文回答，不超过三句话，"
    "每句话末尾用[编号]标明依据的资料，例如[1]。"
    f"只有当所有资料都与问题无关时，才回答：{NO_ANSWER}。"
)


REWRITE_PROMPT = (
    "把用户的追问改写成一个不依赖上下文、意思完整的中文问题。只输出改写后的问题，不要回答。"
)
MAX_REWRITE_CHARS = 120
MIN_TOPIC_SHARE = 0.6  # of the terms the rules borrowed from earlier turns


class LLMUnavailable(RuntimeError):
    """Why no LLM answer came, in words a user can act on (never a bare connection error)."""


LOOPBACK_HOSTS = {"127.0.0.1", "localhost", "::1"}
REBUILD_HINT = "rebuild it with `make llm-rebuild`"


@dataclass
class CheckedAnswer:
    sentences: list[tuple[str, list[int]]] = field(default_factory=list)  # text, passage idx
    dropped: int = 0
    declined: bool = False

    @property
    def acceptable(self) -> bool:
        total = len(self.sentences) + self.dropped
        return bool(self.sentences) and len(self.sentences) / total >= MIN_KEPT_SHARE


def build_messages(question: str, hits: list[Hit]) -> list[tuple[str, str]]:
    passages = "\n".join(
        f"[{n}]《{hit.title}》{hit.ref}：{hit.text[:PASSAGE_CHARS]}"
        for n, hit in enumerate(hits[:PROMPT_PASSAGES], 1)
    )
    return [("system", SYSTEM_PROMPT), ("human", f"资料：\n{passages}\n\n问题：{question}")]


def check_sentence(raw: str, passages: list[Hit]) -> tuple[str, list[int]] | None:
    """The sentence without markers and the passages that support it, or None."""
    markers = [int(n) - 1 for n in _MARKER_RE.findall(raw)]
    sentence = _MARKER_RE.sub("", raw).strip().rstrip("。！？").strip()
    cited = [i for i in markers if 0 <= i < len(passages)]
    candidates = cited or list(range(len(passages)))
    supporting = [i for i in candidates if support(sentence, passages[i].text).supported]
    if not supporting:
        return None
    return sentence, supporting if cited else supporting[:1]


def _is_sentence(raw: str) -> bool:
    return len(_MARKER_RE.sub("", raw).strip().rstrip("。！？")) >= 4


def check_answer(text: str, hits: list[Hit]) -> CheckedAnswer:
    """Keep only sentences whose cited passage supports them (terms and exact numbers)."""
    passages = hits[:PROMPT_PASSAGES]
    checked = CheckedAnswer(declined=NO_ANSWER in text)
    if checked.declined:
        return checked
    for raw in filter(_is_sentence, _SENTENCE_RE.findall(text)):
        kept = check_sentence(raw, passages)
        if kept:
            checked.sentences.append(kept)
        else:
            checked.dropped += 1
    return checked


class LLMGenerator:
    name = "llm"

    def __init__(self, settings: Settings) -> None:
        from langchain_openai import ChatOpenAI

        self.model_name = settings.llm_model
        self.base_url = settings.llm_base_url.rstrip("/")
        self.timeout_seconds = settings.llm_timeout_seconds
        self.retry_seconds = settings.llm_retry_seconds
        self._down: tuple[float, str] | None = None  # (retry after, why) once the server is gone
        self.chat = ChatOpenAI(
            base_url=settings.llm_base_url,
            model=settings.llm_model,
            api_key=settings.llm_api_key,  # type: ignore[arg-type]
            timeout=settings.llm_timeout_seconds,
            max_retries=0,
            temperature=0.0,
            max_tokens=settings.llm_max_tokens,  # type: ignore[call-arg]
        )

    def rewrite(self, question: str, history: list[str], rule_based: str) -> str:
        """A stand-alone version of a follow-up; the rule-based one unless the model's
        version is short, plain and keeps the topic the rules found."""
        earlier = "\n".join(f"- {h}" for h in history[-3:])
        prompt = f"之前的问题：\n{earlier}\n追问：{question}\n改写后的问题："
        self._raise_if_down()
        try:
            message = self.chat.invoke([("system", REWRITE_PROMPT), ("human", prompt)])
        except Exception as exc:  # as in generate()
            raise self._unavailable(exc) from exc
        text = str(message.content).strip().splitlines()[0].strip() if message.content else ""
        text = text.removeprefix("改写后的问题：").strip("“”\"' ")
        topic = content_terms(rule_based) - content_terms(question)
        keeps_topic = len(topic & content_terms(text)) >= MIN_TOPIC_SHARE * len(topic)
        if 4 <= len(text) <= MAX_REWRITE_CHARS and "[" not in text and keeps_topic:
            return text
        return rule_based

    def generate(self, question: str, hits: list[Hit]) -> CheckedAnswer:
        self._raise_if_down()
        try:
            message = self.chat.invoke(build_messages(question, hits))
        except Exception as exc:  # openai/httpx raise many kinds; all mean "no answer"
            raise self._unavailable(exc) from exc
        content = message.content if isinstance(message.content, str) else str(message.content)
        return check_answer(content, hits)

    def stream_checked(
        self, question: str, hits: list[Hit]
    ) -> Iterator[tuple[str, list[int]] | None]:
        """Checked sentences as the model finishes them; None for a dropped sentence."""
        passages = hits[:PROMPT_PASSAGES]
        buffer = ""
        self._raise_if_down()
        try:
            for chunk in self.chat.stream(build_messages(question, hits)):
                buffer += chunk.content if isinstance(chunk.content, str) else str(chunk.content)
                while (end := _sentence_end(buffer)) is not None:
                    raw, buffer = buffer[:end], buffer[end:]
                    if NO_ANSWER in raw:
                        return
                    if _is_sentence(raw):
                        yield check_sentence(raw, passages)
        except Exception as exc:  # as in generate(): any client failure means "no answer"
            raise self._unavailable(exc) from exc
        if _is_sentence(buffer) and NO_ANSWER not in buffer:
            yield check_sentence(buffer, passages)

    def _raise_if_down(self) -> None:
        """A server found gone is not asked again for a while: each question would
        otherwise wait on it before falling back."""
        if self._down is not None:
            retry_after, why = self._down
            if time.monotonic() < retry_after:
                raise LLMUnavailable(why)
            self._down = None

    def _unavailable(self, exc: Exception) -> LLMUnavailable:
        """Say what went wrong; a server that no longer answers at all is reported as gone
        (a local llama.cpp built for another CPU dies like this on its first completion)."""
        import openai

        if isinstance(exc, openai.APITimeoutError):
            return LLMUnavailable(f"the LLM did not answer within {self.timeout_seconds:.0f} s")
        if isinstance(exc, openai.APIStatusError):
            return LLMUnavailable(f"the LLM endpoint answered HTTP {exc.status_code}")
        if self._server_answers():
            return LLMUnavailable(f"the LLM request failed ({type(exc).__name__})")
        why = f"the LLM server at {self.base_url} stopped answering"
        if urlsplit(self.base_url).hostname in LOOPBACK_HOSTS:
            why += f"; the local LLM may have crashed on this CPU: {REBUILD_HINT}"
        self._down = (time.monotonic() + self.retry_seconds, why)
        return LLMUnavailable(why)

    def _server_answers(self) -> bool:
        try:
            return httpx.get(f"{self.base_url}/models", timeout=5).is_success
        except httpx.HTTPError:
            return False


def _sentence_end(text: str) -> int | None:
    """Index just past the first finished sentence and its trailing [n] markers; None while
    a marker may still be arriving."""
    match = re.search(r"[。！？\n](?:\s*\[\d+\])*", text)
    if match is None:
        return None
    rest = text[match.end() :]
    if not rest or (rest.lstrip().startswith("[") and "]" not in rest):
        return None
    return match.end()
