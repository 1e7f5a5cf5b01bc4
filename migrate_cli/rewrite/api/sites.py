"""The client sites a rule declares: where a client's URL and key values are, before any rewrite.

MC006 rewrites a named value (`BASE_URL = "..."`) only when every read of it is the URL (or the key)
of a client this run moves. Which calls are such clients is each rule's knowledge, so each rule
declares its sites through the pure `Rule.client_sites()`; constants.py builds one index from the
sites of the enabled rules, in the way LibCST's metadata providers compute facts before a transform
(https://libcst.readthedocs.io/en/latest/metadata.html) instead of one rule running another.
"""

from __future__ import annotations

import ast
from dataclasses import dataclass, field
from enum import IntEnum


class SiteKind(IntEnum):
    """What kind of client a site is; the index lists sites in this order (then in rule order), the
    order in which review messages name the clients that read one value."""

    CONSTRUCTION = 0
    AZURE_CLIENT = 1
    MODULE_CLIENT = 2


@dataclass
class ClientSite:
    #: What reads the values, for messages: "OpenAI()" or "openai module client".
    label: str
    line: int
    url_values: list[ast.expr]
    key_values: list[ast.expr] = field(default_factory=list)
    kind: SiteKind = SiteKind.CONSTRUCTION
