"""The API contract under Schemathesis, against the server's own OpenAPI document (issue 10, 3).

A real uvicorn on loopback serves an open election with every sign-in configured (test CA with
OCSP, the test OIDC provider); Schemathesis (its CLI, in a subprocess) generates requests from
``/openapi.json`` and runs each operation with every check: no 5xx, no undocumented status code
or content type, responses as documented, no schema-valid request refused, no invalid request
accepted, every 405 with its ``Allow`` header. Three runs, one per authentication, built as the
other HTTP tests build them: the voter's bearer token (a voting code exchanged for a session),
an administrator's cookie with its CSRF header, and a witness's cookie (officials sign in with
password and TOTP). The budget is fixed and the generation deterministic (``--seed``,
``--generation-deterministic``), so a run is the same every time; about a minute on two
cores.

Schema-valid is not the same as valid: a ballot that has the documented shape but whose proofs
do not verify, or a cosignature whose signature does not, is refused with the documented 422 /
400; :data:`SEMANTIC` lists the refusals Schemathesis' "valid request rejected" check is told
to accept, each with the reason a generator cannot get past it.
"""

from __future__ import annotations

import collections
import json
import os
import shutil
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from tohyo.app.auth.officials import Role
from tohyo.app.auth.totp import totp_at
from tohyo.app.voter_client import VoterClient

from .conftest import REDIRECT_HOST, auth_config
from .helpers import make_election

