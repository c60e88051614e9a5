"""The HTTP API contract: the OpenAPI document as strict as the parsers (issue 10, item 3).

The routes read JSON bodies themselves (``deps.read_body`` + ``json_object``: canonical
JSON, no duplicate keys, integers only), so FastAPI cannot infer their schemas. This
module completes the generated document in one place, and keeps what it says true of the
behaviour, which ``tests/app/auth/test_api_contract.py`` checks with Schemathesis:

* every refusal has the service's error body (``Error``);
* a malformed parameter is answered 400 ``request.invalid`` (the app's handler), so the
  document says 400, not FastAPI's default 422 (422 stays where a route declares it, e.g. a
  ballot whose proofs do not verify);
* each route that reads a raw JSON body declares it (required, no extra fields, the
  parser's limits), and the ballot is described down to its points and scalars
  (docs/spec/crypto.md §5.2, §10: 64 lowercase hex digits each);
* a 405 names every method the path allows (``Allow``, RFC 9110 §15.5.6), also when
  several routes share a path (Starlette would name only the first route's methods).
"""

from __future__ import annotations

import re
from typing import Any

from fastapi import FastAPI, Request
from fastapi.openapi.utils import get_openapi

from tohyo.app.store.trustees import MESSAGE_KINDS
from tohyo.crypto.ballot import MAX_OPTIONS, MAX_QUESTIONS
from tohyo.crypto.proofs.range import MAX_RANGE_WIDTH

__all__ = ["allowed_methods", "install_contract"]

_HEX64 = {"type": "string", "pattern": "^[0-9a-f]{64}$"}
_ID = {"type": "string", "pattern": "^[a-z0-9]+([-_][a-z0-9]+)*$", "maxLength": 128}
_MAX_OPTIONS = MAX_OPTIONS
_MAX_QUESTIONS = MAX_QUESTIONS
_MAX_RANGE = MAX_RANGE_WIDTH

_RANGE_PROOF = {
    "type": "object",
    "required": ["c", "z"],
    "additionalProperties": False,
    "properties": {
        "c": {"type": "array", "items": _HEX64, "minItems": 1, "maxItems": _MAX_RANGE},
        "z": {"type": "array", "items": _HEX64, "minItems": 1, "maxItems": _MAX_RANGE},
    },
}
_SELECTION = {
    "type": "object",
    "required": ["ct", "proof"],
    "additionalProperties": False,
    "properties": {
        "ct": {
            "type": "object",
            "required": ["alpha", "beta"],
            "additionalProperties": False,
            "properties": {"alpha": _HEX64, "beta": _HEX64},
        },
        "proof": _RANGE_PROOF,
    },
}
#: EncryptedBallot JSON (crypto.ballot.EncryptedBallot.from_json). A schema-valid ballot
#: may still be refused: a point must be on the curve, the proofs must verify, and the
#: questions must be the manifest's (400 ``ballot.bad_encoding`` / 422).
BALLOT_SCHEMA: dict[str, Any] = {
    "type": "object",
    "required": ["questions"],
    "additionalProperties": False,
    "properties": {
        "questions": {
            "type": "array",
            "minItems": 1,
            "maxItems": _MAX_QUESTIONS,
            "items": {
                "type": "object",
                "required": ["id", "selections", "blank", "total_proof"],
                "additionalProperties": False,
                "properties": {
                    "id": {"type": "string", "minLength": 1, "maxLength": 128},
                    "selections": {
                        "type": "array",
                        "items": _SELECTION,
                        "minItems": 1,
                        "maxItems": _MAX_OPTIONS,
                    },
                    "blank": {"anyOf": [{"type": "null"}, _SELECTION]},
                    "total_proof": _RANGE_PROOF,
                },
            },
        }
    },
}


def _object(properties: dict[str, Any]) -> dict[str, Any]:
    return {
        "required": True,
        "content": {
            "application/json": {
                "schema": {
                    "type": "object",
                    "required": sorted(properties),
                    "additionalProperties": False,
                    "properties": properties,
                }
            }
        },
    }


def _short(limit: int) -> dict[str, Any]:
    return {"type": "string", "minLength": 1, "maxLength": limit}


_B64 = "^[A-Za-z0-9+/]*={0,2}$"

