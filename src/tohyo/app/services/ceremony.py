"""The key-ceremony relay: trustees exchange public messages through the server.

docs/spec/ceremony-relay.md (§RELAY) specifies it; threshold.md §7 fixes the
messages, and this module is the "server relay" driver
it mentions (docs/guides/trustees.md). Each trustee runs ``tohyo trustee …
--server URL`` on their own machine; the server only stores and forwards
public messages — transport keys, dealings whose shares are sealed to each
recipient, complaints, answers, key confirmations — and never sees a secret.

* The officials open a ceremony attempt (:func:`open_ceremony`): one seat per
  trustee of the manifest, each with a one-time enrolment token handed to that
  trustee in person (only its SHA-256 is stored). The token authenticates the
  trustee's transport key (threshold.md §7.2) and every later post.
* Intake (:func:`post_message`) refuses what threshold.md §7.8 says a relay
  MUST refuse: a message whose signature fails, a repeated or conflicting
  message, an unsolicited answer, an index that is not the sender's, and a
  message whose round has not started (everyone's previous message is
  needed). Signed messages whose *content* is wrong are accepted: they are
  attributable, and the trustee who signed them is named by the checks of
  :mod:`tohyo.crypto.dkg`.
* Anyone fetches the messages (:func:`messages_of`) and the verified
  transcript (:func:`ceremony_transcript`); a cheating trustee is named
  (:class:`CeremonyAborted`). The officials install the joint key from the
  verified transcript (:func:`install_ceremony_key`).
"""

from __future__ import annotations

import hashlib
import secrets
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from sqlalchemy.exc import IntegrityError

from tohyo.app.domain.lifecycle import Phase
from tohyo.app.errors import BadRequest, Conflict, Forbidden, NotFound, Unprocessable
from tohyo.app.services.common import audit, load_election, manifest_of
from tohyo.app.services.elections import ElectionSummary, install_public_key, start_key_ceremony
from tohyo.app.services.runtime import Runtime
from tohyo.app.store import trustees as store
from tohyo.app.store.trustees import MESSAGE_KINDS, CeremonyMessage, CeremonySeat
from tohyo.crypto.context import ProofContext
from tohyo.crypto.dkg import (
    Complaint,
    ComplaintAnswer,
    Dealing,
    DkgTranscript,
    JointKey,
    KeyConfirmation,
    Roster,
    TransportKey,
    resolve,
    verify_transcript,
)
from tohyo.crypto.dkg_audit import confirmation_context, verify_complaint
from tohyo.crypto.errors import CryptoError, InvalidProof, TrusteeMisbehaviour
from tohyo.crypto.proofs.schnorr import verify_knowledge
from tohyo.crypto.transport import verify_signature, verify_transport_key
from tohyo.record.canonical import dumps_canonical, loads_strict
from tohyo.record.errors import InvalidJson

__all__ = [
    "CeremonyAborted",
    "CeremonyStatus",
    "Invitation",
    "ceremony_status",
    "ceremony_transcript",
    "install_ceremony_key",
    "messages_of",
    "open_ceremony",
    "post_message",
]

_MAX_MESSAGE = 256 << 10


class CeremonyAborted(Conflict):
    """The transcript names cheating trustees (threshold.md §7.8); restart without them.

    Attributes:
        trustees: the disqualified trustees' indices.
    """

    def __init__(self, message: str, trustees: tuple[int, ...]) -> None:
        super().__init__("ceremony.aborted", message)
        self.trustees = trustees


@dataclass(frozen=True, slots=True)
class Invitation:
    """A trustee's seat in a ceremony attempt; ``token`` is shown once, never stored."""

    trustee: int
    member_id: str
    token: str


@dataclass(frozen=True, slots=True)
class CeremonyStatus:
    """What every trustee needs to start, and which messages have arrived."""

    election_id: str
    manifest_hash: str
    threshold: int
    size: int
    attempt: int
    received: Mapping[str, tuple[int, ...]]

    def to_json(self) -> dict[str, Any]:
        return {
            "election_id": self.election_id,
            "manifest_hash": self.manifest_hash,
            "threshold": self.threshold,
            "size": self.size,
            "attempt": self.attempt,
            "received": {kind: list(who) for kind, who in self.received.items()},
        }


