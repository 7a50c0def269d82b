"""`twinmatch keys create|list|revoke`: API keys in the keys file, stored as hashes only."""
from __future__ import annotations

import argparse
import sys

from api.security import SCOPES, read_keys_file, write_keys_file, new_key
from matcher.settings import get_settings


def _records(path):
    return read_keys_file(path) if path.exists() else []


def cmd_create(args) -> int:
    if args.origin and set(args.scope) != {"search"}:
        print("error: a key with --origin is a public widget key and may hold only the search scope", file=sys.stderr)
        return 2
    path = get_settings().keys_path
    try:
        key, rec = new_key(args.scope, args.origin or (), args.name or "")
    except ValueError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    write_keys_file(path, [*_records(path), rec])
    print(key)
    print(f"# id {rec.id}, scopes {','.join(rec.scopes)}"
          + (f", origins {' '.join(rec.origins)}" if rec.origins else "")
          + f"; stored as a hash in {path}. This is the only time the key is shown.")
    return 0


def cmd_list(args) -> int:
    path = get_settings().keys_path
    records = _records(path)
    if not records:
        print(f"no keys in {path}")
    for r in records:
        print(f"{r.id}  {','.join(r.scopes):<24} {r.name or '-':<20} {r.created}  {' '.join(r.origins)}")
    return 0


def cmd_revoke(args) -> int:
    path = get_settings().keys_path
    records = _records(path)
    kept = [r for r in records if r.id != args.id]
    if len(kept) == len(records):
        print(f"error: no key with id {args.id!r} in {path}", file=sys.stderr)
        return 2
    write_keys_file(path, kept)  # a running server re-reads the file on its next request
    print(f"revoked {args.id}")
    return 0


def register(sub: argparse._SubParsersAction) -> None:
    keys = sub.add_parser("keys", help="create, list and revoke API keys")
    ks = keys.add_subparsers(dest="keys_command", required=True)
    p = ks.add_parser("create", help="print a new key once and store its hash")
    p.add_argument("--scope", action="append", required=True, choices=SCOPES)
    p.add_argument("--origin", action="append", help="site allowed to use this widget key; repeat")
    p.add_argument("--name", help="who or what the key is for")
    p.set_defaults(func=cmd_create)
    ks.add_parser("list", help="ids, scopes and origins (never the keys)").set_defaults(func=cmd_list)
    p = ks.add_parser("revoke", help="remove a key")
    p.add_argument("id")
    p.set_defaults(func=cmd_revoke)
