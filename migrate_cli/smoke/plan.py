"""Pure: flags + `[tool.migrate]` + environment -> one `SmokePlan` (who is called, with what, how).

Precedence for every setting: flag, then `[tool.migrate]`, then the built-in default. The baseline's
URL also honours `OPENAI_BASE_URL` (below the config, above the default), because that is where the
user's own code already sends its OpenAI traffic.

Models: a case's `model` (or `[tool.migrate] model` for lines without one) is the BASELINE model.
The candidate model is `--model` if given, else the case's model through the model map
(`--model-map OLD=NEW` flags over `[tool.migrate] model_map` over the preset's map), else the same
name.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from migrate_cli.config import ProjectConfig, Target, check_env_name, check_url, preset_for_url
from migrate_cli.errors import UsageError
from migrate_cli.redact import redact
from migrate_cli.smoke.calls import CallSettings
from migrate_cli.smoke.gates import FAIL_ON_ITEMS, GateSettings
from migrate_cli.smoke.outputs import check_report_path
from migrate_cli.smoke.records import Endpoint, SideName
from migrate_cli.smoke.runner import DEFAULT_CONCURRENCY, RunSettings

OPENAI_URL = "https://api.openai.com/v1"
OPENAI_KEY_ENV = "OPENAI_API_KEY"
DEFAULT_TIMEOUT = 60.0
DEFAULT_MAX_RETRIES = 2
REFRESH_CHOICES = {"baseline": ("baseline",), "candidate": ("candidate",), "all": ("baseline", "candidate")}


@dataclass(frozen=True)
class SmokeOptions:
    """The command line as typed (None: not given)."""

    prompts: Path
    model: str | None = None
    model_map: Sequence[str] = ()
    baseline_base_url: str | None = None
    baseline_api_key_env: str | None = None
    pricing: Path | None = None
    rates: Sequence[str] = ()
    reports: Sequence[Path] = ()
    results: Path | None = None
    concurrency: int | None = None
    timeout: float | None = None
    max_retries: int | None = None
    stream: bool = False
    limit: int | None = None
    fail_on: str | None = None
    min_similarity: float | None = None
    max_cost_increase: float | None = None
    cache: Path | None = None
    refresh: str | None = None
    resume: Path | None = None
    repeat: int | None = None
    stream_check: int | None = None
    calibrate: bool = False
    save_calibration: Path | None = None
    calibration: Path | None = None
    monthly_requests: int | None = None


@dataclass(frozen=True)
class SmokePlan:
    prompts: Path
    endpoints: Mapping[SideName, Endpoint]
    #: Baseline model for lines without one.
    default_model: str | None
    #: `--model`: the candidate model for every case.
    model_override: str | None
    model_map: Mapping[str, str]
    pricing: Path | None
    rates: Mapping[str, Decimal]
    settings: RunSettings
    limit: int | None
    reports: tuple[Path, ...]
    results: Path | None
    gates: GateSettings = field(default_factory=GateSettings)
    warnings: tuple[str, ...] = field(default_factory=tuple)
    #: --cache DIR (or [tool.migrate] cache), and the sides --refresh asks again.
    cache: Path | None = None
    refresh: frozenset[str] = frozenset()
    #: --resume FILE: answers reused from it; new ones are appended to it (it is also `results`).
    resume: Path | None = None
    calibrate: bool = False
    save_calibration: Path | None = None
    calibration: Path | None = None
    monthly_requests: int | None = None
    #: How sentences name each side ("vMira", "the candidate (127.0.0.1:8000)").
    names: Mapping[str, str] = field(default_factory=dict)

    def candidate_model(self, baseline_model: str) -> str:
        if self.model_override is not None:
            return self.model_override
        return self.model_map.get(baseline_model, baseline_model)

    @property
    def key_envs(self) -> list[str]:
        return [endpoint.api_key_env for endpoint in self.endpoints.values()]


def make_plan(options: SmokeOptions, config: ProjectConfig, target: Target, environ: Mapping[str, str]) -> SmokePlan:
    from migrate_cli.smoke.pricing import parse_rate_option

    baseline = _baseline(options, config, environ)
    candidate = Endpoint("candidate", target.base_url, target.api_key_env, label=target.describe())
    model_map = {**_config_map(config, target), **_parse_model_map(options.model_map)}
    pricing = options.pricing
    if pricing is None and config.get("pricing") is not None:
        pricing = config.resolve_path(config.get("pricing"))
    calls = CallSettings(
        timeout=_positive(_pick(options.timeout, config, "timeout", DEFAULT_TIMEOUT), "--timeout"),
        max_retries=_at_least(
            _pick(options.max_retries, config, "max_retries", DEFAULT_MAX_RETRIES), 0, "--max-retries"
        ),
        stream=options.stream,
    )
    concurrency = _at_least(_pick(options.concurrency, config, "concurrency", DEFAULT_CONCURRENCY), 1, "--concurrency")
    settings = RunSettings(
        concurrency=concurrency,
        calls=calls,
        repeat=1 if options.repeat is None else _at_least(options.repeat, 2, "--repeat"),
        stream_check=0 if options.stream_check is None else _at_least(options.stream_check, 1, "--stream-check"),
        calibrate=options.calibrate,
    )
    cache = options.cache
    if cache is None and config.get("cache") is not None:
        cache = config.resolve_path(config.get("cache"))
    gates = GateSettings(
        fail_on=_parse_fail_on(options.fail_on),
        min_similarity=_similarity(options.min_similarity),
        max_cost_increase=_cost_increase(options.max_cost_increase),
    )
    results = _results(options)
    _check_combinations(options, cache, gates)
    warnings = []
    if target.same_url(baseline.base_url):
        warnings.append(f"the baseline and the candidate are the same endpoint ({baseline.base_url})")
    return SmokePlan(
        prompts=options.prompts,
        endpoints={"baseline": baseline, "candidate": candidate},
        default_model=config.get("model"),
        model_override=options.model,
        model_map=model_map,
        pricing=pricing,
        rates=dict(parse_rate_option(text) for text in options.rates),
        settings=settings,
        limit=None if options.limit is None else _at_least(options.limit, 1, "--limit"),
        reports=tuple(check_report_path(path) for path in options.reports),
        results=results,
        gates=gates,
        warnings=tuple(warnings),
        cache=cache,
        refresh=frozenset(REFRESH_CHOICES[options.refresh]) if options.refresh else frozenset(),
        resume=options.resume,
        calibrate=options.calibrate,
        save_calibration=_writable(options.save_calibration, "--save-calibration"),
        calibration=options.calibration,
        monthly_requests=None
        if options.monthly_requests is None
        else _at_least(options.monthly_requests, 1, "--monthly-requests"),
        names={"baseline": side_name(baseline), "candidate": side_name(candidate)},
    )


def side_name(endpoint: Endpoint) -> str:
    """A known provider by its name ("OpenAI", "vMira"), anything else by side and host."""
    preset = preset_for_url(endpoint.base_url)
    if preset is not None:
        return preset.label
    return f"the {endpoint.side} ({urlsplit(endpoint.base_url).netloc or endpoint.base_url})"


def _results(options: SmokeOptions) -> Path | None:
    """--resume FILE appends to FILE: a different --results beside it would split the run in two."""
    if options.resume is None:
        return options.results
    if options.results is not None and options.results.resolve() != options.resume.resolve():
        raise UsageError(
            f"--resume {options.resume} appends the new answers to that file; drop --results {options.results}"
        )
    return options.resume


def _check_combinations(options: SmokeOptions, cache: Path | None, gates: GateSettings) -> None:
    if options.refresh is not None:
        if options.refresh not in REFRESH_CHOICES:
            raise UsageError(f"--refresh takes baseline, candidate or all, got '{options.refresh}'")
        if cache is None:
            raise UsageError("--refresh re-asks a side instead of using the cache: give --cache DIR too")
    if options.calibrate:
        clashing = [
            name
            for name, given in (
                ("--report", bool(options.reports)),
                ("--repeat", options.repeat is not None),
                ("--stream-check", options.stream_check is not None),
                ("--fail-on/--min-similarity/--max-cost-increase", gates.given),
            )
            if given
        ]
        if clashing:
            raise UsageError(
                f"--calibrate asks for one output token per case, so its answers cannot be compared: "
                f"drop {', '.join(clashing)} (run without --calibrate for those)"
            )


def _writable(path: Path | None, name: str) -> Path | None:
    if path is not None and not path.parent.resolve().is_dir():
        raise UsageError(f"{name} {path}: the directory {path.parent} does not exist")
    return path


def _cost_increase(value: float | None) -> float | None:
    if value is not None and value < -100:
        raise UsageError(f"--max-cost-increase is a percentage of the baseline's cost, at least -100, got {value}")
    return value


def _baseline(options: SmokeOptions, config: ProjectConfig, environ: Mapping[str, str]) -> Endpoint:
    if options.baseline_base_url is not None:
        url, origin = options.baseline_base_url, "command line"
    elif config.get("baseline_base_url") is not None:
        url, origin = config.get("baseline_base_url"), config.label
    elif environ.get("OPENAI_BASE_URL"):
        url, origin = environ["OPENAI_BASE_URL"], "$OPENAI_BASE_URL"
    else:
        url, origin = OPENAI_URL, "default"
    check_url(url, source=f"baseline base URL ({origin})")
    if options.baseline_api_key_env is not None:
        key_env = check_env_name(options.baseline_api_key_env, source="--baseline-api-key-env")
    elif config.get("baseline_api_key_env") is not None:
        key_env = config.get("baseline_api_key_env")
    else:
        key_env = OPENAI_KEY_ENV
    label = f"{redact(url)} (key from ${key_env}; {origin})"  # a proxy URL may carry a password
    return Endpoint("baseline", url, key_env, label=label)


def _config_map(config: ProjectConfig, target: Target) -> dict[str, str]:
    """The target's map: the preset's, overridden by `[tool.migrate] model_map` (config.py merges them)."""
    mapping = dict(target.model_map)
    for old, new in mapping.items():
        if not isinstance(new, str) or not new:
            raise UsageError(f"{config.label}: model_map '{old}' must map to a model name (a string)")
    return mapping


def _parse_model_map(items: Sequence[str]) -> dict[str, str]:
    mapping = {}
    for item in items:
        old, sep, new = item.partition("=")
        if not sep or not old.strip() or not new.strip():
            raise UsageError(f"--model-map must look like OLD=NEW (e.g. gpt-4o-mini=mira), got '{item}'")
        mapping[old.strip()] = new.strip()
    return mapping


def _pick(flag: Any, config: ProjectConfig, key: str, default: Any) -> Any:
    if flag is not None:
        return flag
    value = config.get(key)
    return default if value is None else value


def _positive(value: float, name: str) -> float:
    if value <= 0:
        raise UsageError(f"{name} must be a positive number of seconds, got {value}")
    return float(value)


def _at_least(value: int, low: int, name: str) -> int:
    if value < low:
        raise UsageError(f"{name} must be at least {low}, got {value}")
    return value


def _parse_fail_on(text: str | None) -> tuple[str, ...]:
    if text is None:
        return ()
    items = tuple(dict.fromkeys(part.strip() for part in text.split(",") if part.strip()))
    unknown = [item for item in items if item not in FAIL_ON_ITEMS]
    if unknown or not items:
        raise UsageError(
            f"--fail-on takes verdicts ({', '.join(FAIL_ON_ITEMS[:-1])}) and/or 'error' (comma-separated), got '{text}'"
        )
    return items


def _similarity(value: float | None) -> float | None:
    if value is not None and not 0 <= value <= 1:
        raise UsageError(f"--min-similarity must be between 0 and 1, got {value}")
    return value