#: Bodies of the routes that parse raw JSON themselves, by (method, path).
BODIES: dict[tuple[str, str], dict[str, Any]] = {
    ("post", "/auth/jpki/challenge"): _object({"election_id": _ID}),
    ("post", "/auth/jpki/response"): _object(
        {
            "election_id": _ID,
            "challenge": {"type": "string", "maxLength": 128},
            "certificate": {"type": "string", "maxLength": 24 * 1024, "pattern": _B64},
            "signature": {"type": "string", "maxLength": 2 * 1024, "pattern": _B64},
        }
    ),
    ("post", "/official/sign-in"): _object(
        {"username": _short(256), "password": _short(256), "totp": _short(256)}
    ),
    ("post", "/official/elections/{election_id}/requests"): _object(
        {"action": {"type": "string", "enum": ["open", "close", "tally"]}}
    ),
    ("post", "/api/v1/elections/{election_id}/audits"): _object({"ballot_hash": _HEX64}),
}

_ERROR_SCHEMA = {
    "type": "object",
    "required": ["error"],
    "properties": {
        "error": {
            "type": "object",
            "required": ["code", "message"],
            "properties": {"code": {"type": "string"}, "message": {"type": "string"}},
        }
    },
}
_ERROR_REF = {"$ref": "#/components/schemas/Error"}
_VALIDATION_REF = "#/components/schemas/HTTPValidationError"


def _complete(document: dict[str, Any]) -> dict[str, Any]:
    schemas = document.setdefault("components", {}).setdefault("schemas", {})
    schemas.pop("HTTPValidationError", None)
    schemas.pop("ValidationError", None)
    schemas["Error"] = _ERROR_SCHEMA
    for path, operations in document.get("paths", {}).items():
        for method, operation in operations.items():
            responses = operation.setdefault("responses", {})
            generated = responses.get("422", {})
            ref = generated.get("content", {}).get("application/json", {}).get("schema", {})
            if ref.get("$ref") == _VALIDATION_REF:
                # Parameters that fail validation are answered 400 request.invalid.
                del responses["422"]
                responses.setdefault("400", {"description": "refused: invalid parameters"})
            for status, response in responses.items():
                if status[0] in "45" and "content" not in response:
                    response["content"] = {"application/json": {"schema": _ERROR_REF}}
                    response.setdefault("description", "refused")
            if (method, path) in BODIES:
                operation["requestBody"] = BODIES[(method, path)]
                responses.setdefault("400", {"description": "refused: malformed body"})
                responses["400"].setdefault("content", {"application/json": {"schema": _ERROR_REF}})
            if (method, path) == ("post", "/api/v1/elections/{election_id}/ballots"):
                body = operation["requestBody"]["content"]["application/json"]["schema"]
                body["properties"]["ballot"] = BALLOT_SCHEMA
            for parameter in operation.get("parameters", ()):
                if parameter.get("in") == "path" and parameter.get("name") == "kind":
                    parameter["schema"] = {
                        "type": "string",
                        "enum": list(MESSAGE_KINDS),
                    }
    return document


def allowed_methods(request: Request, fallback: str = "") -> str:
    """Every method the documented operations at this path answer (for ``Allow``).

    Where a literal path and a template both match (``/ceremony/transcript`` and
    ``/ceremony/{kind}``), the resource is the literal one: only the paths with the
    fewest parameters count. A path the document does not hold keeps ``fallback``
    (Starlette's own ``Allow``, right for a path served by one route).
    """
    document = request.app.openapi()
    found: list[tuple[int, set[str]]] = []
    for template, operations in document.get("paths", {}).items():
        pattern = re.sub(r"\\\{[^/]+?\\\}", "[^/]+", re.escape(template))
        if re.fullmatch(pattern, request.url.path):
            found.append((template.count("{"), {m.upper() for m in operations}))
    if not found:
        return fallback
    fewest = min(n for n, _ in found)
    methods: set[str] = set().union(*(m for n, m in found if n == fewest))
    return ", ".join(sorted(methods))


def install_contract(app: FastAPI) -> None:
    """Serve the completed document at ``/openapi.json``."""

    def openapi() -> dict[str, Any]:
        if app.openapi_schema is None:
            app.openapi_schema = _complete(
                get_openapi(
                    title=app.title,
                    version=app.version,
                    summary=app.summary,
                    routes=app.routes,
                )
            )
        return app.openapi_schema

    app.openapi = openapi  # type: ignore[method-assign]
