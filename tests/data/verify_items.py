"""Rebuild every part's gold of tests/data/items.jsonl in PyTorch 2.13 / Keras 3.

Each part carries its own ``verify`` (the syntax of corpus/real/verify_golds.py, whose checker this
script reuses); cases that are asked back have no parts::

    KERAS_BACKEND=jax /work/oracle/bin/python tests/data/verify_items.py

Exit status 0 when every part is reproduced.
"""

from __future__ import annotations

import importlib.util
import json
import sys
from pathlib import Path

HERE = Path(__file__).parent
spec = importlib.util.spec_from_file_location("verify_golds", HERE.parent.parent / "corpus" / "real" / "verify_golds.py")
golds = importlib.util.module_from_spec(spec)
spec.loader.exec_module(golds)


def main() -> int:
    ns = golds._namespace()
    ns["_missing"] = {name for name in ("torch", "keras") if name not in ns}
    checked = failures = 0
    for line in (HERE / "items.jsonl").read_text(encoding="utf-8").splitlines():
        if not line.strip():
            continue
        case = json.loads(line)
        for n, part in enumerate(case["parts"], 1):
            item = {**case, "verify": part["verify"],
                    "expect": {"status": "answered", "quantity": part["quantity"], "value": part["value"]}}
            problem = golds.check(item, ns)
            checked += 1
            if problem:
                failures += 1
                print(f"{case['id']} part {n}: {problem}")
    print(f"{checked} parts checked, {failures} not reproduced")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
