"""Validation of the manifest's ``log`` object (manifest.md §MAN-21). Internal."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from tohyo.log import CosignatureVerifier, Ed25519Verifier, LogError, verifier_from_key
from tohyo.record._checker import MAX_NAME, Checker, check_unique, items
from tohyo.record.transparency import MAX_WITNESSES, DeclaredWitness, LogDeclaration

__all__ = ["log_declaration"]


def _vkey(c: Checker, value: Any, path: str, kind: type) -> tuple[str, Any] | None:
    if not isinstance(value, str) or not 0 < len(value) <= 512:
        c.bad(path, "must be a C2SP verifier key (name+keyid+base64)")
        return None
    try:
        verifier = verifier_from_key(value)
    except LogError as exc:
        c.bad(path, f"is not a valid verifier key: {exc}")
        return None
    if not isinstance(verifier, kind):
        what = "an Ed25519 log key (type 0x01)" if kind is Ed25519Verifier \
            else "a cosignature/v1 witness key (type 0x04)"
        c.bad(path, f"must be {what}")
        return None
    return value, verifier


def log_declaration(c: Checker) -> Callable[[Any, str], LogDeclaration | None]:
    """The parser of ``/log``: the log key, the witnesses and their quorum."""

    def member(value: Any, path: str) -> tuple[DeclaredWitness, Any] | None:
        o = c.obj(value, path, {"id", "name", "key"})
        if o is None:
            return None
        ident = c.field(o, "id", path, c.new_id)
        name = c.field(o, "name", path, lambda v, p: c.string(v, p, MAX_NAME))
        key = c.field(o, "key", path, lambda v, p: _vkey(c, v, p, CosignatureVerifier))
        if ident is None or name is None or key is None:
            return None
        return DeclaredWitness(ident, name, key[0]), key[1]

    def witnesses(value: Any, path: str) -> tuple[tuple[DeclaredWitness, ...], int] | None:
        o = c.obj(value, path, {"quorum", "members"})
        if o is None:
            return None
        members = items(c, o, "members", path, 0, MAX_WITNESSES, member)
        quorum = c.field(o, "quorum", path, lambda v, p: c.integer(v, p, 0, MAX_WITNESSES))
        if members is None or quorum is None:
            return None
        if members:
            check_unique(c, ((f"{path}/members/{i}/key", v.public_key)
                             for i, (_, v) in enumerate(members)), "witness key")
            check_unique(c, ((f"{path}/members/{i}/key", v.name)
                             for i, (_, v) in enumerate(members)), "witness key name")
        if not (1 if members else 0) <= quorum <= len(members):
            c.bad(f"{path}/quorum", "must be between 1 and the number of witnesses "
                                    "(0 only when none are declared)")
            return None
        return tuple(w for w, _ in members), quorum

    def parse(value: Any, path: str) -> LogDeclaration | None:
        o = c.obj(value, path, {"key", "witnesses"})
        if o is None:
            return None
        key = c.field(o, "key", path, lambda v, p: _vkey(c, v, p, Ed25519Verifier))
        declared = c.field(o, "witnesses", path, witnesses)
        if key is None or declared is None:
            return None
        for i, w in enumerate(declared[0]):
            if w.verifier().public_key == key[1].public_key:
                c.bad(f"{path}/witnesses/members/{i}/key", "must not be the log's key")
                return None
        return LogDeclaration(key[0], declared[0], declared[1])

    return parse
