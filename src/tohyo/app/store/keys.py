"""Secret keys kept as files outside the database (docs/spec/storage.md §ST-2).

A database dump, backup or replica must never be enough to forge a log head
or to link a credential to a voter, so the keys live in files of mode 0600
under the data directory. A key file readable by group or others is refused,
as is one of the wrong length.
"""

from __future__ import annotations

import hashlib
import hmac
import os
import secrets
import stat
from dataclasses import dataclass
from pathlib import Path

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from tohyo.app.errors import StartupError

__all__ = ["KEY_BYTES", "ServiceKeys", "load_or_create_secret", "write_secret_file"]

KEY_BYTES = 32


def write_secret_file(path: Path, data: bytes) -> None:
    """Create ``path`` with mode 0600 holding ``data``; refuse to overwrite."""
    path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    try:
        os.write(fd, data)
        os.fsync(fd)
    finally:
        os.close(fd)
    dir_fd = os.open(path.parent, os.O_RDONLY)
    try:
        os.fsync(dir_fd)
    finally:
        os.close(dir_fd)


def load_or_create_secret(path: Path, size: int = KEY_BYTES) -> bytes:
    """The secret in ``path``, creating a fresh random one on first use.

    Raises:
        StartupError: the file is readable by others, or has the wrong length.
    """
    if not path.exists():
        try:
            write_secret_file(path, secrets.token_bytes(size))
        except FileExistsError:  # another process won the race: read theirs
            pass
    mode = stat.S_IMODE(path.stat().st_mode)
    if mode & 0o077:
        raise StartupError(f"key file {path} has mode {mode:o}; it must be 0600")
    data = path.read_bytes()
    if len(data) != size:
        raise StartupError(f"key file {path} must hold {size} bytes")
    return data


@dataclass(frozen=True, slots=True, repr=False)
class ServiceKeys:
    """The service's secrets, loaded once at startup.

    Attributes:
        log_seed: Ed25519 seed that signs checkpoints.
        roll_key: HMAC key of voter identities (the voter key, §ST-3).
        credential_key: HMAC key from which election credential secrets derive.
    """

    log_seed: bytes
    roll_key: bytes
    credential_key: bytes

    def __repr__(self) -> str:
        return "ServiceKeys(<secret>)"

    @classmethod
    def load(cls, log_key: Path, roll_key: Path, credential_key: Path) -> ServiceKeys:
        return cls(
            log_seed=load_or_create_secret(log_key),
            roll_key=load_or_create_secret(roll_key),
            credential_key=load_or_create_secret(credential_key),
        )

    def log_private_key(self) -> Ed25519PrivateKey:
        return Ed25519PrivateKey.from_private_bytes(self.log_seed)

    def election_secret(self, purpose: str, election_id: str) -> bytes:
        """A per-election secret for ``purpose`` (``credential``, ``code``...).

        Derived, so that values of two elections cannot be linked and no
        per-election secret needs a file of its own.
        """
        label = f"tohyo/1/app/{purpose}\x00{election_id}".encode()
        return hmac.new(self.credential_key, label, hashlib.sha256).digest()

    def election_roll_key(self, election_id: str) -> bytes:
        """The election's roll key (``tohyo.app.domain.roll.voter_key``'s ``roll_key``).

        Per election, so that the stored voter keys of two elections cannot be
        joined on; stable, so that re-importing a roll gives the same keys.
        """
        label = f"tohyo/1/app/roll-key\x00{election_id}".encode()
        return hmac.new(self.roll_key, label, hashlib.sha256).digest()