SQLITE = pytest.mark.parametrize("backend", ["sqlite"])
ELECTION = "tsukuba-2028-contract"
PW = "correct horse battery staple"
EXAMPLES = 25  # per operation and phase: fixed budget
SEED = 20261204
CHOICE = {"healthcare": ["lifestyle"]}


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@pytest.fixture
def server(runtime, ca, ocsp_server, idp, rp_key, tmp_path, manifest_for, clock) -> Iterator[dict]:
    import uvicorn

    from tohyo.app.main import create_app

    config = auth_config(ca, ocsp_server, idp, rp_key, tmp_path)
    runtime.cache["auth.config"] = config
    roll = [(f"V{n:03d}", f"投票者 {n}", "1985-05-05") for n in range(4)]
    codes = make_election(runtime, manifest_for, ELECTION, ["code", "jpki", "oidc"], roll)
    app = create_app(runtime.settings, runtime=runtime)
    directory = app.state.auth.officials
    secrets_ = {
        name: directory.create(name, name.title(), role, PW, actor="setup", now=clock()).totp_secret
        for name, role in (("alice", Role.ADMINISTRATOR), ("wes", Role.WITNESS))
    }
    port = _free_port()
    uv = uvicorn.Server(
        uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning", access_log=False)
    )
    thread = threading.Thread(target=uv.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 10
    while not uv.started:
        assert time.monotonic() < deadline and thread.is_alive(), "uvicorn did not start"
        time.sleep(0.01)
    base = f"http://127.0.0.1:{port}"
    headers: dict[str, list[str]] = {}
    with httpx.Client(base_url=base) as http:
        # One real ballot, so the log, its proofs and the tracker lookup have data to serve.
        voter = VoterClient(http)
        info = voter.election(ELECTION)
        cast = voter.cast(info, voter.start_session(ELECTION, codes[1]), CHOICE)
        tracker = cast.receipt["tracking_code"]
        answer = http.post(f"/api/v1/elections/{ELECTION}/sessions", json={"code": codes[0]})
        assert answer.status_code == 201, answer.text
        headers["voter"] = [f"Authorization: Bearer {answer.json()['token']}"]
        for name, who in (("alice", "official"), ("wes", "witness")):
            clock.advance(seconds=31)  # each TOTP step is good once per account
            body = {"username": name, "password": PW, "totp": totp_at(secrets_[name], clock())}
            signed = http.post("/official/sign-in", json=body, headers={"origin": REDIRECT_HOST})
            assert signed.status_code == 200, signed.text
            cookie = signed.cookies.get("__Host-tohyo-official")
            headers[who] = [
                f"Cookie: __Host-tohyo-official={cookie}",
                f"Origin: {REDIRECT_HOST}",
                f"X-CSRF-Token: {signed.json()['csrf_token']}",
            ]
    try:
        yield {"base": base, "headers": headers, "tracker": tracker}
    finally:
        uv.should_exit = True
        thread.join(timeout=10)


def schemathesis(base: str, headers: list[str], report: Path, *, paths: str, tracker: str) -> Any:
    st = shutil.which("st", path=str(Path(sys.executable).parent)) or "st"
    command = [
        st,
        "run",
        f"{base}/openapi.json",
        "--checks",
        "all",
        "--max-examples",
        str(EXAMPLES),
        "--seed",
        str(SEED),
        "--generation-deterministic",
        "--workers",
        "1",
        "--phases",
        "examples,coverage,fuzzing",
        "--include-path-regex",
        paths,
        "--report",
        "ndjson",
        "--report-ndjson-path",
        str(report),
        "--continue-on-failure",
        "--no-color",
        "--output-truncate",
        "false",
        "--suppress-health-check",
        "all",
    ]
    for header in headers:
        command += ["-H", header]
    config = report.with_suffix(".toml")
    config.write_text(config_toml(tracker))
    command[1:1] = ["--config-file", str(config)]
    env = {**os.environ, "SCHEMATHESIS_HOOKS": ""}
    return subprocess.run(
        command, capture_output=True, text=True, timeout=300, env=env, cwd=report.parent
    )


#: Schema-valid but refused, and why no JSON Schema can say it: (method, path) -> statuses
#: Schemathesis' "schema-valid request rejected" check also accepts there.
SEMANTIC: dict[tuple[str, str], tuple[list[int], str]] = {
    ("POST", "/api/v1/elections/{election_id}/ballots"): (
        [400, 422],
        "the points must be on the curve and the proofs must verify for this election",
    ),
    ("POST", "/api/v1/elections/{election_id}/log/cosignatures"): (
        [400],
        "the signature must verify over the stored head of that size",
    ),
    ("POST", "/api/v1/elections/{election_id}/ceremony/{kind}"): (
        [400, 422],
        "a trustee's message is checked at intake against the ceremony (threshold.md §7.8)",
    ),
    ("GET", "/api/v1/elections/{election_id}/log/entries"): (
        [400],
        "start <= end, a relation between two parameters",
    ),
    ("GET", "/api/v1/elections/{election_id}/log/consistency"): (
        [400],
        "old <= new <= the log's size, relations between parameters and the log",
    ),
    ("POST", "/auth/jpki/response"): (
        [400],
        "the certificate must be DER and the signature the card's over the challenge",
    ),
}
_ACCEPTED = ["2xx", "3xx", "401", "403", "404", "409", "429"]


def config_toml(tracker: str) -> str:
    lines = ["[parameters]", f'"election_id" = "{ELECTION}"', f'"tracker" = "{tracker}"', ""]
    for (method, path), (statuses, _why) in SEMANTIC.items():
        expected = ", ".join(f'"{s}"' for s in [*_ACCEPTED, *map(str, statuses)])
        lines += [
            "[[operations]]",
            f'include-path = "{path}"',
            f'include-method = "{method}"',
            f"checks.positive_data_acceptance.expected-statuses = [{expected}]",
            "",
        ]
    # A ballot is up to 64 questions of 255 selections, each with its proofs: the coverage
    # phase's combinations of that schema would take minutes, so casting gets a few
    # generated ballots only (real ballots are cast by every other casting test).
    lines += [
        "[[operations]]",
        'include-path = "/api/v1/elections/{election_id}/ballots"',
        'include-method = "POST"',
        "phases.coverage.enabled = false",
        "generation.max-examples = 5",
        "",
    ]
    return "\n".join(lines)


def tally(report: Path) -> tuple[collections.Counter, collections.Counter]:
    """Responses by status code, failed checks by name, from a Schemathesis NDJSON report."""
    statuses: collections.Counter = collections.Counter()
    failures: collections.Counter = collections.Counter()
    for line in report.read_text().splitlines():
        for node in _walk(json.loads(line)):
            response = node.get("response")
            if isinstance(response, dict) and isinstance(response.get("status_code"), int):
                statuses[response["status_code"]] += 1
            if {"name", "status"} <= node.keys() and node["status"] == "failure":
                failures[node["name"]] += 1
    return statuses, failures


def _walk(node: Any) -> Iterator[dict]:
    if isinstance(node, dict):
        yield node
        for value in node.values():
            yield from _walk(value)
    elif isinstance(node, list):
        for item in node:
            yield from _walk(item)


@SQLITE
@pytest.mark.slow
def test_api_contract_under_schemathesis(server, tmp_path) -> None:
    # Signing out ends the session the other runs need: it runs last, on its own.
    runs = {
        "voter": r"^/api/",
        "official": r"^/(official/(?!sign-out)|auth/)",
        "witness": r"^/official/(?!sign-out)",
        "official signing out": r"^/official/sign-out$",
    }
    problems = []
    total_statuses: collections.Counter = collections.Counter()
    total_failures: collections.Counter = collections.Counter()
    for who, paths in runs.items():
        report = tmp_path / f"{who.replace(' ', '-')}.ndjson"
        headers = server["headers"][who.split()[0]]
        done = schemathesis(server["base"], headers, report, paths=paths, tracker=server["tracker"])
        print(f"== schemathesis as {who}: exit {done.returncode}")
        print(done.stdout)
        statuses, failed = tally(report)
        total_statuses.update(statuses)
        total_failures.update(failed)
        if done.returncode != 0:
            problems.append((who, done.stdout[-20000:], done.stderr[-4000:]))
    print("== responses by status:", dict(sorted(total_statuses.items())))
    print("== failures by check:", dict(total_failures))
    assert not problems, problems
    assert not total_failures
    # The run reached the service: successes, refusals and 405s were all seen.
    assert {200, 201, 400, 401, 404, 405} <= total_statuses.keys(), total_statuses


# ---------------------------------------------------------------- one regression per finding


@pytest.fixture
def app_client(runtime) -> Iterator[Any]:
    import warnings

    with warnings.catch_warnings():
        warnings.filterwarnings("ignore", message=".*starlette.testclient")
        from fastapi.testclient import TestClient

    from tohyo.app.main import create_app

    with TestClient(create_app(runtime.settings, runtime=runtime)) as client:
        yield client


@SQLITE
@pytest.mark.parametrize(
    ("method", "path", "allow"),
    [
        ("TRACE", "/api/v1/booth", "GET"),  # the 405 lost Starlette's Allow header
        ("PUT", "/api/v1/elections/e/ceremony/dealing", "GET, POST"),  # two routes, one path
        ("POST", "/api/v1/elections/e/ceremony/transcript", "GET"),  # was parsed as a message
        ("DELETE", "/official/session", "GET"),
    ],
)
def test_every_405_names_what_is_allowed(app_client, method, path, allow) -> None:
    answer = app_client.request(method, path)
    assert answer.status_code == 405
    assert answer.headers["allow"] == allow
    assert answer.json()["error"]["code"] == "request.method_not_allowed"


@SQLITE
def test_documented_status_for_a_bad_parameter_is_the_one_answered(app_client) -> None:
    answer = app_client.get("/api/v1/elections/e/log/inclusion", params={"index": -1})
    assert answer.status_code == 400
    assert answer.json()["error"]["code"] == "request.invalid"
    document = app_client.get("/openapi.json").json()
    responses = document["paths"]["/api/v1/elections/{election_id}/log/inclusion"]["get"][
        "responses"
    ]
    assert "400" in responses and "422" not in responses
    assert "HTTPValidationError" not in document["components"]["schemas"]


@SQLITE
def test_the_documented_ballot_is_the_parsed_ballot(app_client) -> None:
    """The cast body's ``ballot`` was declared as any object; now as the parser reads it."""
    document = app_client.get("/openapi.json").json()
    body = document["paths"]["/api/v1/elections/{election_id}/ballots"]["post"]["requestBody"]
    ballot = body["content"]["application/json"]["schema"]["properties"]["ballot"]
    question = ballot["properties"]["questions"]["items"]
    assert question["required"] == ["id", "selections", "blank", "total_proof"]
    selection = question["properties"]["selections"]["items"]
    assert selection["properties"]["ct"]["properties"]["alpha"]["pattern"] == "^[0-9a-f]{64}$"
    for method, path in (
        ("post", "/official/sign-in"),
        ("post", "/auth/jpki/challenge"),
        ("post", "/api/v1/elections/{election_id}/audits"),
    ):
        assert document["paths"][path][method]["requestBody"]["required"] is True


@SQLITE
def test_oidc_begin_documents_its_303(app_client) -> None:
    document = app_client.get("/openapi.json").json()
    responses = document["paths"]["/auth/oidc/begin"]["get"]["responses"]
    assert "303" in responses and "302" not in responses
