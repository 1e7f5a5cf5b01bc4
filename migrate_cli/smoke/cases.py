"""The prompts file: one JSON object per line, validated whole before anything is sent.

Format (JSON Lines, UTF-8, an optional BOM is accepted):

- `messages`: OpenAI chat messages, or `prompt`: a string, shorthand for one user message; exactly one.
- `id` (optional, string or integer): names the case in reports; defaults to the line number.
  Ids must be unique, counting those defaulted from line numbers.
- `model` (optional): the baseline model; defaults to `--model`/`[tool.migrate] model` as the
  command passes it in `default_model`.
- `weight` (optional, a positive number, default 1): the case's relative request volume, used by the
  monthly cost projection; never sent.
- Every other key is a chat-completions parameter, sent to both sides unchanged. The common ones
  are type-checked here so a typo costs nothing; `stream`/`stream_options` are refused because
  `--stream` owns them. Keys the OpenAI API does not define are kept and reported in
  `PromptsSummary.unknown_params`, so the command can warn about a likely typo.
- Blank lines are skipped, and so are lines whose first non-blank characters are `#` or `//`
  (comments, e.g. to switch a case off). Such lines can never be valid JSON, so this is unambiguous.

Every error is a `PromptsFileError` naming the file and the 1-based line number.
The file is read line by line and cases are not kept, so a 100,000-line file costs little memory.
It is read twice (validated whole, then run): a source that can be read only once (`-` for
standard input, a pipe, `/dev/stdin`, a FIFO) is copied once to an anonymous temporary file that
both passes read (`PromptsSource`).
"""

from __future__ import annotations

import json
import math
import os
import shutil
import stat
import sys
import tempfile
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, Any, NoReturn

from migrate_cli.errors import UsageError
from migrate_cli.smoke.records import Case
from migrate_cli.smoke.request_checks import (
    MAX_NESTING,
    PARAM_CHECKS,
    attach,
    describe,
    messages_problem,
    unsendable_problem,
)

# `weight` is the case's relative request volume (the monthly projection); it is never sent.
RESERVED_KEYS = frozenset({"id", "model", "messages", "prompt", "weight"})
# The CLI decides streaming (--stream) for the whole run, so a line may not.
CLI_OWNED_KEYS = frozenset({"stream", "stream_options"})
# Every body parameter of chat.completions.create (openai-python 3.x,
# types/chat/completion_create_params.py). Other keys pass through but are reported.
KNOWN_PARAMS = frozenset(
    [
        "audio",
        "frequency_penalty",
        "function_call",
        "functions",
        "logit_bias",
        "logprobs",
        "max_completion_tokens",
        "max_tokens",
        "metadata",
        "modalities",
        "moderation",
        "n",
        "parallel_tool_calls",
        "prediction",
        "presence_penalty",
        "prompt_cache_key",
        "prompt_cache_options",
        "prompt_cache_retention",
        "reasoning_effort",
        "response_format",
        "safety_identifier",
        "seed",
        "service_tier",
        "stop",
        "store",
        "temperature",
        "tool_choice",
        "tools",
        "top_logprobs",
        "top_p",
        "user",
        "verbosity",
        "web_search_options",
    ]
)
NO_MODEL_HINT = (
    'add "model" to the line, or set a default with [tool.migrate] model (--model only picks the candidate model)'
)


class PromptsFileError(UsageError):
    """The prompts file cannot be used; the message names the file and line."""


@dataclass(frozen=True)
class PromptsSummary:
    """What one validating pass learnt about the file."""

    path: Path
    cases: int
    #: Baseline model -> number of cases using it.
    models: Mapping[str, int]
    #: Non-OpenAI parameter name -> first line it appears on (probably a typo; sent anyway).
    unknown_params: Mapping[str, int] = field(default_factory=dict)
    #: (side, model) -> summed tiktoken prompt estimate; filled only when `side_models` is given.
    prompt_tokens: Mapping[tuple[str, str], int] = field(default_factory=dict)
    #: False when any of `prompt_tokens` is an approximation (encoding files unavailable).
    tokens_exact: bool = True
    #: (side, model) -> messages summed over its cases (a calibration's per-message term needs it).
    messages: Mapping[tuple[str, str], int] = field(default_factory=dict)


