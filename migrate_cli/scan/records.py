"""Values scan passes between its parts: what one module uses, what one file holds, the whole run.

No behaviour beyond naming places: `Place.label` writes `path:line` (`nb.ipynb:cell 3:2` in a
notebook) the way `migrate rewrite` names them, `Place.to_dict` the way `rewrite --json` does.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

from migrate_cli.features import FEATURE_NAMES

#: The pseudo-feature of a call that passes something scan cannot read (`**kwargs` it cannot follow,
#: a `response_format` it cannot see): that call may use features the inventory does not list.
UNKNOWN = "unknown"


@dataclass(frozen=True)
class Place:
    path: str
    line: int
    #: In a notebook: the cell (1-based, every cell counted) that `line` counts within.
    cell: int | None = None

    @property
    def label(self) -> str:
        return f"{self.path}:{self.line}" if self.cell is None else f"{self.path}:cell {self.cell}:{self.line}"

    def to_dict(self) -> dict[str, Any]:
        return {"path": self.path, "line": self.line, **({"cell": self.cell} if self.cell is not None else {})}


@dataclass(frozen=True)
class CallFound:
    """One API call site in a module: `client.chat.completions.create(...)`, `ChatOpenAI(...)`, ..."""

    line: int
    #: The resource path after the client ("chat.completions.create", "ChatCompletion.create"), or
    #: the framework and class for a wrapper ("LangChain ChatOpenAI").
    endpoint: str
    #: Feature names (features.py), in the contract's order; UNKNOWN last when `unread` is not empty.
    features: tuple[str, ...]
    #: Model ids the call sends, as far as they can be proven; UNKNOWN for one that cannot.
    models: tuple[str, ...]
    #: What the call passes that scan could not read: "**kwargs", "response_format", ...
    unread: tuple[str, ...] = ()
    cell: int | None = None


@dataclass(frozen=True)
class ClientFound:
    """One client construction: `OpenAI(...)`, `AsyncAzureOpenAI(...)`."""

    line: int
    client: str
    cell: int | None = None


@dataclass(frozen=True)
class ModuleScan:
    calls: tuple[CallFound, ...] = ()
    clients: tuple[ClientFound, ...] = ()


@dataclass(frozen=True)
class FileScan:
    path: str
    calls: tuple[CallFound, ...] = ()
    clients: tuple[ClientFound, ...] = ()
    #: Why the file could not be read or parsed (it is listed, never fatal).
    error: str | None = None


@dataclass(frozen=True)
class Call:
    """A call site with its file: what `calls` of the JSON lists."""

    place: Place
    found: CallFound

    def to_dict(self) -> dict[str, Any]:
        found = self.found
        record = {
            **self.place.to_dict(),
            "endpoint": found.endpoint,
            "features": list(found.features),
            "models": list(found.models),
        }
        if found.unread:
            record["unread"] = list(found.unread)
        return record


@dataclass(frozen=True)
class ScanResult:
    files: tuple[FileScan, ...]
    #: Files read (every file discovery listed, the pre-filter's rejects included), as rewrite counts.
    files_scanned: int
    #: (path, reason) of what discovery could not list or open.
    skipped: tuple[tuple[str, str], ...] = ()
    calls: tuple[Call, ...] = field(init=False)

    def __post_init__(self) -> None:
        calls = tuple(
            Call(Place(f.path, c.line, c.cell), c) for f in self.files for c in sorted(f.calls, key=_position)
        )
        object.__setattr__(self, "calls", calls)

    @property
    def clients(self) -> Iterator[tuple[Place, ClientFound]]:
        for scanned in self.files:
            for client in sorted(scanned.clients, key=_position):
                yield Place(scanned.path, client.line, client.cell), client

    @property
    def errors(self) -> tuple[FileScan, ...]:
        return tuple(f for f in self.files if f.error is not None)

    def features(self) -> dict[str, list[Place]]:
        """Feature -> the call sites using it, features in the contract's order, UNKNOWN last."""
        sites: dict[str, list[Place]] = {}
        for call in self.calls:
            for feature in call.found.features:
                sites.setdefault(feature, []).append(call.place)
        order = {name: index for index, name in enumerate((*FEATURE_NAMES, UNKNOWN))}
        return dict(sorted(sites.items(), key=lambda item: order.get(item[0], len(order))))


def _position(found: CallFound | ClientFound) -> tuple[int, int]:
    return found.cell or 0, found.line