def _token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def open_ceremony(runtime: Runtime, election_id: str, *, actor: str) -> tuple[Invitation, ...]:
    """Open a new ceremony attempt: one seat and one enrolment token per trustee (§RELAY-2).

    A draft election enters the key ceremony first. A new attempt (a restart
    after an abort, threshold.md §7.8) makes every message of the previous
    one useless: its seats and tokens no longer count.

    Raises:
        Conflict: ``ceremony.closed`` once the election has its key, or a
            lifecycle refusal.
    """
    with runtime.uow() as uow:
        row = load_election(uow, election_id)
        draft = row.state == Phase.DRAFT.value
    if draft:
        start_key_ceremony(runtime, election_id, actor=actor)
    invitations = []
    with runtime.uow(write=True) as uow:
        row = load_election(uow, election_id)
        if row.state != Phase.KEY_CEREMONY.value or row.public_key is not None:
            raise Conflict("ceremony.closed", "the key ceremony is over for this election")
        members = manifest_of(runtime, row).trustees
        attempt = store.current_attempt(uow.session, election_id) + 1
        now = runtime.now()
        for index, member in enumerate(members, start=1):
            token = secrets.token_urlsafe(24)
            uow.add(CeremonySeat(election_id=election_id, attempt=attempt, trustee=index,
                                 token_hash=_token_hash(token), issued_at=now))
            invitations.append(Invitation(index, member.id, token))
        audit(uow, election_id, "ceremony.open", actor,
              {"attempt": attempt, "trustees": len(members)}, now)
        uow.commit()
    return tuple(invitations)


@dataclass(frozen=True, slots=True)
class _Ceremony:
    """One attempt's parameters and the messages received so far (decoded JSON)."""

    election_id: str
    manifest_hash: str
    threshold: int
    size: int
    attempt: int
    received: Mapping[str, Mapping[int, Any]]

    @property
    def context(self) -> ProofContext:
        return ProofContext(self.election_id, bytes.fromhex(self.manifest_hash))

    def all(self, kind: str) -> list[Any]:
        """Every trustee's message of ``kind``, in trustee order.

        Raises:
            Conflict: ``ceremony.too_early`` naming the trustees still missing.
        """
        got = self.received.get(kind, {})
        missing = [i for i in range(1, self.size + 1) if i not in got]
        if missing:
            raise Conflict("ceremony.too_early",
                           f"waiting for the {kind} of trustees {', '.join(map(str, missing))}")
        return [got[i] for i in range(1, self.size + 1)]

    def roster(self) -> Roster:
        return Roster(self.threshold, tuple(TransportKey.from_json(k)
                                            for k in self.all("transport")))

    def transcript(self, *, confirmations: bool) -> DkgTranscript:
        return DkgTranscript(
            self.roster(),
            tuple(Dealing.from_json(d) for d in self.all("dealing")),
            tuple(Complaint.from_json(c) for batch in self.all("complaints") for c in batch),
            tuple(ComplaintAnswer.from_json(a) for batch in self.all("answers") for a in batch),
            tuple(KeyConfirmation.from_json(c) for c in self.all("confirmation"))
            if confirmations else (),
        )


def _load(runtime: Runtime, election_id: str) -> _Ceremony:
    with runtime.uow() as uow:
        row = load_election(uow, election_id)
        manifest = manifest_of(runtime, row)
        attempt = store.current_attempt(uow.session, election_id)
        if attempt == 0:
            raise NotFound("ceremony.not_open", "the officials have not opened a key ceremony")
        received: dict[str, dict[int, Any]] = {}
        for m in store.messages(uow.session, election_id, attempt):
            received.setdefault(m.kind, {})[m.trustee] = _parse(m.body)
        return _Ceremony(election_id, row.manifest_hash, manifest.threshold,
                         len(manifest.trustees), attempt, received)


