"""Atheris fuzzes every decoder of untrusted bytes, bounded, inside the suite (issue 10, 3).

Each target of ``targets.py`` runs in its own process under ``run_target.py`` for a fixed
number of executions (about two seconds each here); a crash or an exception other than the
decoder's typed error fails the test with Atheris' report. ``bench/fuzz.py`` runs the same
targets for longer and prints executions per decoder. Below, one regression test per
finding.
"""

from __future__ import annotations

import re
import subprocess
import sys
from datetime import UTC, date, datetime
from pathlib import Path

import pytest
from cryptography import x509
from cryptography.hazmat.primitives.serialization import Encoding

from tohyo.app.auth.errors import CertificateRejected
from tohyo.app.auth.jpki import check_card_certificate, load_certificate
from tohyo.app.auth.jpki_profile import CardHolder, ProfileError, holder_from_certificate
from tohyo.testca import TestCA

HERE = Path(__file__).parent
sys.path.insert(0, str(HERE))
from targets import TARGETS  # noqa: E402

RUNS = 4000


@pytest.mark.parametrize("name", sorted(TARGETS))
def test_decoder_survives_fuzzing(name: str, tmp_path: Path) -> None:
    done = subprocess.run(
        [
            sys.executable,
            str(HERE / "run_target.py"),
            name,
            f"-runs={RUNS}",
            "-max_total_time=30",
            "-seed=1",
            f"-artifact_prefix={tmp_path}/",
            str(tmp_path / "corpus"),
        ],
        capture_output=True,
        text=True,
        timeout=120,
    )
    report = done.stderr[-6000:]
    assert done.returncode == 0, report
    executed = re.search(r"Done (\d+) runs", done.stderr)
    assert executed and int(executed.group(1)) >= RUNS, report
    print(f"{name}: {executed.group(1)} executions")


# ---------------------------------------------------------------- regressions


@pytest.fixture(scope="module")
def card_der(tmp_path_factory: pytest.TempPathFactory) -> tuple[TestCA, bytes]:
    ca = TestCA.create(tmp_path_factory.mktemp("fuzz-ca"))
    holder = CardHolder("筑波 太郎", "茨城県つくば市研究学園一丁目1番地1", date(1990, 4, 1), "1")
    card = ca.issue_card(holder, password=b"123456")
    return ca, card.certificate.public_bytes(Encoding.DER)


def _patched(der: bytes, old: bytes, new: bytes) -> bytes:
    assert der.count(old) >= 1 and len(old) == len(new)
    return der.replace(old, new, 1)


def test_certificate_with_unknown_version_is_malformed(card_der) -> None:
    # x509.InvalidVersion is no ValueError: it escaped load_certificate.
    bad = _patched(card_der[1], b"\xa0\x03\x02\x01\x02", b"\xa0\x03\x02\x01\x06")
    with pytest.raises(CertificateRejected) as refused:
        load_certificate(bad)
    assert refused.value.code == "auth.cert.malformed"


def test_certificate_with_bad_issuer_name_is_malformed(card_der) -> None:
    # The issuer is parsed lazily: check_card_certificate's first comparison raised a bare
    # ValueError (an HTTP 500 for a card sign-in). Country "JP" as an INTEGER, not a string.
    bad = _patched(card_der[1], b"\x13\x02JP", b"\x02\x02JP")
    with pytest.raises(CertificateRejected) as refused:
        load_certificate(bad)
    assert refused.value.code == "auth.cert.malformed"


def test_certificate_with_duplicate_extension_is_refused(card_der) -> None:
    # x509.DuplicateExtension is no ValueError: the profile and usage checks let it out.
    ca, der = card_der
    policies, aki = b"\x06\x03\x55\x1d\x20", b"\x06\x03\x55\x1d\x23"
    bad = _patched(der, policies, aki)  # certificatePolicies becomes a second AKI
    cert = load_certificate(bad)
    with pytest.raises(ProfileError):
        holder_from_certificate(cert)
    root = x509.load_pem_x509_certificate((ca.directory / "root.crt.pem").read_bytes())
    with pytest.raises(CertificateRejected):
        check_card_certificate(root, cert, now=datetime.now(UTC))
