"""Read, rewrite, diff and write the files that are not Python source: notebooks and env files.

The deciding is done by notebook.py and envfiles.py (pure); this module only does their I/O, the
same way runner.process_file does it for `.py` files: a problem with the file becomes its error
entry and the file is left byte-identical, everything shown is redacted, writes are atomic.

Notebooks are UTF-8 JSON (nbformat says so); a UTF-8 BOM, rare, is kept. Env files are read as
UTF-8 too, which is what python-dotenv and docker compose assume; a file with NUL bytes (an
editor's swap file named `.env.swp`) is not text and is passed over.
"""

from __future__ import annotations

import codecs

from migrate_cli.redact import env_secrets
from migrate_cli.rewrite.diff import unified_diff
from migrate_cli.rewrite.files.envfiles import UrlReaders, rewrite_env_file
from migrate_cli.rewrite.files.notebook import NotebookResult, rewrite_notebook
from migrate_cli.rewrite.files.notebook_json import NotebookFormatError
from migrate_cli.rewrite.files.outcomes import (
    SECRET_ENV_NAMES,
    Failure,
    Findings,
    Outcome,
    error_outcome,
    redacted_findings,
    write_file,
)
from migrate_cli.rewrite.model import TOO_DEEP, FileResult, RewriteSettings, Skip

_SECRET_NAME_PARTS = ("KEY", "TOKEN", "SECRET", "PASSWORD")


def process_special(
    path: str,
    data: bytes,
    settings: RewriteSettings,
    *,
    write: bool,
    url_readers: UrlReaders | None,
) -> Outcome:
    """A notebook or an env file that passed the pre-filter (runner.process_file routes them here)."""
    if path.endswith(".ipynb"):
        return process_notebook(path, data, settings, write=write)
    return process_env_file(path, data, settings, write=write, readers=url_readers or UrlReaders())


def process_notebook(path: str, data: bytes, settings: RewriteSettings, *, write: bool) -> Outcome:
    bom, text = _utf8(data)
    if text is None:
        return error_outcome(path, "cannot decode: a notebook must be UTF-8 JSON", Failure.INPUT)
    try:
        result = rewrite_notebook(text, settings)
    except NotebookFormatError as exc:
        return error_outcome(path, str(exc), Failure.INPUT)
    except (RecursionError, MemoryError):
        return error_outcome(path, TOO_DEEP, Failure.INPUT)

    if result.other_language is not None:
        # Not Python: no review item per cell that Python cannot parse, only a note in --json.
        why = f"the notebook's kernel runs {result.other_language}, not Python: not looked at"
        return Outcome(FileResult(path, "skipped", skipped=Skip(why, listed=False)))
    secrets, findings = redacted_findings(result, settings)
    findings["url_env_reads"] = result.url_env_reads
    if not result.changed:
        return Outcome(FileResult(path, "unchanged", **findings))
    failed = write_file(path, bom + result.text.encode("utf-8"), data, write)
    if failed is not None:
        return failed
    return Outcome(FileResult(path, "changed", diff=notebook_diff(path, result, secrets), **findings))


def notebook_diff(path: str, result: NotebookResult, secrets: tuple[str, ...]) -> str:
    """One unified diff per changed cell, headed `--- a/nb.ipynb (cell 3)`; lines count within the cell."""
    return "".join(
        unified_diff(f"{path} (cell {cell.number})", cell.before, cell.after, secrets) for cell in result.cells
    )


def process_env_file(path: str, data: bytes, settings: RewriteSettings, *, write: bool, readers: UrlReaders) -> Outcome:
    if b"\0" in data:
        return Outcome(FileResult(path, "unchanged"))
    bom, text = _utf8(data)
    if text is None:
        return error_outcome(path, "cannot decode: env files are read as UTF-8", Failure.INPUT)
    result = rewrite_env_file(text, settings.target, readers)
    findings: Findings = {"changes": result.changes, "review": result.review}
    if not result.changed or result.text == text:
        return Outcome(FileResult(path, "unchanged", **findings))
    failed = write_file(path, bom + result.text.encode("utf-8"), data, write)
    if failed is not None:
        return failed
    # The display copies hold no values; the redaction is a second net for a key in an odd place.
    secrets = (*_secret_values(text), *env_secrets((settings.target.api_key_env, *SECRET_ENV_NAMES)))
    diff = unified_diff(path, result.shown_before, result.shown_after, secrets)
    return Outcome(FileResult(path, "changed", diff=diff, **findings))


def _secret_values(text: str) -> list[str]:
    values = []
    for line in text.splitlines():
        name, sep, value = line.partition("=")
        if sep and any(part in name.upper() for part in _SECRET_NAME_PARTS):
            values.append(value.strip().strip("'\""))
    return values


def _utf8(data: bytes) -> tuple[bytes, str | None]:
    bom = codecs.BOM_UTF8 if data.startswith(codecs.BOM_UTF8) else b""
    try:
        return bom, data[len(bom) :].decode("utf-8")
    except UnicodeDecodeError:
        return bom, None
