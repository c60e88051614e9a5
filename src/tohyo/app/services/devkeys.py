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
from typing import Any

from tohyo.app.services.common import load_election, manifest_of
from tohyo.app.services.elections import ElectionSummary, install_public_key, start_key_ceremony
from tohyo.app.services.runtime import Runtime
from tohyo.app.store.keys import write_secret_file
from tohyo.crypto import ProofContext, generate_keypair

try:  # the threshold DKG (issue #4); a single dev key pair until it lands
    from tohyo.crypto import dkg
    from tohyo.crypto.dkg_messages import DkgTranscript, Roster
except ImportError:  # pragma: no cover - depends on the checkout
    dkg = None  # type: ignore[assignment]

__all__ = ["install_dev_key"]


def _run_dkg(context: ProofContext, threshold: int, n: int) -> tuple[Any, list[str]]:
    pairs = [dkg.generate_transport_key(context, i) for i in range(1, n + 1)]
    roster = Roster(threshold, tuple(p.public for p in pairs))
    secrets = [dkg.deal(context, roster, p) for p in pairs]
    dealings = [s.dealing for s in secrets]
    checks = [dkg.check_dealings(context, roster, p, dealings) for p in pairs]
    # All trustees are honest here: no complaints, so no answers.
    transcript = DkgTranscript(roster, tuple(dealings))
    keys = [dkg.derive_key(context, transcript, s, c) for s, c in zip(secrets, checks, strict=True)]
    confirmations = tuple(dkg.confirm_key(context, roster, k) for k in keys)
    transcript = DkgTranscript(roster, tuple(dealings), (), (), confirmations)
    dkg.verify_transcript(context, transcript)
    return transcript, [json.dumps(k.to_json()) for k in keys]


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
    if dkg is None:  # pragma: no cover - depends on the checkout
        pair = generate_keypair()
        _write(directory / "single.key.json", json.dumps({"secret": pair.secret.to_hex()}))
        record: dict[str, Any] = {"dev_only": True, "method": "single-keypair"}
        public = pair.public.to_hex()
    else:
        transcript, shares = _run_dkg(context, manifest.threshold, len(manifest.trustees))
        for trustee, share in zip(manifest.trustees, shares, strict=True):
            _write(directory / f"{trustee.id}.key.json", share)
        public = dkg.verify_transcript(context, transcript).public_key.to_hex()
        record = {"dev_only": True, "method": "in-process-dkg", "transcript": transcript.to_json()}
    return install_public_key(runtime, election_id, public, json.dumps(record), actor=actor)


def _write(path: Path, text: str) -> None:
    if path.exists():
        path.unlink()
    write_secret_file(path, text.encode())
