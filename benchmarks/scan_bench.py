"""How fast is `migrate scan`, against `migrate rewrite --dry-run` over the same tree? Prints
figures; asserts nothing.

    python benchmarks/scan_bench.py            # every tree
    python benchmarks/scan_bench.py --runs 3   # best of 3 instead of 5

Both commands run as the real CLI in a subprocess, taking turns (rewrite_bench.best_of), on:

1. the standard library plus 200 generated client files (rewrite_bench's benchmark-1 tree);
2. 2,000 generated files that all build a client (rewrite_bench's benchmark-2 tree);
3. 500 generated files that each make eight API calls through a client, with features in varied
   forms (keywords, a module constant, a `**kwargs` dict, an alias, `self.client`, LangChain);
4. the bundled examples/.

Target (issue 12): scan within 1.5x of `rewrite --dry-run` on the same tree.
"""

from __future__ import annotations

import argparse
import random
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from rewrite_bench import (  # a sibling script, found through sys.path above
    ROOT,
    WORK,
    best_of,
    clients_tree,
    count_files,
    load,
    migrate_command,
    outcome,
    stdlib_tree,
)

TARGET_RATIO = 1.5

CALL_FILE_HEAD = """\
import os
import openai as oa
from openai import AsyncOpenAI, OpenAI
from langchain_openai import ChatOpenAI

MODEL = os.getenv("CHAT_MODEL", "gpt-4o-mini")
FORMAT = {"type": "json_object"}
TOOLS = [{"type": "function", "function": {"name": "lookup", "parameters": {"type": "object"}}}]
client = OpenAI()
"""
CALL_FORMS = [
    "def ask_{n}(q):\n    return client.chat.completions.create(model=MODEL, messages=[q], stream=True,"
    ' stream_options={{"include_usage": True}})\n',
    'def fmt_{n}(q):\n    return client.chat.completions.create(model="gpt-4o", messages=[q], response_format=FORMAT,'
    " seed={n})\n",
    "def tool_{n}(q):\n    return client.chat.completions.create(model=MODEL, messages=[q], tools=TOOLS,"
    ' tool_choice="required", parallel_tool_calls=False)\n',
    'def opts_{n}(q, limit):\n    params = {{"model": MODEL, "n": 2}}\n    if limit:\n'
    '        params["max_completion_tokens"] = limit\n'
    "    return client.chat.completions.create(messages=[q], **params)\n",
    'def emb_{n}(texts):\n    return oa.embeddings.create(model="text-embedding-3-small", input=texts)\n',
    "class Agent{n}:\n    def __init__(self):\n        self.client = AsyncOpenAI()\n\n"
    '    async def run(self, q):\n        return await self.client.responses.create(model="gpt-5", input=q)\n',
    'def legacy_{n}(q):\n    return oa.ChatCompletion.create(model="gpt-3.5-turbo", messages=[q], stop=["END"])\n',
    'llm_{n} = ChatOpenAI(model="gpt-4o", streaming=True, model_kwargs={{"logprobs": True}})\n',
]


def calls_tree(files: int = 500) -> Path:
    tree = WORK / f"calls_{files}"
    if not tree.exists():
        tree.mkdir(parents=True)
        rng = random.Random(3)
        for i in range(files):
            forms = [form.format(n=i * 10 + k) for k, form in enumerate(CALL_FORMS)]
            rng.shuffle(forms)
            (tree / f"module_{i:04}.py").write_text(CALL_FILE_HEAD + "\n\n" + "\n\n".join(forms))
    return tree


def compare(label: str, tree: Path, runs: int) -> float:
    files, clients, lines = count_files(tree)
    print(f"{label}: {files} .py files ({lines:,} lines), {clients} mention openai")
    timings = best_of(
        runs,
        {
            "rewrite --dry-run": [*migrate_command(), "rewrite", str(tree), "--dry-run"],
            "scan": [*migrate_command(), "scan", str(tree)],
            "scan --json": [*migrate_command(), "scan", str(tree), "--json"],
        },
    )
    for name, timing in timings.items():
        print(f"   {name:<18} best of {runs}: {timing}   [{outcome(timing)}]")
    ratio = timings["scan"].wall / timings["rewrite --dry-run"].wall
    print(f"   scan / rewrite --dry-run: {ratio:.2f}x wall   (target: at most {TARGET_RATIO}x; {load()})")
    return ratio


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args()
    ratios = [
        compare("1. stdlib copy + 200 client files", stdlib_tree(), args.runs),
        compare("2. 2,000 client files", clients_tree(), max(1, args.runs // 2)),
        compare("3. 500 files of API calls", calls_tree(), args.runs),
        compare("4. examples/", ROOT / "examples", args.runs * 2),
    ]
    print(f"worst ratio: {max(ratios):.2f}x (target: at most {TARGET_RATIO}x)")


if __name__ == "__main__":
    main()