class PromptsSource:
    """The prompts file as named on the command line, readable as many times as needed."""

    def __init__(self, path: Path) -> None:
        self.path = path
        #: How errors name it: the path as typed, or <stdin> for `-`.
        self.name = "<stdin>" if str(path) == "-" else str(path)
        self._copy: IO[bytes] | None = None
        if str(path) == "-":
            self._copy = _spool(sys.stdin.buffer, self.name)
        else:
            try:
                regular = stat.S_ISREG(os.stat(path).st_mode)
            except OSError:
                regular = True  # let the first read name the problem (missing, permissions)
            if not regular and not path.is_dir():
                self._copy = _spool_path(path, self.name)

    @classmethod
    def of(cls, source: Path | PromptsSource) -> PromptsSource:
        return source if isinstance(source, PromptsSource) else cls(source)

    def open(self) -> IO[bytes]:
        """A fresh handle from the first line (one reader at a time: copies share an offset)."""
        if self._copy is None:
            return open(self.path, "rb")
        handle = os.fdopen(os.dup(self._copy.fileno()), "rb")
        handle.seek(0)
        return handle

    def __str__(self) -> str:
        return self.name


def _spool(stream: IO[bytes], name: str) -> IO[bytes]:
    copy = tempfile.TemporaryFile()  # noqa: SIM115 - kept open while the source lives; no name to leave behind
    try:
        shutil.copyfileobj(stream, copy)
        copy.flush()  # readers open the file descriptor, not this buffered object
    except OSError as exc:
        copy.close()
        raise PromptsFileError(f"{name}: cannot read the prompts ({exc.strerror})") from None
    return copy


def _spool_path(path: Path, name: str) -> IO[bytes]:
    try:
        with open(path, "rb") as stream:
            return _spool(stream, name)
    except OSError as exc:
        raise PromptsFileError(f"{name}: cannot read the prompts file ({exc.strerror})") from None


def validate_prompts_file(
    path: Path | PromptsSource,
    *,
    default_model: str | None,
    side_models: Callable[[Case], Mapping[str, str]] | None = None,
) -> PromptsSummary:
    """Validate the whole file in one streaming pass; with `side_models`, also sum prompt estimates."""
    count = 0
    models: dict[str, int] = {}
    unknown: dict[str, int] = {}
    tokens: dict[tuple[str, str], int] = {}
    messages: dict[tuple[str, str], int] = {}
    exact = True
    if side_models is not None:
        from migrate_cli.smoke.tokens import estimate_prompt_tokens
    source = PromptsSource.of(path)
    for case in iter_cases(source, default_model=default_model):
        count += 1
        models[case.model] = models.get(case.model, 0) + 1
        for key in case.params:
            if key not in KNOWN_PARAMS:
                unknown.setdefault(key, case.line)
        if side_models is not None:
            for side, model in side_models(case).items():
                estimate = estimate_prompt_tokens(case.messages, model, case.params.get("tools"))
                tokens[(side, model)] = tokens.get((side, model), 0) + estimate.prompt
                messages[(side, model)] = messages.get((side, model), 0) + len(case.messages)
                exact = exact and estimate.exact
    if count == 0:
        raise PromptsFileError(f"{source}: no cases (the file is empty or holds only blank and comment lines)")
    return PromptsSummary(source.path, count, models, unknown, tokens, exact, messages)


def iter_cases(path: Path | PromptsSource, *, default_model: str | None) -> Iterator[Case]:
    """Yield each validated case in file order; raise PromptsFileError at the first bad line."""
    source = PromptsSource.of(path)
    seen: dict[str, int] = {}
    for number, text in _read_lines(source):
        case = parse_line(text, line=number, default_model=default_model, where=f"{source}:{number}")
        if case is None:
            continue
        if case.id in seen:
            raise PromptsFileError(
                f"{source}:{number}: duplicate id '{case.id}' (already used on line {seen[case.id]}; "
                "a line without an id is named by its line number)"
            )
        seen[case.id] = number
        yield case


def _read_lines(source: PromptsSource) -> Iterator[tuple[int, str]]:
    path = source.name
    try:
        handle = source.open()  # binary, so that bad bytes name their line
    except FileNotFoundError:
        raise PromptsFileError(f"{path}: no such prompts file") from None
    except IsADirectoryError:
        raise PromptsFileError(f"{path}: is a directory, not a prompts file") from None
    except OSError as exc:
        raise PromptsFileError(f"{path}: cannot read the prompts file ({exc.strerror})") from None
    with handle:
        try:
            for number, raw in enumerate(handle, start=1):
                if number == 1 and raw.startswith(b"\xef\xbb\xbf"):
                    raw = raw[3:]
                try:
                    yield number, raw.decode("utf-8")
                except UnicodeDecodeError as exc:
                    raise PromptsFileError(
                        f"{path}:{number}: not UTF-8 (byte 0x{raw[exc.start]:02x} at column "
                        f"{exc.start + 1}); save the file as UTF-8"
                    ) from None
        except IsADirectoryError:
            raise PromptsFileError(f"{path}: is a directory, not a prompts file") from None
        except OSError as exc:
            raise PromptsFileError(f"{path}: cannot read the prompts file ({exc.strerror})") from None


