"""``certguide`` command line: ingest, search, documents, stats, build-model."""

from __future__ import annotations

import argparse
import json
import os
import sys
from collections.abc import Sequence
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
    try:
        hits = kb.search(" ".join(args.question), args.k, filters, mode)
    except ValueError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return EXIT_USAGE
    if args.json:
        _print_json({"hits": [_hit_json(h) for h in hits]})
    else:
        _print_hits(hits)
    return EXIT_OK


def _search_batch(kb: Any, path: Path, k: int, filters: Any, mode: Any) -> int:
    try:
        source = sys.stdin if str(path) == "-" else path.open(encoding="utf-8")
    except OSError as exc:
        print(f"error: cannot read {path}: {exc.strerror}", file=sys.stderr)
        return EXIT_ERROR
    failures = 0
    with source:
        for line_no, line in enumerate(source, 1):
            if not line.strip():
                continue
            item: Any = None
            try:
                item = json.loads(line)
                question = item["question"]
                if not isinstance(question, str):
                    raise TypeError("question must be a string")
                hits = kb.search(question, k, filters, mode)
                _print_json({"id": item.get("id"), "hits": [_hit_json(h) for h in hits]})
            except (json.JSONDecodeError, KeyError, TypeError, ValueError) as exc:
                failures += 1
                item_id = item.get("id") if isinstance(item, dict) else None
                _print_json({"id": item_id, "error": f"line {line_no}: {exc}", "hits": []})
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
            _print_json({
                "document": record.model_dump(mode="json"),
                "chunks": [c.model_dump(mode="json") for c in chunks],
            })  # fmt: skip
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


def cmd_stats(args: argparse.Namespace) -> int:
    kb = _knowledge(args)
    stats = kb.stats()
    if args.json:
        _print_json(stats)
    else:
        for key, value in stats.items():
            print(f"{key}: {value}")
    return EXIT_OK


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
        "--data-dir", default=os.environ.get("CERTGUIDE_DATA_DIR"),
        help="index folder (env CERTGUIDE_DATA_DIR, default ./data)",
    )  # fmt: skip
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

    stats = sub.add_parser("stats", help="index size and configuration")
    stats.add_argument("--json", action="store_true")
    stats.set_defaults(func=cmd_stats)

    shell = sub.add_parser("shell", help="interactive search prompt")
    shell.add_argument("--k", type=int, default=5)
    _add_filters(shell)
    shell.set_defaults(func=cmd_shell)

    build = sub.add_parser("build-model", help="build the offline e5 embedding model")
    build.add_argument("--force", action="store_true")
    build.set_defaults(func=cmd_build_model)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
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
