"""``certguide`` command line: ingest, search, documents, check, repair, stats, build-model."""

from __future__ import annotations

import argparse
import dataclasses
import json
import os
import sys
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import Any

from assistant.schema import Hit, Kind
from assistant.settings import Settings, get_settings

EXIT_OK, EXIT_ERROR, EXIT_USAGE, EXIT_PARTIAL = 0, 1, 2, 3


def _settings(args: argparse.Namespace) -> Settings:
    settings = get_settings()
    if args.data_dir:
        settings = settings.model_copy(update={"data_dir": Path(args.data_dir)})
    return settings


def _knowledge(args: argparse.Namespace) -> Any:
    from assistant.knowledge import KnowledgeBase

    return KnowledgeBase(_settings(args))


def _filters(args: argparse.Namespace) -> Any:
    from assistant.store.chroma_store import SearchFilter

    return SearchFilter(
        kinds=args.kind or [],
        orgs=args.org or [],
        doc_ids=args.doc or [],
    )


def _question_filter(
    settings: Settings, question: str, filters: Any, chosen: str | None = None
) -> Any:
    """Without an explicit org or document list a question reads one org plus public: the
    org it names, else ``chosen`` (--org), else the home org the CLI user works for."""
    from assistant.access import Principal, Role
    from assistant.access_cli import open_access
    from assistant.scope import question_scope
    from assistant.store.chroma_store import SearchFilter

    if filters.orgs or filters.doc_ids:
        return filters
    local_user = Principal(name="cli", role=Role.admin)
    orgs = open_access(settings).orgs()
    scope = question_scope(question, local_user, orgs, settings.home_org, chosen)
    return SearchFilter(kinds=filters.kinds, orgs=scope.orgs, doc_ids=filters.doc_ids)


def _print_json(payload: object) -> None:
    print(json.dumps(payload, ensure_ascii=False), flush=True)


def _hit_json(hit: Hit) -> dict[str, Any]:
    return hit.model_dump(mode="json")


def _print_hits(hits: list[Hit]) -> None:
    if not hits:
        print("没有找到相关内容 (no results).")
        return
    for rank, hit in enumerate(hits, 1):
        text = hit.text.replace("\n", " ")
        print(
            f"{rank}. [{hit.kind.value}/{hit.org}] {hit.title} · {hit.ref}  (score {hit.score:.4f})"
        )
        print(f"   {text[:160]}{'…' if len(text) > 160 else ''}")


# -- commands ---------------------------------------------------------------------------
def cmd_ingest(args: argparse.Namespace) -> int:
    kb = _knowledge(args)
    report = kb.ingest(
        [Path(p) for p in args.paths],
        kind=Kind(args.kind_one) if args.kind_one else None,
        org=args.org_one,
        title=args.title,
    )
    for result in report.results:
        if result.status == "failed":
            print(f"error: {result.path}: {result.error}", file=sys.stderr)
        elif args.verbose:
            print(f"{result.status:9} {result.doc_id} ({result.chunks} chunks) {result.path}")
    print(report.summary())
    if not report.results:
        print("error: no supported files found", file=sys.stderr)
        return EXIT_ERROR
    from assistant.services import Services

    # names the orgs, and makes what the first question would wait for (BM25, vectors)
    Services.build(kb.settings, kb).prepare()
    if report.failed:
        return EXIT_PARTIAL if len(report.failed) < len(report.results) else EXIT_ERROR
    return EXIT_OK


def cmd_search(args: argparse.Namespace) -> int:
    from assistant.retrieval.hybrid import Mode

    kb = _knowledge(args)
    filters = _filters(args)
    mode = Mode(args.mode)
    if args.batch:
        return _search_batch(kb, Path(args.batch), args.k, filters, mode)
    if not args.question:
        print("error: give a QUESTION or --batch FILE", file=sys.stderr)
        return EXIT_USAGE
    question = " ".join(args.question)
    try:
        hits = kb.search(question, args.k, _question_filter(kb.settings, question, filters), mode)
    except ValueError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return EXIT_USAGE
    if args.json:
        _print_json({"hits": [_hit_json(h) for h in hits]})
    else:
        _print_hits(hits)
    return EXIT_OK


