"""A test certificate authority that behaves like JPKI (docs/spec/authentication.md §AUTH-TESTCA).

It is a *stand-in* for J-LIS: one self-signed root issues citizen "cards"
(PKCS#12 files with an RSA-2048 key, or ECDSA P-384 for the next-generation
card) whose signature certificates carry the basic four items the way JPKI's
do (see :mod:`tohyo.app.auth.jpki_profile`), a delegated OCSP responder
certificate, and a CRL. Its state is a directory of PEM files and one JSON
index, so the CLI, the OCSP server and the tests can share it across processes.

Never use it for anything but tests and demonstrations: the root key is stored
unencrypted next to the index.
"""

from __future__ import annotations

import json
import os
import secrets
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from enum import StrEnum
from pathlib import Path

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec, rsa
from cryptography.hazmat.primitives.serialization import pkcs12
from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID

from tohyo.app.auth.jpki_profile import OID_SIGN_POLICY, CardHolder, holder_to_san

__all__ = ["CardAlgorithm", "CardRecord", "IssuedCard", "KeyUse", "TestCA"]

_ROOT_KEY = "root.key.pem"
_ROOT_CERT = "root.crt.pem"
_OCSP_KEY = "ocsp.key.pem"
_OCSP_CERT = "ocsp.crt.pem"
_INDEX = "index.json"


class CardAlgorithm(StrEnum):
    RSA2048 = "rsa2048"  #: current card: RSA-2048, PKCS#1 v1.5 with SHA-256
    P384 = "p384"  #: next-generation card: ECDSA P-384 with SHA-384


class KeyUse(StrEnum):
    SIGN = "sign"  #: digitalSignature + nonRepudiation, as the signature certificate
    ENCIPHER = "encipher"  #: keyEncipherment only: a wrong certificate, for refusal tests


@dataclass(frozen=True, slots=True)
class CardRecord:
    """One issued certificate in the index."""

    serial: int
    algorithm: CardAlgorithm
    not_after: datetime
    revoked_at: datetime | None = None
    reason: str = ""

    def to_json(self) -> dict[str, object]:
        return {
            "serial": format(self.serial, "x"),
            "algorithm": self.algorithm.value,
            "not_after": self.not_after.isoformat(),
            "revoked_at": self.revoked_at.isoformat() if self.revoked_at else None,
            "reason": self.reason,
        }

    @classmethod
    def from_json(cls, obj: dict[str, object]) -> CardRecord:
        revoked = obj.get("revoked_at")
        return cls(
            serial=int(str(obj["serial"]), 16),
            algorithm=CardAlgorithm(str(obj["algorithm"])),
            not_after=datetime.fromisoformat(str(obj["not_after"])),
            revoked_at=datetime.fromisoformat(str(revoked)) if revoked else None,
            reason=str(obj.get("reason", "")),
        )


@dataclass(frozen=True, slots=True)
class IssuedCard:
    """A card as handed to a citizen: the PKCS#12 bytes and its certificate."""

    serial: int
    certificate: x509.Certificate
    pkcs12: bytes


def _now(now: datetime | None) -> datetime:
    return (now or datetime.now(UTC)).replace(microsecond=0)


def _write(path: Path, data: bytes) -> None:
    # Write-then-rename, so another process never reads half a file.
    tmp = path.with_suffix(path.suffix + f".{secrets.token_hex(4)}.tmp")
    tmp.write_bytes(data)
    os.chmod(tmp, 0o600)
    os.replace(tmp, path)


def _pem_key(key: rsa.RSAPrivateKey | ec.EllipticCurvePrivateKey) -> bytes:
    return key.private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption(),
    )