def _parse(text: str) -> Any:
    return loads_strict(text.encode(), max_bytes=_MAX_MESSAGE, max_depth=16)


def ceremony_status(runtime: Runtime, election_id: str) -> CeremonyStatus:
    """The current attempt's parameters and who has posted what."""
    c = _load(runtime, election_id)
    return CeremonyStatus(c.election_id, c.manifest_hash, c.threshold, c.size, c.attempt,
                          {kind: tuple(sorted(c.received.get(kind, {})))
                           for kind in MESSAGE_KINDS})


def _kind(kind: str) -> str:
    if kind not in MESSAGE_KINDS:
        raise NotFound("ceremony.unknown_kind", f"no ceremony message kind {kind!r}")
    return kind


def messages_of(runtime: Runtime, election_id: str, kind: str) -> list[dict[str, Any]]:
    """The current attempt's messages of ``kind``: ``[{"trustee": i, "message": …}]``."""
    c = _load(runtime, election_id)
    got = c.received.get(_kind(kind), {})
    return [{"trustee": i, "message": got[i]} for i in sorted(got)]


def post_message(
    runtime: Runtime, election_id: str, token: str, kind: str, message: Any
) -> int:
    """Check and keep one trustee's public message; returns the sender's index (§RELAY-4).

    Re-posting the same message is harmless; a different one is refused.

    Raises:
        Forbidden: ``ceremony.bad_token`` (unknown, or of another election or attempt).
        Conflict: ``ceremony.closed``, ``ceremony.too_early``, ``ceremony.repeated``,
            ``ceremony.aborted`` (a confirmation after a trustee was disqualified).
        BadRequest: ``ceremony.invalid_message`` (malformed, another sender's
            index, an unsolicited or repeated answer or complaint).
        Unprocessable: ``ceremony.bad_signature`` (a signature or proof fails).
    """
    _kind(kind)
    c = _load(runtime, election_id)
    with runtime.uow() as uow:
        seat = store.seat_by_token(uow.session, _token_hash(token))
        row = load_election(uow, election_id)
        closed = row.state != Phase.KEY_CEREMONY.value or row.public_key is not None
    if seat is None or (seat.election_id, seat.attempt) != (election_id, c.attempt):
        raise Forbidden("ceremony.bad_token", "not a trustee's token for this ceremony attempt")
    if closed:
        raise Conflict("ceremony.closed", "the key ceremony is over for this election")
    sender = seat.trustee
    try:
        _INTAKE[kind](c, sender, message)
    except InvalidProof as exc:
        raise Unprocessable("ceremony.bad_signature", str(exc)) from exc
    except CryptoError as exc:
        raise BadRequest("ceremony.invalid_message", str(exc)) from exc
    body = dumps_canonical(message, max_depth=16).decode()
    with runtime.uow(write=True) as uow:
        known = uow.session.get(CeremonyMessage, (election_id, c.attempt, kind, sender))
        if known is not None:
            if known.body == body:
                return sender
            raise Conflict("ceremony.repeated", f"trustee {sender} already sent its {kind}")
        uow.add(CeremonyMessage(election_id=election_id, attempt=c.attempt, kind=kind,
                                trustee=sender, body=body, received_at=runtime.now()))
        try:
            uow.commit()
        except IntegrityError as exc:  # the same trustee, twice at once
            raise Conflict("ceremony.repeated", f"trustee {sender} already sent its {kind}"
                           ) from exc
    return sender


def _bad(message: str) -> BadRequest:
    return BadRequest("ceremony.invalid_message", message)


def _sender(claimed: int, sender: int, what: str) -> None:
    if claimed != sender:
        raise _bad(f"{what} of trustee {claimed} posted with trustee {sender}'s token")


def _list(message: Any, what: str) -> list[Any]:
    if not isinstance(message, list):
        raise _bad(f"{what}: expected a JSON array")
    return message