def _read_batch(path: Path) -> Iterator[tuple[int, dict[str, Any] | Exception]]:
    """JSON lines ``{"id", "question", ...}``; a bad line yields its error, not a stop."""
    source = sys.stdin if str(path) == "-" else path.open(encoding="utf-8")
    with source:
        for line_no, line in enumerate(source, 1):
            if not line.strip():
                continue
            try:
                item = json.loads(line)
                if not isinstance(item, dict) or not isinstance(item.get("question"), str):
                    raise ValueError("expected an object with a string 'question'")
            except ValueError as exc:
                yield line_no, exc
                continue
            yield line_no, item


def _search_batch(kb: Any, path: Path, k: int, filters: Any, mode: Any) -> int:
    failures = 0
    try:
        for line_no, item in _read_batch(path):
            if isinstance(item, Exception):
                failures += 1
                _print_json({"id": None, "error": f"line {line_no}: {item}", "hits": []})
                continue
            try:
                scoped = _question_filter(kb.settings, item["question"], filters)
                hits = kb.search(item["question"], k, scoped, mode)
            except ValueError as exc:
                failures += 1
                _print_json({"id": item.get("id"), "error": f"line {line_no}: {exc}", "hits": []})
                continue
            _print_json({"id": item.get("id"), "hits": [_hit_json(h) for h in hits]})
    except OSError as exc:
        print(f"error: cannot read {path}: {exc.strerror}", file=sys.stderr)
        return EXIT_ERROR
    return EXIT_PARTIAL if failures else EXIT_OK


def cmd_documents(args: argparse.Namespace) -> int:
    kb = _knowledge(args)
    if args.action == "list":
        records = kb.documents(_filters(args))
        if args.json:
            _print_json({"documents": [r.model_dump(mode="json") for r in records]})
            return EXIT_OK
        for r in records:
            print(f"{r.doc_id:32} {r.kind.value:10} {r.org:10} {r.chunk_count:5}  {r.title}")
        print(f"{len(records)} documents")
        return EXIT_OK
    if not args.doc_id:
        print(f"error: documents {args.action} needs a DOC_ID", file=sys.stderr)
        return EXIT_USAGE
    if args.action == "show":
        found = kb.document(args.doc_id)
        if found is None:
            print(f"error: unknown document {args.doc_id!r}", file=sys.stderr)
            return EXIT_ERROR
        record, chunks = found
        if args.json:
            _print_json(
                {
                    "document": record.model_dump(mode="json"),
                    "chunks": [c.model_dump(mode="json") for c in chunks],
                }
            )
            return EXIT_OK
        print(f"{record.title}  [{record.kind.value}/{record.org}] {record.doc_id}")
        print(f"source: {record.source}  version: {record.version}  ingested: {record.ingested_at}")
        for chunk in chunks:
            print(f"\n## {chunk.ref}  ({chunk.section})\n{chunk.text}")
        return EXIT_OK
    if not kb.delete(args.doc_id):
        print(f"error: unknown document {args.doc_id!r}", file=sys.stderr)
        return EXIT_ERROR
    print(f"deleted {args.doc_id}")
    return EXIT_OK


def _print_reply(reply: Any) -> None:
    print(("【无法回答】" if reply.refused else "") + reply.answer)
    if reply.citations and not reply.refused:
        print("\n来源：")
        for c in reply.citations:
            print(f"[{c.n}] 《{c.title}》{c.ref}")
    print(f"\n(conversation {reply.conversation_id})")