class TestCA:
    """The CA's state directory (§AUTH-TESTCA-1). Build with :meth:`create` or :meth:`load`."""

    __test__ = False  # not a pytest class

    def __init__(self, directory: Path) -> None:
        self.directory = directory
        self.root_key = _load_key(directory / _ROOT_KEY)
        self.root_cert = x509.load_pem_x509_certificate((directory / _ROOT_CERT).read_bytes())
        self.ocsp_key = _load_key(directory / _OCSP_KEY)
        self.ocsp_cert = x509.load_pem_x509_certificate((directory / _OCSP_CERT).read_bytes())
        meta = json.loads((directory / _INDEX).read_text("utf-8"))
        self.base_url: str = meta["base_url"]

    @classmethod
    def create(
        cls,
        directory: Path,
        *,
        base_url: str = "http://127.0.0.1:8931",
        common_name: str = "Tohyo Test JPKI for digital signature",
        now: datetime | None = None,
        days: int = 3650,
    ) -> TestCA:
        """Make a new root (RSA-2048, like the JPKI signing CA) and OCSP responder."""
        directory.mkdir(parents=True, exist_ok=True)
        start = _now(now) - timedelta(minutes=5)
        key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
        name = x509.Name(
            [
                x509.NameAttribute(NameOID.COUNTRY_NAME, "JP"),
                x509.NameAttribute(NameOID.ORGANIZATION_NAME, "JPKI (Tohyo test)"),
                x509.NameAttribute(NameOID.ORGANIZATIONAL_UNIT_NAME, common_name),
            ]
        )
        ski = x509.SubjectKeyIdentifier.from_public_key(key.public_key())
        root = (
            x509.CertificateBuilder()
            .subject_name(name)
            .issuer_name(name)
            .public_key(key.public_key())
            .serial_number(x509.random_serial_number())
            .not_valid_before(start)
            .not_valid_after(start + timedelta(days=days))
            .add_extension(x509.BasicConstraints(ca=True, path_length=0), critical=True)
            .add_extension(_key_usage(cert_sign=True), critical=True)
            .add_extension(ski, critical=False)
            .sign(key, hashes.SHA256())
        )
        ocsp_key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
        ocsp_cert = (
            x509.CertificateBuilder()
            .subject_name(x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "OCSP responder")]))
            .issuer_name(name)
            .public_key(ocsp_key.public_key())
            .serial_number(x509.random_serial_number())
            .not_valid_before(start)
            .not_valid_after(start + timedelta(days=days))
            .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
            .add_extension(_key_usage(), critical=True)
            .add_extension(x509.ExtendedKeyUsage([ExtendedKeyUsageOID.OCSP_SIGNING]), True)
            .add_extension(x509.OCSPNoCheck(), critical=False)
            .sign(key, hashes.SHA256())
        )
        _write(directory / _ROOT_KEY, _pem_key(key))
        _write(directory / _ROOT_CERT, root.public_bytes(serialization.Encoding.PEM))
        _write(directory / _OCSP_KEY, _pem_key(ocsp_key))
        _write(directory / _OCSP_CERT, ocsp_cert.public_bytes(serialization.Encoding.PEM))
        meta = {"base_url": base_url.rstrip("/"), "cards": []}
        _write(directory / _INDEX, json.dumps(meta, indent=1).encode())
        return cls(directory)

    @classmethod
    def load(cls, directory: Path) -> TestCA:
        return cls(directory)

    # -- index ---------------------------------------------------------------------------

    def records(self) -> tuple[CardRecord, ...]:
        """Every issued card, re-read from disk (the CLI may have revoked one)."""
        meta = json.loads((self.directory / _INDEX).read_text("utf-8"))
        return tuple(CardRecord.from_json(obj) for obj in meta["cards"])

    def _save(self, records: tuple[CardRecord, ...]) -> None:
        meta = {"base_url": self.base_url, "cards": [r.to_json() for r in records]}
        _write(self.directory / _INDEX, json.dumps(meta, indent=1).encode())

    def record(self, serial: int) -> CardRecord:
        """Raises: KeyError: this CA never issued ``serial``."""
        for r in self.records():
            if r.serial == serial:
                return r
        raise KeyError(serial)

    # -- issuing -------------------------------------------------------------------------

    def issue_card(
        self,
        holder: CardHolder,
        *,
        password: bytes,
        algorithm: CardAlgorithm = CardAlgorithm.RSA2048,
        key_use: KeyUse = KeyUse.SIGN,
        now: datetime | None = None,
        not_before: datetime | None = None,
        not_after: datetime | None = None,
    ) -> IssuedCard:
        """Issue a signature certificate and its key as a PKCS#12 "card".

        The default validity is five years from ``now``, like JPKI's signature
        certificate; ``not_before``/``not_after`` override it for refusal tests.
        """
        start = not_before or _now(now) - timedelta(minutes=5)
        end = not_after or start + timedelta(days=5 * 365)
        key: rsa.RSAPrivateKey | ec.EllipticCurvePrivateKey
        if algorithm is CardAlgorithm.RSA2048:
            key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
        else:
            key = ec.generate_private_key(ec.SECP384R1())
        serial = x509.random_serial_number()
        subject = x509.Name(
            [
                x509.NameAttribute(NameOID.COUNTRY_NAME, "JP"),
                x509.NameAttribute(NameOID.LOCALITY_NAME, "Ibaraki-ken"),
                x509.NameAttribute(NameOID.LOCALITY_NAME, "Tsukuba-shi"),
                # JPKI puts an opaque identifier, not the name, in the subject CN.
                x509.NameAttribute(NameOID.COMMON_NAME, f"{serial:032X}"[:32]),
            ]
        )
        usage = _key_usage(sign=key_use is KeyUse.SIGN, encipher=key_use is KeyUse.ENCIPHER)
        cert = (
            x509.CertificateBuilder()
            .subject_name(subject)
            .issuer_name(self.root_cert.subject)
            .public_key(key.public_key())
            .serial_number(serial)
            .not_valid_before(start)
            .not_valid_after(end)
            .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
            .add_extension(usage, critical=True)
            .add_extension(holder_to_san(holder), critical=False)
            .add_extension(
                x509.CertificatePolicies([x509.PolicyInformation(OID_SIGN_POLICY, None)]), False
            )
            .add_extension(
                x509.AuthorityKeyIdentifier.from_issuer_public_key(self.root_key.public_key()),
                critical=False,
            )
            .add_extension(
                x509.AuthorityInformationAccess(
                    [
                        x509.AccessDescription(
                            x509.oid.AuthorityInformationAccessOID.OCSP,
                            x509.UniformResourceIdentifier(self.base_url + "/ocsp"),
                        )
                    ]
                ),
                critical=False,
            )
            .add_extension(
                x509.CRLDistributionPoints(
                    [
                        x509.DistributionPoint(
                            [x509.UniformResourceIdentifier(self.base_url + "/crl")],
                            None,
                            None,
                            None,
                        )
                    ]
                ),
                critical=False,
            )
            .sign(self.root_key, hashes.SHA256())
        )
        p12 = pkcs12.serialize_key_and_certificates(
            name=b"JPKI signature",
            key=key,
            cert=cert,
            cas=[self.root_cert],
            encryption_algorithm=serialization.BestAvailableEncryption(password),
        )
        self._save((*self.records(), CardRecord(serial, algorithm, end)))
        return IssuedCard(serial, cert, p12)

    def revoke(
        self, serial: int, *, reason: str = "unspecified", now: datetime | None = None
    ) -> None:
        """Revoke a card, e.g. on a move out of the city (JPKI revokes on any change).

        Raises:
            KeyError: this CA never issued ``serial``.
        """
        records = self.records()
        if not any(r.serial == serial for r in records):
            raise KeyError(serial)
        when = _now(now)
        self._save(
            tuple(
                CardRecord(r.serial, r.algorithm, r.not_after, when, reason)
                if r.serial == serial and r.revoked_at is None
                else r
                for r in records
            )
        )


def _key_usage(
    *, cert_sign: bool = False, sign: bool = False, encipher: bool = False
) -> x509.KeyUsage:
    return x509.KeyUsage(
        digital_signature=sign or not (cert_sign or encipher),
        content_commitment=sign,
        key_encipherment=encipher,
        data_encipherment=False,
        key_agreement=False,
        key_cert_sign=cert_sign,
        crl_sign=cert_sign,
        encipher_only=False,
        decipher_only=False,
    )


def _load_key(path: Path) -> rsa.RSAPrivateKey:
    key = serialization.load_pem_private_key(path.read_bytes(), password=None)
    if not isinstance(key, rsa.RSAPrivateKey):
        raise ValueError(f"{path.name} is not an RSA key")
    return key