def parse_line(text: str, *, line: int, default_model: str | None, where: str) -> Case | None:
    """One line -> a Case, or None for a blank/comment line. `where` prefixes every error."""
    stripped = text.strip()
    if not stripped or stripped.startswith(("#", "//")):
        return None
    try:
        # Keep leading blanks so the column in an error is the column in the file.
        data = json.loads(
            text.rstrip("\r\n"),
            parse_constant=_reject_constant,
            parse_float=_finite_float,
            object_pairs_hook=_unique_keys,
        )
    except RecursionError:
        raise PromptsFileError(
            f"{where}: nested too deeply to read (more than {MAX_NESTING} levels cannot be sent)"
        ) from None
    except _TooLarge as exc:
        raise PromptsFileError(f"{where}: {exc}") from None
    except _DuplicateKey as exc:
        raise PromptsFileError(
            f"{where}: key '{exc}' appears twice in one object (JSON would keep only the last one silently): remove one"
        ) from None
    except ValueError as exc:
        detail = f"{exc.msg} at column {exc.colno}" if isinstance(exc, json.JSONDecodeError) else exc
        raise PromptsFileError(f"{where}: not valid JSON ({detail})") from None
    if not isinstance(data, dict):
        raise PromptsFileError(f"{where}: each line must be a JSON object, got {describe(data)}")
    fail = _failer(where)
    if (problem := unsendable_problem(data)) is not None:
        fail(problem)

    if ("messages" in data) == ("prompt" in data):
        which = "both" if "messages" in data else "neither"
        fail(f"needs exactly one of 'messages' or 'prompt' ({which} given)")
    if "prompt" in data:
        prompt = data["prompt"]
        if not isinstance(prompt, str) or not prompt.strip():
            fail("'prompt' must be a non-empty string")
        messages: tuple[dict[str, Any], ...] = ({"role": "user", "content": prompt},)
    else:
        if (problem := messages_problem(data["messages"])) is not None:
            fail(problem)
        messages = tuple(data["messages"])

    case_id = _check_id(data.get("id", line), fail)
    model = data.get("model", default_model)
    if "model" not in data and default_model is None:
        fail(f"no model: {NO_MODEL_HINT}")
    if not isinstance(model, str) or not model.strip():
        fail("'model' must be a non-empty string")
    weight = _check_weight(data.get("weight", 1), fail)
    params = {key: value for key, value in data.items() if key not in RESERVED_KEYS}
    for key in params:
        if key in CLI_OWNED_KEYS:
            fail(f"'{key}' cannot be set per line; streaming is chosen for the whole run with --stream")
        check = PARAM_CHECKS.get(key)
        if check is not None and (problem := check(params[key])) is not None:
            fail(attach(f"'{key}'", problem))
    return Case(id=case_id, line=line, messages=messages, model=model, params=params, weight=weight)


class _DuplicateKey(ValueError):
    pass


def _unique_keys(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    data = dict(pairs)
    if len(data) != len(pairs):
        seen: set[str] = set()
        for key, _ in pairs:
            if key in seen:
                raise _DuplicateKey(key)
            seen.add(key)
    return data


def _reject_constant(name: str) -> None:
    raise ValueError(f"{name} is not valid JSON")


class _TooLarge(ValueError):
    pass


def _finite_float(text: str) -> float:
    """Python reads 1e400 as infinity, which no JSON encoder can send back."""
    value = float(text)
    if not math.isfinite(value):
        raise _TooLarge(f"the number {text} is too large to send (it reads as infinity)")
    return value


def _failer(where: str) -> Callable[[str], NoReturn]:
    def fail(message: str) -> NoReturn:
        raise PromptsFileError(f"{where}: {message}")

    return fail


def _check_weight(value: Any, fail: Callable[[str], NoReturn]) -> float:
    if isinstance(value, bool) or not isinstance(value, (int, float)) or not 0 < value < float("inf"):
        got = value if isinstance(value, (int, float)) and not isinstance(value, bool) else describe(value)
        fail(f"'weight' must be a positive number (the case's share of requests), got {got}")
    return float(value)


def _check_id(value: Any, fail: Callable[[str], NoReturn]) -> str:
    if isinstance(value, bool) or not isinstance(value, (str, int)):
        fail(f"'id' must be a string or an integer, got {describe(value)}")
    text = str(value)
    if not text.strip():
        fail("'id' must not be empty")
    return text