def cmd_ask(args: argparse.Namespace) -> int:
    from assistant.conversations import ConversationNotFound
    from assistant.services import Services
    from assistant.store.chroma_store import SearchFilter

    services = Services.build(_settings(args))
    answerer = services.answerer
    if args.batch:
        return _ask_batch(answerer, args)
    if not args.question:
        print("error: give a QUESTION or --batch FILE", file=sys.stderr)
        return EXIT_USAGE
    question = " ".join(args.question)
    scoped = _question_filter(services.settings, question, SearchFilter(), args.org)
    try:
        reply = answerer.ask(question, conversation_id=args.conversation, filters=scoped)
    except ConversationNotFound:
        print(f"error: unknown conversation {args.conversation!r}", file=sys.stderr)
        return EXIT_ERROR
    except ValueError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return EXIT_USAGE
    if args.json:
        _print_json(reply.model_dump(mode="json"))
    else:
        _print_reply(reply)
    return EXIT_OK


def _ask_batch(answerer: Any, args: argparse.Namespace) -> int:
    from assistant.store.chroma_store import SearchFilter

    failures = 0
    for line_no, item in _read_batch(Path(args.batch)):
        if isinstance(item, Exception):
            failures += 1
            _print_json({"id": None, "error": f"line {line_no}: {item}"})
            continue
        try:
            chosen = item.get("org") or args.org
            scoped = _question_filter(
                answerer.kb.settings, item["question"], SearchFilter(), chosen
            )
            reply = answerer.ask(item["question"], filters=scoped)
            _print_json({"id": item.get("id"), **reply.model_dump(mode="json")})
        except (ValueError, KeyError) as exc:
            failures += 1
            _print_json({"id": item.get("id"), "error": f"line {line_no}: {exc}"})
    return EXIT_PARTIAL if failures else EXIT_OK


def cmd_serve(args: argparse.Namespace) -> int:
    import uvicorn

    from assistant.api.app import create_app
    from assistant.launch import is_loopback

    settings = _settings(args)
    if settings.anonymous_role and not is_loopback(args.host) and not args.allow_anonymous:
        print(
            f"error: dev mode (CERTGUIDE_ANONYMOUS_ROLE={settings.anonymous_role}) serves every "
            f"caller without a key; it listens on 127.0.0.1 only. To serve it on {args.host} "
            "anyway, pass --allow-anonymous-on-network",
            file=sys.stderr,
        )
        return EXIT_USAGE
    app = create_app(settings)
    print(
        f"CertGuide API: http://{args.host}:{args.port}  (docs: http://{args.host}:{args.port}/docs)",
        flush=True,
    )
    uvicorn.run(app, host=args.host, port=args.port, log_level=args.log_level)
    return EXIT_OK


def cmd_stats(args: argparse.Namespace) -> int:
    kb = _knowledge(args)
    stats = kb.stats()
    if args.json:
        _print_json(stats)
    else:
        for key, value in stats.items():
            print(f"{key}: {value}")
    return EXIT_OK


def _print_check(found: Any, as_json: bool) -> None:
    if as_json:
        _print_json({**dataclasses.asdict(found), "consistent": found.consistent})
        return
    print(f"documents: {found.documents}, chunks: {found.chunks}")
    shown = ", ".join(found.unreferenced[:5]) + (" …" if len(found.unreferenced) > 5 else "")
    print(f"unreferenced chunks (no record names them; never searched): "
          f"{len(found.unreferenced)}" + (f" ({shown})" if shown else ""))  # fmt: skip
    print(f"incomplete documents (re-ingest them): {', '.join(found.incomplete) or 'none'}")


def cmd_check(args: argparse.Namespace) -> int:
    found = _knowledge(args).store.check()
    _print_check(found, args.json)
    return EXIT_OK if found.consistent else EXIT_ERROR


def cmd_repair(args: argparse.Namespace) -> int:
    kb = _knowledge(args)
    grace = kb.settings.repair_grace_seconds if args.grace is None else args.grace
    found = kb.store.repair(grace)
    _print_check(found, args.json)
    left = len(found.unreferenced) - found.removed
    if not args.json:
        young = f"; {left} younger than {grace:g} s left (a write in progress?)" if left else ""
        print(f"removed {found.removed} unreferenced chunks{young}")
    return EXIT_ERROR if found.incomplete else EXIT_OK