def _transport(c: _Ceremony, sender: int, message: Any) -> None:
    key = TransportKey.from_json(message)
    _sender(key.trustee, sender, "transport key")
    verify_transport_key(c.context, key)


def _dealing(c: _Ceremony, sender: int, message: Any) -> None:
    roster = c.roster()
    dealing = Dealing.from_json(message)
    _sender(dealing.dealer, sender, "dealing")
    try:
        verify_signature(roster.ceremony(c.context), roster.key(sender), "dealing",
                         dealing.body(), dealing.signature)
    except InvalidProof:
        raise InvalidProof(f"dealing of trustee {sender}: bad signature") from None


def _complaints(c: _Ceremony, sender: int, message: Any) -> None:
    roster = c.roster()
    dealings = {d.dealer: d for d in (Dealing.from_json(x) for x in c.all("dealing"))}
    accused: set[int] = set()
    for item in _list(message, "complaints"):
        complaint = Complaint.from_json(item)
        _sender(complaint.accuser, sender, "complaint")
        if complaint.dealer not in dealings or complaint.dealer in accused:
            raise _bad(f"complaint against {complaint.dealer}: unknown or repeated dealer")
        accused.add(complaint.dealer)
        verify_complaint(roster.ceremony(c.context), roster, dealings[complaint.dealer],
                         complaint)


def _answers(c: _Ceremony, sender: int, message: Any) -> None:
    roster = c.roster()
    complained = {(x.dealer, x.accuser) for batch in c.all("complaints")
                  for x in map(Complaint.from_json, batch)}
    answered: set[int] = set()
    for item in _list(message, "answers"):
        answer = ComplaintAnswer.from_json(item)
        _sender(answer.dealer, sender, "answer")
        if (answer.dealer, answer.accuser) not in complained or answer.accuser in answered:
            raise _bad(f"answer to trustee {answer.accuser}: unsolicited or repeated")
        answered.add(answer.accuser)
        try:
            verify_signature(roster.ceremony(c.context), roster.key(sender), "answer",
                             answer.body(), answer.signature)
        except InvalidProof:
            raise InvalidProof(f"answer of trustee {sender}: bad signature") from None


def _confirmation(c: _Ceremony, sender: int, message: Any) -> None:
    confirmation = KeyConfirmation.from_json(message)
    _sender(confirmation.trustee, sender, "confirmation")
    transcript = c.transcript(confirmations=False)
    joint = _resolved(c, transcript)
    context = confirmation_context(transcript.roster.ceremony(c.context), joint, sender)
    try:
        verify_knowledge(context, joint.verification_keys[sender - 1], confirmation.proof)
    except InvalidProof:
        raise InvalidProof(f"confirmation of trustee {sender}: bad proof") from None


def _resolved(c: _Ceremony, transcript: DkgTranscript) -> JointKey:
    try:
        return resolve(c.context, transcript)
    except TrusteeMisbehaviour as exc:
        raise CeremonyAborted(str(exc), exc.trustees) from exc


_INTAKE = {
    "transport": _transport,
    "dealing": _dealing,
    "complaints": _complaints,
    "answers": _answers,
    "confirmation": _confirmation,
}


def ceremony_transcript(runtime: Runtime, election_id: str) -> tuple[DkgTranscript, JointKey]:
    """The complete transcript, verified as an auditor would (§RELAY-5).

    Rounds 1–3 are judged as soon as they are complete, so a cheating dealer is
    named without waiting for confirmations that will never come.

    Raises:
        Conflict: ``ceremony.too_early`` while messages are missing.
        CeremonyAborted: ``ceremony.aborted``, naming every disqualified trustee.
        Unprocessable: ``ceremony.bad_signature`` (cannot happen after intake).
    """
    c = _load(runtime, election_id)
    _resolved(c, c.transcript(confirmations=False))  # names cheaters of rounds 1-3 at once
    transcript = c.transcript(confirmations=True)
    try:
        joint = verify_transcript(c.context, transcript)
    except TrusteeMisbehaviour as exc:
        raise CeremonyAborted(str(exc), exc.trustees) from exc
    except CryptoError as exc:  # pragma: no cover - refused at intake
        raise Unprocessable("ceremony.bad_signature", str(exc)) from exc
    return transcript, joint


