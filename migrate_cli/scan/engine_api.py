"""Everything `scan` takes from the rewrite engine, in one place.

Scan reads code exactly as `migrate rewrite` does (discovery, decoding, parsing, notebooks, the
scope-aware name analysis, client resolution, `**kwargs` dicts, framework model sites), so it
imports those parts instead of copying them. This is the only module of `migrate_cli.scan` that
imports `migrate_cli.rewrite`: when the engine's modules move, these imports are all that change.
"""

from __future__ import annotations

from migrate_cli.rewrite.analysis.model_ids import split_model_id
from migrate_cli.rewrite.analysis.model_sites import SITE_NAMES, SITES_BY_CALLEE, ModelSite
from migrate_cli.rewrite.analysis.names import AZURE_CLIENT_NAMES, CLIENT_NAMES, OPENAI_MODULES
from migrate_cli.rewrite.analysis.scopes import ModuleAnalysis, analyze
from migrate_cli.rewrite.analysis.values import env_read, is_none, string_items, string_value
from migrate_cli.rewrite.api.clients import Origin, resolve_client
from migrate_cli.rewrite.api.config_dict import ConfigDict, follow_config
from migrate_cli.rewrite.api.context import ModuleInfo
from migrate_cli.rewrite.engine import might_contain_client, parse
from migrate_cli.rewrite.files.notebook import is_python
from migrate_cli.rewrite.files.notebook_json import NotebookFormatError, locate_cells
from migrate_cli.rewrite.files.pool import Pool
from migrate_cli.rewrite.files.runner import MIN_FILES_FOR_POOL, REWRITE_BATCH, default_jobs
from migrate_cli.rewrite.files.source_files import (
    DEFAULT_INCLUDE,
    FileFilter,
    NotRegularFileError,
    SourceDecodeError,
    decode_source,
    discover,
    read_file,
)
from migrate_cli.rewrite.files.stopping import Interrupts
from migrate_cli.rewrite.model import TOO_DEEP, SourceError
from migrate_cli.rewrite.registry import RULES

__all__ = [
    "AZURE_CLIENT_NAMES",
    "CLIENT_NAMES",
    "DEFAULT_INCLUDE",
    "MIN_FILES_FOR_POOL",
    "OPENAI_MODULES",
    "REWRITE_BATCH",
    "RULES",
    "SITES_BY_CALLEE",
    "SITE_NAMES",
    "TOO_DEEP",
    "ConfigDict",
    "FileFilter",
    "Interrupts",
    "ModelSite",
    "ModuleAnalysis",
    "ModuleInfo",
    "NotRegularFileError",
    "NotebookFormatError",
    "Origin",
    "Pool",
    "SourceDecodeError",
    "SourceError",
    "analyze",
    "decode_source",
    "default_jobs",
    "discover",
    "env_read",
    "follow_config",
    "is_none",
    "is_python",
    "locate_cells",
    "might_contain_client",
    "parse",
    "read_file",
    "resolve_client",
    "split_model_id",
    "string_items",
    "string_value",
]
