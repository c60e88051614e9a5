"""``tohyo demo``: the main job of ``scripts/demo``.

For now the cryptographic core end to end (``tohyo demo-core``); it becomes the
demo election once the service, the booth and the verifier are joined up.
"""

from __future__ import annotations

import typer
from rich.console import Console

from tohyo.cli import demo_core


def register(app: typer.Typer) -> None:
    demo_core.register(app)

    @app.command("demo")
    def demo(
        ballots: int = typer.Option(200, min=1, max=1_000_000, help="Number of ballots."),
    ) -> None:
        """Run the demonstration."""
        demo_core.run_core_demo(ballots, 3, 5, Console())
