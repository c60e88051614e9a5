"""Settings of the election service (docs/spec/storage.md §ST-1).

One frozen value built from the environment (``TOHYO_*``) or by tests; nothing
reads the environment anywhere else. Secret keys never live in the database:
the log signing key and the HMAC keys are files under the data directory
(mode 0600), and only their paths are settings.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass, replace
from pathlib import Path

__all__ = ["Settings"]

_DEFAULT_DATA_DIR = Path("var")


@dataclass(frozen=True, slots=True)
class Settings:
    """Everything the service needs to start.

    Attributes:
        data_dir: directory for keys, the second-medium journal and (by default)
            the SQLite database.
        database_url: SQLAlchemy URL; empty means ``sqlite:///<data_dir>/tohyo.sqlite3``.
        log_origin: prefix of every election log's checkpoint origin line and
            log key name; the election id is appended (``<prefix>/<election id>``).
        max_body_bytes: largest request body accepted; larger gets 413 before parsing.
        max_json_depth: deepest JSON nesting accepted.
        session_ttl_seconds: lifetime of a voting session token.
        run_migrations: upgrade the schema at startup (else ``tohyo db upgrade``).
        check_durability: refuse to start on settings that could lose a commit
            (THREATS #27). Only unit tests of other layers turn it off.
        demo: seed a demo election at startup (``tohyo serve --demo``).
        second_medium_dir: directory of the second medium (§ST-6.4); empty means
            ``<data_dir>/journal``, on the database's disk (demo and tests only).
        production: refuse to start unless the second medium is configured and on
            another filesystem than the database (§ST-6.4).
        purge_interval_seconds: how often the service deletes expired sessions,
            challenges, OIDC transactions and rate-limit rows (``app/disposal/purge.py``);
            0 turns the periodic purge off.
        rate_row_ttl_seconds: age after which a rate-limit row is purged (longer
            than every rate window).
    """

    data_dir: Path = _DEFAULT_DATA_DIR
    database_url: str = ""
    log_origin: str = "tohyo.invalid/log"
    max_body_bytes: int = 1 << 20
    max_json_depth: int = 16
    session_ttl_seconds: int = 30 * 60
    run_migrations: bool = True
    check_durability: bool = True
    demo: bool = False
    second_medium_dir: Path | None = None
    production: bool = False
    purge_interval_seconds: float = 300.0
    rate_row_ttl_seconds: int = 24 * 60 * 60

    @property
    def effective_database_url(self) -> str:
        if self.database_url:
            return self.database_url
        return f"sqlite:///{(self.data_dir / 'tohyo.sqlite3').resolve()}"

    @property
    def keys_dir(self) -> Path:
        return self.data_dir / "keys"

    @property
    def log_key_path(self) -> Path:
        """Ed25519 seed that signs every checkpoint of this server's logs."""
        return self.keys_dir / "log-signing.key"

    @property
    def roll_key_path(self) -> Path:
        """HMAC key that turns a voter's identity into the stored voter key."""
        return self.keys_dir / "roll-hmac.key"

    @property
    def credential_key_path(self) -> Path:
        """HMAC key from which each election's credential secret is derived."""
        return self.keys_dir / "credential-hmac.key"

    @property
    def journal_dir(self) -> Path:
        """The second medium: one append-only JSON-lines file per election (§ST-6.4)."""
        if self.second_medium_dir is not None:
            return self.second_medium_dir
        return self.data_dir / "journal"

    @property
    def trustee_dir(self) -> Path:
        """Dev-only trustee secrets written by the in-process key generation."""
        return self.data_dir / "trustees"

    def with_(self, **changes: object) -> Settings:
        return replace(self, **changes)  # type: ignore[arg-type]

    @classmethod
    def from_env(cls, environ: Mapping[str, str] | None = None) -> Settings:
        """Settings from ``TOHYO_*`` variables; unset ones keep their defaults."""
        env = os.environ if environ is None else environ
        base = cls()
        return cls(
            data_dir=Path(env.get("TOHYO_DATA_DIR", str(base.data_dir))),
            database_url=env.get("TOHYO_DATABASE_URL", base.database_url),
            log_origin=env.get("TOHYO_LOG_ORIGIN", base.log_origin),
            max_body_bytes=int(env.get("TOHYO_MAX_BODY_BYTES", base.max_body_bytes)),
            max_json_depth=int(env.get("TOHYO_MAX_JSON_DEPTH", base.max_json_depth)),
            session_ttl_seconds=int(env.get("TOHYO_SESSION_TTL_SECONDS", base.session_ttl_seconds)),
            run_migrations=env.get("TOHYO_RUN_MIGRATIONS", "1") != "0",
            check_durability=env.get("TOHYO_CHECK_DURABILITY", "1") != "0",
            demo=env.get("TOHYO_DEMO", "0") == "1",
            second_medium_dir=(
                Path(env["TOHYO_SECOND_MEDIUM_DIR"]) if env.get("TOHYO_SECOND_MEDIUM_DIR") else None
            ),
            production=env.get("TOHYO_PRODUCTION", "0") == "1",
            purge_interval_seconds=float(
                env.get("TOHYO_PURGE_INTERVAL_SECONDS", base.purge_interval_seconds)
            ),
            rate_row_ttl_seconds=int(
                env.get("TOHYO_RATE_ROW_TTL_SECONDS", base.rate_row_ttl_seconds)
            ),
        )
