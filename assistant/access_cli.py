"""``certguide orgs|users|keys|audit``: manage who may see which org (no model needed)."""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import Any

from assistant.access import AccessError, AccessStore, Role
from assistant.db import database_engine
from assistant.settings import Settings

EXIT_OK, EXIT_ERROR = 0, 1


def open_access(settings: Settings) -> AccessStore:
    return AccessStore(database_engine(settings))


def _print_json(payload: Any) -> None:
    print(json.dumps(payload, ensure_ascii=False, default=str))


def cmd_orgs(args: argparse.Namespace, access: AccessStore) -> int:
    if args.action == "add":
        if not args.org_id:
            raise AccessError("usage: certguide orgs add ID [--name NAME]")
        org = access.add_org(args.org_id, args.name or "")
        print(f"org {org.id}: {org.name}")
        return EXIT_OK
    if args.action == "import":
        if not args.org_id:
            raise AccessError("usage: certguide orgs import FILE.json")
        for org in access.import_orgs(Path(args.org_id)):
            print(f"org {org.id}: {org.name}")
        return EXIT_OK
    orgs = access.orgs()
    if args.json:
        _print_json([o.model_dump() for o in orgs])
    for org in orgs if not args.json else []:
        print(f"{org.id:20} {org.name}")
    return EXIT_OK


def cmd_users(args: argparse.Namespace, access: AccessStore) -> int:
    if args.action == "add":
        if not args.name:
            raise AccessError("usage: certguide users add NAME --role ROLE [--orgs a,b]")
        orgs = [o.strip() for o in (args.orgs or "").split(",") if o.strip()]
        user, key = access.add_user(args.name, Role(args.role), orgs)
        print(f"user {user.name} ({user.role}; orgs: {', '.join(user.orgs) or '-'})")
        print("API key (shown once, store it now):", file=sys.stderr)
        print(key)
        return EXIT_OK
    users = access.users()
    if args.json:
        _print_json([u.model_dump() for u in users])
    for user in users if not args.json else []:
        print(f"{user.name:20} {user.role:10} {','.join(user.orgs) or '-'}")
    return EXIT_OK


def cmd_keys(args: argparse.Namespace, access: AccessStore) -> int:
    if args.action == "add":
        if not args.target:
            raise AccessError("usage: certguide keys add USER")
        print(access.issue_key(args.target))
        return EXIT_OK
    if args.action == "revoke":
        if not args.target and not args.user:
            raise AccessError("usage: certguide keys revoke KEY|PREFIX  or  --user NAME")
        count = access.revoke(args.target, user_name=args.user)
        print(f"revoked {count} key(s)")
        return EXIT_OK if count else EXIT_ERROR
    keys = access.keys(args.user)
    if args.json:
        _print_json([k.model_dump(mode="json") for k in keys])
    for key in keys if not args.json else []:
        state = f"revoked {key.revoked_at:%Y-%m-%d}" if key.revoked_at else "live"
        print(f"{key.prefix}…  {key.user:20} {key.created_at:%Y-%m-%d %H:%M}  {state}")
    return EXIT_OK


def cmd_audit(args: argparse.Namespace, access: AccessStore) -> int:
    entries = access.audit_log(args.user, args.limit)
    if args.json:
        _print_json([e.model_dump(mode="json") for e in entries])
        return EXIT_OK
    for e in entries:
        orgs = ",".join(e.orgs) if e.orgs is not None else "*"
        print(f"{e.at:%Y-%m-%d %H:%M:%S} {e.user:12} {e.status} {e.action:28} [{orgs}] {e.detail}")
    return EXIT_OK


def register(sub: Any, settings_of: Any) -> None:
    """Add the access commands to the main parser (``settings_of(args)`` → Settings)."""

    def run(command: Any) -> Any:
        def call(args: argparse.Namespace) -> int:
            try:
                return int(command(args, open_access(settings_of(args))))
            except AccessError as exc:
                print(f"error: {exc}", file=sys.stderr)
                return EXIT_ERROR

        return call

    orgs = sub.add_parser("orgs", help="organisations (public, our company, each client)")
    orgs.add_argument("action", choices=["add", "import", "list"])
    orgs.add_argument(
        "org_id", nargs="?", help="add: lowercase id, e.g. hengli; import: a JSON file {id: name}"
    )
    orgs.add_argument("--name", help="display name, e.g. 恒力起重机械配件有限公司")
    orgs.add_argument("--json", action="store_true")
    orgs.set_defaults(func=run(cmd_orgs))

    users = sub.add_parser("users", help="users with roles; `add` prints the new API key last")
    users.add_argument("action", choices=["add", "list"])
    users.add_argument("name", nargs="?")
    users.add_argument("--role", choices=[r.value for r in Role], default=Role.staff.value)
    users.add_argument("--orgs", help="comma-separated: own org (staff, trainer) or clients")
    users.add_argument("--json", action="store_true")
    users.set_defaults(func=run(cmd_users))

    keys = sub.add_parser("keys", help="issue, list or revoke API keys")
    keys.add_argument("action", choices=["add", "list", "revoke"])
    keys.add_argument("target", nargs="?", help="add: user name; revoke: key or key prefix")
    keys.add_argument("--user", help="list: that user's keys; revoke: all of that user's keys")
    keys.add_argument("--json", action="store_true")
    keys.set_defaults(func=run(cmd_keys))

    audit = sub.add_parser("audit", help="who asked what, against which org, when")
    audit.add_argument("--user")
    audit.add_argument("--limit", type=int, default=50)
    audit.add_argument("--json", action="store_true")
    audit.set_defaults(func=run(cmd_audit))