def cmd_shell(args: argparse.Namespace) -> int:
    """Interactive search prompt: one question per line, until EOF."""
    kb = _knowledge(args)
    interactive = sys.stdin.isatty()
    while True:
        try:
            question = input("问题> " if interactive else "").strip()
        except EOFError:
            return EXIT_OK
        if not question:
            continue
        try:
            _print_hits(kb.search(question, args.k, _filters(args)))
        except ValueError as exc:
            print(f"error: {exc}", file=sys.stderr)


def _quiz_request(args: argparse.Namespace) -> tuple[Any, list[Any], Any]:
    """(selection, types, format or None); ValueError/QuizError on a bad request."""
    from assistant.quiz import QuestionType, QuizError, Selection
    from assistant.quiz.formats import get_format
    from assistant.quiz.generate import check_count

    check_count(args.n)
    types = []
    for name in args.types.replace("，", ",").split(","):
        try:
            types.append(QuestionType.parse(name))
        except ValueError:
            raise QuizError(
                "bad_type",
                f"未知题型「{name}」，可选：单选、多选、判断、填空 "
                f"(unknown question type {name!r})",
            ) from None
    selection = Selection(doc_ids=args.doc or [], kinds=args.kind or [], orgs=args.org or [],
                          ref=args.ref or "", procedure=args.procedure or "")  # fmt: skip
    fmt = get_format(args.format) if args.format or args.output else None
    return selection, types, fmt


def cmd_quiz(args: argparse.Namespace) -> int:
    from assistant.quiz import Difficulty, QuizError, make_quiz
    from assistant.services import Services

    try:
        selection, types, fmt = _quiz_request(args)
    except QuizError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return EXIT_USAGE
    services = Services.build(_settings(args))
    reword = None if args.no_llm else services.quiz_wording
    try:
        build = make_quiz(services.kb, selection, args.n, types, args.seed,
                          Difficulty(args.difficulty), reword)  # fmt: skip
    except QuizError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return EXIT_USAGE
    title = args.title or f"题库 {args.ref or args.procedure or '、'.join(args.doc or []) or ''}"
    if fmt is not None:
        data = fmt.write(title.strip(), build.questions)
        if args.output and args.output != "-":
            Path(args.output).write_bytes(data)
        elif not args.json:
            sys.stdout.buffer.write(data)
    if args.json:
        questions = [q.public() for q in build.questions]
        _print_json({"questions": questions, "dropped": build.report.dropped})
    elif fmt is None:
        for n, question in enumerate(build.questions, 1):
            print(f"{n}. 【{question.type.value}】{question.stem}")
            for option in question.lettered_options():
                print(f"   {option}")
            print(f"   答案：{'、'.join(question.answer)}  出处：{question.source.ref}")
    report = build.report
    print(f"kept {report.kept} / generated {report.generated} (dropped {report.dropped})"
          + (f", saved as {_save_quiz(services, title, build, args)}" if args.save else ""),
          file=sys.stderr)  # fmt: skip
    return EXIT_OK


def _save_quiz(services: Any, title: str, build: Any, args: argparse.Namespace) -> str:
    from assistant.quiz import Difficulty

    quiz = services.quizzes.create(title.strip(), build.questions,
                                   org=(args.org or [None])[0], seed=args.seed,
                                   difficulty=Difficulty(args.difficulty),
                                   report=build.report)  # fmt: skip
    return str(quiz.id)


def cmd_gaps(args: argparse.Namespace) -> int:
    from assistant.access_cli import open_access
    from assistant.gaps import FORMATS, GapAssessor, to_markdown

    kb = _knowledge(args)
    if not kb.documents(_filters_for_org(args.org)):
        print(f"error: org {args.org!r} has no documents in the index", file=sys.stderr)
        return EXIT_ERROR
    if args.format != "md" and not args.output and not args.json:
        print(f"error: --format {args.format} needs -o FILE", file=sys.stderr)
        return EXIT_USAGE
    report = GapAssessor(kb).assess(args.org)
    org = open_access(kb.settings).org(args.org)
    name = org.name if org else args.org
    if args.json:
        _print_json(report.model_dump(mode="json", exclude={"items": {"__all__": {"score"}}}))
    elif args.output:
        Path(args.output).write_bytes(FORMATS[args.format].write(report, name))
    else:
        print(to_markdown(report, name), end="")
    if args.output:
        counts = ", ".join(f"{status} {n}" for status, n in report.counts().items())
        print(f"{args.output}: {counts}", file=sys.stderr)
    return EXIT_OK


