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

from tohyo.app.services.common import load_election, manifest_of
from tohyo.app.services.elections import ElectionSummary, install_public_key, start_key_ceremony
from tohyo.app.services.runtime import Runtime
from tohyo.app.store.keys import write_secret_file
from tohyo.crypto import ProofContext
from tohyo.crypto.dkg_local import run_local_ceremony

__all__ = ["install_dev_key"]


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