def install_ceremony_key(runtime: Runtime, election_id: str, *, actor: str) -> ElectionSummary:
    """Officials: install the joint key of the verified transcript (the election can open).

    Raises:
        everything :func:`ceremony_transcript` and
        :func:`~tohyo.app.services.elections.install_public_key` raise.
    """
    transcript, joint = ceremony_transcript(runtime, election_id)
    ceremony = dumps_canonical({"transcript": transcript.to_json(),
                                "joint_key": joint.to_json()}, max_depth=64).decode()
    return install_public_key(runtime, election_id, joint.public_key.to_hex(), ceremony,
                              actor=actor)


def install_offline_ceremony(
    runtime: Runtime, election_id: str, data: bytes, *, actor: str
) -> ElectionSummary:
    """Officials: install the key of a shared-folder ceremony (§RELAY-7).

    ``data`` is the ``ceremony.json`` that ``tohyo trustee finish --ceremony DIR``
    wrote. Its whole transcript is verified again here, under this election's
    context (id and manifest hash), with the manifest's t and n: a file of another
    election, a tampered transcript or a joint key that the transcript does not
    give is refused, and nothing is installed.

    Raises:
        BadRequest: ``ceremony.bad_file`` (not a ceremony file).
        Unprocessable: ``ceremony.wrong_election`` (t or n differ from the manifest's),
            ``ceremony.bad_transcript`` (a signature or proof fails under this
            election's context), ``ceremony.joint_key_mismatch``.
        CeremonyAborted: the transcript names cheating trustees.
        Conflict: a lifecycle refusal (the key is installed once, before opening).
    """
    try:
        doc = loads_strict(data, max_depth=64)
        if not isinstance(doc, dict) or set(doc) != {"transcript", "joint_key"}:
            raise ValueError("expected {transcript, joint_key}")
        transcript = DkgTranscript.from_json(doc["transcript"])
        claimed = JointKey.from_json(doc["joint_key"])
    except (InvalidJson, CryptoError, ValueError, TypeError) as exc:
        raise BadRequest("ceremony.bad_file", f"not a ceremony file: {exc}") from exc
    with runtime.uow() as uow:
        row = load_election(uow, election_id)
        manifest = manifest_of(runtime, row)
        context = ProofContext(election_id, bytes.fromhex(row.manifest_hash))
        state = row.state
    if (claimed.threshold, claimed.size) != (manifest.threshold, len(manifest.trustees)):
        raise Unprocessable(
            "ceremony.wrong_election",
            f"the file is a {claimed.threshold}-of-{claimed.size} ceremony; this election "
            f"needs {manifest.threshold} of {len(manifest.trustees)}",
        )
    try:
        resolve(context, transcript)
        joint = verify_transcript(context, transcript)
    except TrusteeMisbehaviour as exc:
        if len(set(exc.trustees)) < claimed.size:
            raise CeremonyAborted(str(exc), exc.trustees) from exc
        # Nobody's messages verify here: the file is for another election (or forged).
        raise Unprocessable(
            "ceremony.bad_transcript",
            f"no trustee's messages verify for election {election_id}: {exc}",
        ) from exc
    except CryptoError as exc:
        raise Unprocessable(
            "ceremony.bad_transcript",
            f"the transcript does not verify for election {election_id}: {exc}",
        ) from exc
    if joint.to_json() != claimed.to_json():
        raise Unprocessable(
            "ceremony.joint_key_mismatch", "the file's joint key is not the transcript's"
        )
    if state == Phase.DRAFT.value:
        start_key_ceremony(runtime, election_id, actor=actor)
    ceremony = dumps_canonical(
        {"transcript": transcript.to_json(), "joint_key": joint.to_json(), "method": "offline"},
        max_depth=64,
    ).decode()
    return install_public_key(
        runtime, election_id, joint.public_key.to_hex(), ceremony, actor=actor
    )