def _filters_for_org(org: str) -> Any:
    from assistant.store.chroma_store import SearchFilter

    return SearchFilter(orgs=[org])


def cmd_build_model(args: argparse.Namespace) -> int:
    from assistant.embedding.build_e5 import main as build_main

    return build_main(["--force"] if args.force else [])


# -- parser -----------------------------------------------------------------------------
def _add_filters(parser: argparse.ArgumentParser) -> None:
    kinds = [k.value for k in Kind]
    parser.add_argument("--kind", action="append", choices=kinds, help="filter (repeatable)")
    parser.add_argument("--org", action="append", help="filter by org (repeatable)")
    parser.add_argument("--doc", action="append", help="filter by document id (repeatable)")


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="certguide", description="认证助手 CertGuide — XK licence and ISO 9001 guidance."
    )
    parser.add_argument(
        "--data-dir",
        default=os.environ.get("CERTGUIDE_DATA_DIR"),
        help="index folder (env CERTGUIDE_DATA_DIR, default ./data)",
    )
    sub = parser.add_subparsers(dest="command", required=True)

    ingest = sub.add_parser("ingest", help="add or update files/folders in the index")
    ingest.add_argument("paths", nargs="+")
    ingest.add_argument("--kind", dest="kind_one", choices=[k.value for k in Kind])
    ingest.add_argument("--org", dest="org_one")
    ingest.add_argument("--title")
    ingest.add_argument("-v", "--verbose", action="store_true")
    ingest.set_defaults(func=cmd_ingest)

    search = sub.add_parser("search", help="find passages for a question")
    search.add_argument("question", nargs="*")
    search.add_argument("--k", type=int, default=5)
    search.add_argument("--json", action="store_true")
    search.add_argument("--batch", help="JSON lines file of {id, question} ('-' = stdin)")
    search.add_argument("--mode", choices=["hybrid", "dense", "lexical"], default="hybrid")
    _add_filters(search)
    search.set_defaults(func=cmd_search)

    docs = sub.add_parser("documents", help="list, show or delete indexed documents")
    docs.add_argument("action", choices=["list", "show", "delete"])
    docs.add_argument("doc_id", nargs="?")
    docs.add_argument("--json", action="store_true")
    _add_filters(docs)
    docs.set_defaults(func=cmd_documents)

    ask = sub.add_parser("ask", help="answer a question from the sources, with citations")
    ask.add_argument("question", nargs="*")
    ask.add_argument("--json", action="store_true")
    ask.add_argument("--org", help="answer from this org's documents plus public ones")
    ask.add_argument("--conversation", help="continue a conversation (follow-ups)")
    ask.add_argument("--batch", help="JSON lines file of {id, question[, org]} ('-' = stdin)")
    ask.set_defaults(func=cmd_ask)

    serve = sub.add_parser("serve", help="start the HTTP API")
    serve.add_argument("--host", default="127.0.0.1")
    serve.add_argument("--port", type=int, default=8000)
    serve.add_argument("--log-level", default="info")
    serve.add_argument(
        "--allow-anonymous-on-network",
        dest="allow_anonymous",
        action="store_true",
        help="serve dev mode (CERTGUIDE_ANONYMOUS_ROLE) on a non-loopback host",
    )
    serve.set_defaults(func=cmd_serve)

    check = sub.add_parser("check", help="compare the store's chunks with its documents")
    check.add_argument("--json", action="store_true")
    check.set_defaults(func=cmd_check)

    repair = sub.add_parser("repair", help="remove chunks a killed write left behind")
    repair.add_argument(
        "--grace", type=float, default=None,
        help="leave unreferenced chunks younger than this many seconds (another process may "
        "be writing them; default CERTGUIDE_REPAIR_GRACE_SECONDS); 0 when no one else writes",
    )  # fmt: skip
    repair.add_argument("--json", action="store_true")
    repair.set_defaults(func=cmd_repair)

    stats = sub.add_parser("stats", help="index size and configuration")
    stats.add_argument("--json", action="store_true")
    stats.set_defaults(func=cmd_stats)

    shell = sub.add_parser("shell", help="interactive search prompt")
    shell.add_argument("--k", type=int, default=5)
    _add_filters(shell)
    shell.set_defaults(func=cmd_shell)

    quiz = sub.add_parser("quiz", help="make source-validated quiz questions")
    quiz_sub = quiz.add_subparsers(dest="quiz_command", required=True)
    make = quiz_sub.add_parser("make", help="generate questions from a selection of sources")
    _add_filters(make)
    make.add_argument("--ref", help="第五条-第十条, 7.1-7.5, HR-QP-05 §4.1-4.5")
    make.add_argument("--procedure", help="a procedure code, e.g. HR-QP-05")
    make.add_argument("--n", type=int, default=20, help="number of questions (1-200)")
    make.add_argument("--types", default="单选,多选,判断,填空", help="comma-separated types")
    make.add_argument("--seed", type=int, default=1)
    make.add_argument("--difficulty", choices=["easy", "medium", "hard"], default="medium")
    make.add_argument("--format", help="gift, moodle, aiken, xlsx, docx or text")
    make.add_argument("-o", "--output", help="write the export here (default: stdout)")
    make.add_argument("--json", action="store_true", help="print questions as JSON")
    make.add_argument("--title", help="quiz title")
    make.add_argument("--save", action="store_true", help="store the quiz in the database")
    make.add_argument("--no-llm", action="store_true", help="never use the LLM for wording")
    make.set_defaults(func=cmd_quiz)

    gaps = sub.add_parser("gaps", help="gap report of an org against ISO 9001 and the XK rules")
    gaps.add_argument("--org", required=True)
    gaps.add_argument("--json", action="store_true")
    gaps.add_argument("--format", choices=["md", "xlsx", "docx"], default="md")
    gaps.add_argument("-o", "--output", help="write the report to this file")
    gaps.set_defaults(func=cmd_gaps)

    from assistant.access_cli import register as register_access

    register_access(sub, _settings)

    evaluate = sub.add_parser(
        "eval",
        help="run the evaluation suite (needs the repo's evals/; its options: eval --help)",
        add_help=False,  # --help goes to the suite, which owns the options
    )
    evaluate.set_defaults(func=cmd_eval)

    build = sub.add_parser("build-model", help="build the offline e5 embedding model")
    build.add_argument("--force", action="store_true")
    build.set_defaults(func=cmd_build_model)
    return parser


def _evals_suite() -> Any:
    """The eval suite lives beside the package (evals/ is not installed)."""
    from assistant.settings import PROJECT_ROOT

    if str(PROJECT_ROOT) not in sys.path:
        sys.path.insert(0, str(PROJECT_ROOT))
    from evals import suite

    return suite


def cmd_eval(args: argparse.Namespace) -> int:
    try:
        suite = _evals_suite()
    except ImportError:
        print("error: evals/ not found; run from a CertGuide checkout", file=sys.stderr)
        return EXIT_ERROR
    return int(suite.main(args.eval_args, _settings(args)))


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    args, rest = parser.parse_known_args(argv)
    if args.func is cmd_eval:
        args.eval_args = rest  # the suite parses its own options
    elif rest:
        parser.error(f"unrecognized arguments: {' '.join(rest)}")
    from assistant.embedding.encoder import EmbeddingModelError
    from assistant.store.chroma_store import StoreError

    try:
        return int(args.func(args))
    except (EmbeddingModelError, StoreError) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return EXIT_ERROR
    except KeyboardInterrupt:
        return 130


if __name__ == "__main__":
    raise SystemExit(main())
