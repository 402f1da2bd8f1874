"""pyproject.toml declares what the code imports (so `pip install .` gives a working
`certguide`, and `.[ui]`, `.[llm]` the rest), and nothing the code never uses."""

from __future__ import annotations

import ast
import re
import sys
import tomllib
from functools import cache
from importlib.metadata import packages_distributions
from pathlib import Path

from assistant.settings import PROJECT_ROOT

FIRST_PARTY = {"assistant", "evals", "benchmarks", "tests", "ui", "connection", "render"}
# declared although no module imports them by name
NOT_IMPORTED = {
    "torch": "sentence-transformers' engine, pinned to the CPU wheel",
    "python-multipart": "FastAPI's form and upload parsing",
    "psycopg": "SQLAlchemy's PostgreSQL driver (postgresql+psycopg://)",
    "pytest-timeout": "a pytest plugin",
    "schemathesis": "run as a command by tests/api/test_schemathesis.py",
    "ruff": "make lint",
    "mypy": "make lint",
}


def _name(requirement: str) -> str:
    return re.split(r"[\s\[<>=!~;]", requirement, maxsplit=1)[0].lower().replace("_", "-")


@cache
def _project() -> dict[str, set[str]]:
    project = tomllib.loads((PROJECT_ROOT / "pyproject.toml").read_text("utf-8"))["project"]
    declared = {"": {_name(r) for r in project["dependencies"]}}
    for extra, requirements in project["optional-dependencies"].items():
        declared[extra] = {_name(r) for r in requirements}
    return declared


def _imported(folder: str) -> dict[str, set[str]]:
    """Distribution -> the files importing it (at the top or inside a function)."""
    distributions = packages_distributions()
    found: dict[str, set[str]] = {}
    for path in sorted((PROJECT_ROOT / folder).rglob("*.py")):
        for node in ast.walk(ast.parse(path.read_text("utf-8"))):
            if isinstance(node, ast.Import):
                modules = [alias.name for alias in node.names]
            elif isinstance(node, ast.ImportFrom) and node.module and not node.level:
                modules = [node.module]
            else:
                continue
            for module in modules:
                top = module.split(".")[0]
                if top in sys.stdlib_module_names or top in FIRST_PARTY:
                    continue
                for dist in distributions.get(top, [top]):
                    found.setdefault(_name(dist), set()).add(str(path.relative_to(PROJECT_ROOT)))
    return found


def test_the_library_declares_what_it_imports() -> None:
    declared = _project()
    allowed = declared[""] | declared["llm"]  # assistant/answer/llm.py imports openai lazily
    missing = {dist: files for dist, files in _imported("assistant").items() if dist not in allowed}
    assert not missing, missing
    optional = {d for d in _imported("assistant") if d in declared["llm"] - declared[""]}
    assert optional == {"openai", "langchain-openai"}  # and only on the LLM path


def test_the_ui_declares_what_it_imports() -> None:
    declared = _project()
    allowed = declared[""] | declared["ui"] | {"pandas"}  # pandas: streamlit's own dependency
    missing = {dist: files for dist, files in _imported("ui").items() if dist not in allowed}
    assert not missing, missing


def test_nothing_declared_goes_unused() -> None:
    used: set[str] = set()
    for folder in ("assistant", "ui", "evals", "benchmarks", "tests"):
        used |= set(_imported(folder))
    declared = set().union(*_project().values())
    unused = declared - used - set(NOT_IMPORTED)
    assert not unused, unused


def test_every_declared_package_is_pinned() -> None:
    lock = (PROJECT_ROOT / "requirements.lock").read_text("utf-8")
    pinned = {_name(line) for line in lock.splitlines() if "==" in line and line[0] != "#"}
    declared = set().union(*_project().values())
    assert declared <= pinned, declared - pinned
    assert not {"langchain-chroma", "langgraph"} & pinned  # unused: dropped, not carried


def test_the_installed_package_is_this_checkout() -> None:
    import assistant

    assert Path(assistant.__file__).resolve().is_relative_to(PROJECT_ROOT)
