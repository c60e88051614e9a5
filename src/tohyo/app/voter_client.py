"""A Python voter client: what the booth does, for simulations and tests (§CAST-3).

It fetches the election, opens a session with a one-time code, encrypts the
choices on the client side (``encrypt_ballot``, bound to the voter's
credential), casts over HTTP and checks the receipt before trusting it:

* the ballot hash it computes itself equals the receipt's (and so does the
  tracking code);
* the leaf it rebuilds from its own ballot hashes to the receipt's leaf hash;
* the signed head verifies under the log key, and the inclusion proof puts
  that leaf at the receipt's index in that head.

A receipt that fails any check raises :class:`BadReceipt`: the voter must not
believe the ballot was recorded.
"""

from __future__ import annotations

import base64
import secrets
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import httpx

from tohyo.crypto import (
    BallotStyle,
    EncryptedBallot,
    ProofContext,
    PublicKey,
    QuestionStyle,
    encrypt_ballot,
)
from tohyo.crypto import ballot_hash as compute_ballot_hash
from tohyo.log import LogError, SignedCheckpoint, leaf_hash, verifier_from_key, verify_receipt
from tohyo.record.canonical import dumps_canonical
from tohyo.record.manifest import Manifest

__all__ = ["BadReceipt", "CastResult", "ElectionInfo", "Refused", "Session", "VoterClient"]


class Refused(Exception):
    """The server refused a request: ``status`` and the stable ``code``."""

    def __init__(self, status: int, code: str, message: str) -> None:
        super().__init__(f"{status} {code}: {message}")
        self.status = status
        self.code = code
        self.message = message


class BadReceipt(Exception):
    """A receipt that does not prove the ballot is in the log."""


@dataclass(frozen=True, slots=True)
class ElectionInfo:
    election_id: str
    state: str
    manifest: Manifest
    manifest_hash: bytes
    public_key: PublicKey
    log_key: str
    style: BallotStyle

    def context(self, credential: str) -> ProofContext:
        return ProofContext(self.election_id, self.manifest_hash, self.public_key.element).bound(
            credential
        )


@dataclass(frozen=True, slots=True)
class Session:
    election_id: str
    token: str
    credential: str


@dataclass(frozen=True, slots=True)
class CastResult:
    receipt: dict[str, Any]
    ballot: EncryptedBallot
    head: SignedCheckpoint


def _style(manifest: Manifest) -> BallotStyle:
    return BallotStyle(
        tuple(
            QuestionStyle(
                q.question_id, q.option_ids, q.min_selections, q.max_selections, q.allow_blank
            )
            for q in manifest.ballot_style()
        )
    )


class VoterClient:
    """Talks to one server through ``http`` (an ``httpx.Client`` with its base URL)."""

    def __init__(self, http: httpx.Client, *, log_key: str | None = None) -> None:
        self.http = http
        self._pinned_log_key = log_key

    def _json(self, response: httpx.Response) -> Any:
        if response.status_code >= 400:
            try:
                err = response.json()["error"]
                raise Refused(response.status_code, err["code"], err["message"])
            except (ValueError, KeyError, TypeError):
                raise Refused(response.status_code, "http.error", response.text[:200]) from None
        return response.json()

    def election(self, election_id: str) -> ElectionInfo:
        data = self._json(self.http.get(f"/api/v1/elections/{election_id}"))
        manifest = Manifest.from_json(data["manifest"])
        if data["public_key"] is None:
            raise Refused(409, "election.no_key", "the election has no key yet")
        log_key = self._pinned_log_key or data["log"]["key"]
        return ElectionInfo(
            election_id,
            data["state"],
            manifest,
            bytes.fromhex(data["manifest_hash"]),
            PublicKey.from_hex(data["public_key"]),
            log_key,
            _style(manifest),
        )

    def start_session(self, election_id: str, code: str) -> Session:
        data = self._json(
            self.http.post(f"/api/v1/elections/{election_id}/sessions", json={"code": code})
        )
        return Session(election_id, data["token"], data["credential"])

    def encrypt(
        self, info: ElectionInfo, session: Session, choices: Mapping[str, Sequence[str]]
    ) -> EncryptedBallot:
        return encrypt_ballot(
            info.context(session.credential), info.public_key, info.style, choices
        )

    def post_ballot(self, election_id: str, token: str, body: bytes | dict[str, Any]) -> Any:
        """Send a raw cast request; returns the parsed JSON or raises :class:`Refused`."""
        headers = {"Authorization": f"Bearer {token}", "Content-Type": "application/json"}
        content = body if isinstance(body, bytes) else dumps_canonical(body)
        url = f"/api/v1/elections/{election_id}/ballots"
        return self._json(self.http.post(url, content=content, headers=headers))

    def cast(
        self,
        info: ElectionInfo,
        session: Session,
        choices: Mapping[str, Sequence[str]] | None = None,
        *,
        ballot: EncryptedBallot | None = None,
        idempotency_key: str | None = None,
    ) -> CastResult:
        """Encrypt (unless ``ballot`` is given), cast, and verify the receipt."""
        if ballot is None:
            ballot = self.encrypt(info, session, choices or {})
        key = idempotency_key or secrets.token_urlsafe(16)
        receipt = self.post_ballot(
            info.election_id, session.token, {"ballot": ballot.to_json(), "idempotency_key": key}
        )
        head = self.verify_receipt(info, session, ballot, receipt)
        return CastResult(receipt, ballot, head)

    def verify_receipt(
        self, info: ElectionInfo, session: Session, ballot: EncryptedBallot, receipt: Any
    ) -> SignedCheckpoint:
        """Check a receipt against the ballot this client made (module docstring).

        Raises:
            BadReceipt: naming the first check that fails.
        """
        try:
            expected_hash = compute_ballot_hash(info.context(session.credential), ballot).hex()
            if receipt["credential"] != session.credential:
                raise BadReceipt("the receipt names another credential")
            if receipt["ballot_hash"] != expected_hash:
                raise BadReceipt("the receipt's ballot hash is not this ballot's")
            code = base64.b32encode(bytes.fromhex(expected_hash)[:15]).decode()
            if receipt["tracking_code"].replace("-", "") != code:
                raise BadReceipt("the tracking code does not match the ballot hash")
            leaf = {
                "kind": "ballot",
                "election_id": info.election_id,
                "credential": session.credential,
                "ballot_hash": expected_hash,
                "ballot": ballot.to_json(),
                "sequence": receipt["sequence"],
            }
            computed = leaf_hash(dumps_canonical(leaf))
            if computed.hex() != receipt["leaf_hash"]:
                raise BadReceipt("the logged leaf is not this ballot")
            proof = [base64.b64decode(p, validate=True) for p in receipt["inclusion_proof"]]
            return verify_receipt(
                computed,
                receipt["leaf_index"],
                proof,
                receipt["checkpoint"].encode(),
                [verifier_from_key(info.log_key)],
            )
        except (KeyError, TypeError, ValueError, LogError) as exc:
            raise BadReceipt(f"receipt check failed: {exc}") from exc
