"""DEV ONLY: an in-process key ceremony for demos and tests (§CAST-1.2).

A real election gets its key from the trustees' ceremony (issue #4), which
hands the joint key and transcript to :func:`install_public_key`. Before that
exists, demos and tests need a key: this module runs every trustee of a
t-of-n Pedersen DKG (:mod:`tohyo.crypto.dkg`) *in one process*, which
defeats its purpose (one machine sees every share), and writes each
trustee's key share to its own file (mode 0600) under
``<data dir>/trustees/<election>/``, never into the database. The transcript
is marked ``"dev_only": true``.
"""

from __future__ import annotations

import json
from pathlib import Path

from tohyo.app.errors import Conflict
from tohyo.app.services.common import audit, load_election, manifest_of
from tohyo.app.services.elections import ElectionSummary, install_public_key, start_key_ceremony
from tohyo.app.services.runtime import Runtime
from tohyo.app.store.keys import write_secret_file
from tohyo.crypto import ProofContext
from tohyo.crypto.decryption import DecryptionShare
from tohyo.crypto.dkg_local import run_local_ceremony

__all__ = ["dev_decryption_shares", "install_dev_key"]


def install_dev_key(runtime: Runtime, election_id: str, *, actor: str = "dev") -> ElectionSummary:
    """Generate and install a t-of-n election key in-process (dev/test only).

    Moves a draft election into the key ceremony first.
    """
    with runtime.uow() as uow:
        row = load_election(uow, election_id)
        manifest = manifest_of(runtime, row)
        state, mhash = row.state, bytes.fromhex(row.manifest_hash)
    if state == "draft":
        start_key_ceremony(runtime, election_id, actor=actor)
    context = ProofContext(election_id, mhash)
    directory: Path = runtime.settings.trustee_dir / election_id
    ceremony = run_local_ceremony(context, manifest.threshold, len(manifest.trustees))
    for trustee, key in zip(manifest.trustees, ceremony.keys, strict=True):
        _write(directory / f"{trustee.id}.key.json", json.dumps(key.to_json()))
    public = ceremony.joint.public_key.to_hex()
    record = {
        "dev_only": True,
        "method": "in-process-dkg",
        "transcript": ceremony.transcript.to_json(),
    }
    return install_public_key(runtime, election_id, public, json.dumps(record), actor=actor)


def _write(path: Path, text: str) -> None:
    if path.exists():
        path.unlink()
    write_secret_file(path, text.encode())


def dev_decryption_shares(
    runtime: Runtime, election_id: str, *, actor: str
) -> dict[str, tuple[DecryptionShare, ...]]:
    """DEV ONLY: every dev trustee's decryption shares of the closed board.

    Completes the dev path (``election dev-key`` … ``record tally``): each trustee's
    key file written by :func:`install_dev_key` decrypts the proposed aggregate after
    the same checks a real trustee makes (record.md §REC-6). Refused for an election
    whose key came from a real ceremony, whose key files never reach the server.

    Raises:
        Conflict: ``election.not_dev_key`` (a real ceremony's key), ``tally.not_closed``
            (before the close), ``election.dev_key_missing`` (a key file is gone).
    """
    from tohyo.app.services.tally import board_snapshot, propose_tally, trustee_shares
    from tohyo.crypto.dkg import TrusteeKey

    snapshot = board_snapshot(runtime, election_id)
    with runtime.uow() as uow:
        row = load_election(uow, election_id)
        manifest = manifest_of(runtime, row)
        stored = json.loads(row.key_transcript or "null")
    if not isinstance(stored, dict) or stored.get("dev_only") is not True:
        raise Conflict(
            "election.not_dev_key",
            "this election's key comes from the trustees' ceremony: each trustee decrypts "
            "with `tohyo trustee decrypt` on their own machine",
        )
    proposed = propose_tally(snapshot).aggregates
    directory: Path = runtime.settings.trustee_dir / election_id
    out: dict[str, tuple[DecryptionShare, ...]] = {}
    for trustee in manifest.trustees:
        path = directory / f"{trustee.id}.key.json"
        try:
            key = TrusteeKey.from_json(json.loads(path.read_bytes()))
        except FileNotFoundError as exc:
            raise Conflict("election.dev_key_missing", f"no dev key file {path}") from exc
        out[trustee.id] = trustee_shares(snapshot, key, proposed)
    with runtime.uow(write=True) as uow:
        audit(uow, election_id, "election.dev_shares", actor,
              {"dev_only": True, "trustees": sorted(out)}, runtime.now())
        uow.commit()
    return out
