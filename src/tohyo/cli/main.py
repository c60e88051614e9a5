"""Entry point of the ``tohyo`` command (Typer).

Each command group lives in its own module under ``tohyo.cli`` and is
registered here with one line; commands call services, never SQL.
"""

from __future__ import annotations

import typer

app = typer.Typer(
    name="tohyo",
    help="Tohyo (投票): verifiable internet voting.",
    no_args_is_help=True,
    add_completion=False,
)


def _register() -> None:
    # One line per command module; each exposes ``register(app)``.
    from tohyo.cli import demo

    demo.register(app)
    from tohyo.cli import card, envelopes, officials, testca  # authentication (issue 6)

    for module in (testca, card, officials, envelopes):
        module.register(app)
    from tohyo.cli import serve  # election service: serve, db, election, voters, codes, witness

    serve.register(app)
    from tohyo.cli import letters  # issue 6 item 3: printed letters for voting codes

    letters.register(app)
    from tohyo.cli import record, simulate, trustee, verify  # issue 4: ceremony … record

    for module in (verify, simulate, trustee, record):
        module.register(app)
    from tohyo.cli import audit  # issue 5: tohyo verify-audit (the booth's second-device check)

    audit.register(app)
    from tohyo.cli import paper  # issue 11: paper counts and the official result

    paper.register(app)


def main() -> None:
    _register()
    app()


if __name__ == "__main__":
    main()
