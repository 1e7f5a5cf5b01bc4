"""Options shared by every command, so `rewrite` and `smoke` speak one vocabulary.

Kept free of heavy imports: `migrate --help` loads this module.
"""

from __future__ import annotations

from typing import Annotated

import typer

TARGET_PANEL = "Target provider"

Provider = Annotated[
    str | None,
    typer.Option(
        "--provider",
        metavar="NAME",
        help="Target provider preset (default: vmira; see `migrate providers`).",
        rich_help_panel=TARGET_PANEL,
    ),
]
BaseUrl = Annotated[
    str | None,
    typer.Option(
        "--base-url",
        metavar="URL",
        help="Target base URL; overrides the preset's (e.g. http://localhost:8000/v1).",
        rich_help_panel=TARGET_PANEL,
    ),
]
ApiKeyEnv = Annotated[
    str | None,
    typer.Option(
        "--api-key-env",
        metavar="NAME",
        help="Name of the env var holding the target's API key; overrides the preset's.",
        rich_help_panel=TARGET_PANEL,
    ),
]
