"""What a notebook costs `migrate rewrite` beyond its code. Prints figures; asserts nothing.

    python benchmarks/notebook_bench.py

A generated nbformat 4 notebook (40 code cells, 10 markdown cells, 12 MB of base64 PNG outputs, two
clients built from a class imported in the first cell) is rewritten in-process by
`rewrite_notebook`, against `rewrite_source` on the same code as one `.py` module: the difference
is what the notebook layer adds (finding the cells in the JSON, checking each cell parses, joining
and splitting them, splicing the new sources back). Best of 7 runs each. Also the same notebook's
byte pre-filter and `json.loads` for scale.
"""

from __future__ import annotations

import base64
import json
import os
import sys
import time
from collections.abc import Callable
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from migrate_cli.config import resolve_target
from migrate_cli.rewrite.engine import might_contain_client, rewrite_source
from migrate_cli.rewrite.files.notebook import rewrite_notebook
from migrate_cli.rewrite.model import RewriteSettings

CODE_CELLS = 40
IMAGE_BYTES = 300_000  # per image output; one per code cell


def build_notebook() -> tuple[str, str]:
    """(notebook JSON as Jupyter writes it, the same code as one module)."""
    cells, code = [], []
    image = base64.b64encode(os.urandom(IMAGE_BYTES)).decode()
    for n in range(CODE_CELLS):
        if n == 0:
            source = "import json\nimport numpy as np\nfrom openai import OpenAI\n"
        elif n in (5, 25):
            source = (
                f"client_{n} = OpenAI()\n"
                f"reply_{n} = client_{n}.chat.completions.create(model='gpt-4o-mini', messages=[])\n"
            )
        else:
            source = "".join(
                f"values_{n}_{i} = np.arange({i}) * {n}\nprint(json.dumps(values_{n}_{i}.tolist()))\n" for i in range(8)
            )
        code.append(source)
        cells.append(
            {
                "cell_type": "code",
                "execution_count": n + 1,
                "metadata": {},
                "source": source.splitlines(keepends=True),
                "outputs": [
                    {
                        "data": {"image/png": image, "text/plain": ["<Figure>"]},
                        "metadata": {},
                        "output_type": "display_data",
                    }
                ],
            }
        )
        if n % 4 == 0:
            cells.append(
                {"cell_type": "markdown", "metadata": {}, "source": [f"## Step {n}\n", "Some prose about the data."]}
            )
    nb = {
        "cells": cells,
        "metadata": {"kernelspec": {"name": "python3", "display_name": "Python 3"}},
        "nbformat": 4,
        "nbformat_minor": 5,
    }
    return json.dumps(nb, sort_keys=True, indent=1, ensure_ascii=False) + "\n", "".join(code)


def best(fn: Callable[[], object], runs: int = 7) -> float:
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return min(times)


def main() -> None:
    settings = RewriteSettings(resolve_target())
    text, module = build_notebook()
    data = text.encode()
    assert rewrite_notebook(text, settings).changed
    notebook = best(lambda: rewrite_notebook(text, settings))
    source = best(lambda: rewrite_source(module, settings))
    prefilter = best(lambda: might_contain_client(data))
    loads = best(lambda: json.loads(text))
    print(
        f"python {sys.version.split()[0]}; notebook: {len(data) / 1e6:.1f} MB, {CODE_CELLS} code cells, "
        f"{module.count(chr(10))} lines of code"
    )
    print(f"  rewrite_notebook           {notebook * 1000:8.1f} ms")
    print(f"  rewrite_source (same code) {source * 1000:8.1f} ms")
    print(f"  notebook layer adds        {(notebook - source) * 1000:8.1f} ms  ({notebook / source:.2f}x)")
    print(f"  for scale: json.loads {loads * 1000:.1f} ms, byte pre-filter {prefilter * 1000:.1f} ms")


if __name__ == "__main__":
    main()
