"""The typed HTTP client the UI uses, against the real API server."""

from __future__ import annotations

import pytest

from assistant.api.schemas import Filters
from assistant.client import APIRequestError, APIUnavailable, CertGuideClient
from assistant.schema import Kind
from tests.server import free_port
from tests.ui.conftest import Stack


def test_errors_come_out_typed(api_url: str, stack: Stack) -> None:
    with CertGuideClient(api_url) as anonymous:
        with pytest.raises(APIRequestError) as no_key:
            anonymous.documents()
        assert (no_key.value.status, no_key.value.code) == (401, "unauthorized")
    with CertGuideClient(api_url, api_key=stack.keys["admin"]) as client:
        with pytest.raises(APIRequestError) as unknown:
            client.document("no-such-document")
        assert (unknown.value.status, unknown.value.code) == (404, "not_found")
        with pytest.raises(APIRequestError) as unsupported:
            client.upload("notes.exe", b"MZ")
        assert unsupported.value.status == 415
        with pytest.raises(APIRequestError) as bad_chat:
            list(client.chat("有效期", conversation_id="no-such-conversation"))
        assert bad_chat.value.status == 404
    with CertGuideClient(f"http://127.0.0.1:{free_port()}", timeout=5) as down:
        with pytest.raises(APIUnavailable):
            down.ready()
        with pytest.raises(APIUnavailable):
            list(down.chat("有效期"))


def test_streamed_reply_equals_the_one_shot_reply(api_url: str, stack: Stack) -> None:
    question = "内部审核多久做一次？"
    only_procedures = Filters(kinds=[Kind.procedure])
    with CertGuideClient(api_url, api_key=stack.keys["admin"]) as client:
        stream = client.chat(question, filters=only_procedures)
        pieces = list(stream)
        streamed = stream.reply
        whole = client.ask(question, filters=only_procedures)
    assert len(pieces) >= 1 and "".join(pieces) == streamed.answer
    assert streamed.answer == whole.answer
    assert [c.chunk_id for c in streamed.citations] == [c.chunk_id for c in whole.citations]
    assert all(c.kind == Kind.procedure for c in streamed.citations)
    assert streamed.conversation_id != whole.conversation_id  # each call starts a conversation
