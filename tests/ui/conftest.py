"""A real API server over the built-in corpus for the UI tests, and the UI scripts' path."""

from __future__ import annotations

import subprocess
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from assistant.conversations import ConversationStore
from assistant.db import default_database_url, make_engine
from assistant.settings import PROJECT_ROOT
from tests.conftest import CLIENTS_DIR, COMPANY_CORPUS
from tests.server import certguide_command, checkout_env, free_port, running, serve_command

UI_DIR = PROJECT_ROOT / "ui"
sys.path.insert(0, str(UI_DIR))  # as `streamlit run ui/app.py` does for the pages


@dataclass
class Stack:
    api_url: str
    data_dir: Path
    reports_dir: Path
    keys: dict[str, str]
    """API keys of the users the tests act as: staff and trainer (huarui), consultant
    (hengli), admin."""

    def conversations(self) -> ConversationStore:
        """The API's own conversation database, to check what the UI stored."""
        return ConversationStore(make_engine(default_database_url(self.data_dir)))


@pytest.fixture(scope="session")
def stack(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Stack]:
    root = tmp_path_factory.mktemp("ui")
    data_dir, reports_dir = root / "data", root / "reports"
    certguide = [*certguide_command(), "--data-dir", str(data_dir)]
    sources = [str(p) for p in (*COMPANY_CORPUS, CLIENTS_DIR / "hengli")]
    subprocess.run(
        [*certguide, "ingest", *sources], check=True, capture_output=True, env=checkout_env()
    )
    for org, name in (("huarui", "华瑞线缆有限公司"), ("hengli", "恒力起重机械配件有限公司")):
        subprocess.run(
            [*certguide, "orgs", "add", org, "--name", name], check=True, env=checkout_env()
        )
    keys = {}
    for role, orgs in (
        ("staff", "huarui"),
        ("trainer", "huarui"),
        ("consultant", "hengli"),
        ("admin", ""),
    ):
        created = subprocess.run(
            [*certguide, "users", "add", f"ui-{role}", "--role", role, "--orgs", orgs],
            check=True,
            capture_output=True,
            text=True,
            env=checkout_env(),
        )
        keys[role] = created.stdout.strip().splitlines()[-1]
    port = free_port()
    url = f"http://127.0.0.1:{port}"
    env = {"CERTGUIDE_EVAL_REPORTS_DIR": str(reports_dir)}
    with running(serve_command(data_dir, port), f"{url}/ready", root / "api.log", env=env):
        yield Stack(url, data_dir, reports_dir, keys)


@pytest.fixture()
def api_url(stack: Stack, monkeypatch: pytest.MonkeyPatch) -> str:
    monkeypatch.setenv("CERTGUIDE_API_URL", stack.api_url)
    monkeypatch.setenv("CERTGUIDE_API_KEY", stack.keys["staff"])
    return stack.api_url
