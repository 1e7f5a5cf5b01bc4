"""Every module of migrate_cli imports alone, in an interpreter that has imported no other module of it.

An import cycle hides as long as every entry point happens to import the right module first; this
test is what catches it. Starting one interpreter per module would take a minute, so one child
interpreter imports the third-party and standard-library packages migrate_cli uses (they cannot
take part in our cycles), then forks once per module: each fork starts with no module of
migrate_cli loaded and imports exactly one.
"""

from __future__ import annotations

import json
import os
import pkgutil
import subprocess
import sys

import pytest

import migrate_cli

MODULES = sorted(["migrate_cli", *(info.name for info in pkgutil.walk_packages(migrate_cli.__path__, "migrate_cli."))])

# Prints the top-level names of every package but ours that importing all of migrate_cli loads.
_DEPENDENCIES = """
import importlib, json, sys
for name in sys.argv[1:]:
    importlib.import_module(name)
print(json.dumps(sorted({m.split(".")[0] for m in sys.modules if m.split(".")[0] != "migrate_cli"})))
"""

# Imports the dependencies, then forks per module; prints {module: error} for the ones that fail.
_EACH_ALONE = """
import importlib, json, os, sys, traceback
for name in json.loads(sys.argv[1]):
    try:
        importlib.import_module(name)
    except Exception:
        pass  # not importable on its own (a private helper module): the module that needs it will say
assert not any(m == "migrate_cli" or m.startswith("migrate_cli.") for m in sys.modules)
failures = {}
for module in sys.argv[2:]:
    read, write = os.pipe()
    pid = os.fork()
    if pid == 0:
        os.close(read)
        try:
            importlib.import_module(module)
            message = b""
        except BaseException:
            message = traceback.format_exc(limit=-3).encode()
        os.write(write, message)
        os._exit(0)
    os.close(write)
    with os.fdopen(read, "rb") as pipe:
        message = pipe.read()
    os.waitpid(pid, 0)
    if message:
        failures[module] = message.decode()
print(json.dumps(failures))
"""


def _run(script: str, *args: str) -> str:
    env = {**os.environ, "PYTHONDONTWRITEBYTECODE": "1"}
    proc = subprocess.run([sys.executable, "-c", script, *args], capture_output=True, text=True, env=env, check=False)
    assert proc.returncode == 0, proc.stderr
    return proc.stdout


@pytest.mark.skipif(not hasattr(os, "fork"), reason="forks one child per module")
def test_every_module_imports_alone() -> None:
    assert "migrate_cli.rewrite.engine" in MODULES and "migrate_cli.rewrite.rules.openai_client" in MODULES
    dependencies = _run(_DEPENDENCIES, *MODULES).strip()
    failures = json.loads(_run(_EACH_ALONE, dependencies, *MODULES))
    assert not failures, "\n\n".join(f"{module}:\n{error}" for module, error in failures.items())
