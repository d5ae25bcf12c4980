"""Rebuild every gold of tests/data/transformer_rules.jsonl in PyTorch 2.13 / Keras 3 / transformers.

Each answered case carries its own ``verify`` (the syntax of corpus/real/verify_golds.py, whose checker
this script reuses)::

    KERAS_BACKEND=jax /work/oracle/bin/python tests/data/verify_transformer_rules.py

Exit status 0 when every gold is reproduced.
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
    for n, line in enumerate((HERE / "transformer_rules.jsonl").read_text(encoding="utf-8").splitlines(), 1):
        case = json.loads(line) if line.strip() else None
        if case is None or case.get("status", "answered") != "answered":
            continue
        item = {"id": f"line {n}", "question": case.get("question") or case["tune"], "source": "rule test",
                "category": "transformer", "verify": case["verify"],
                "expect": {"status": "answered", "quantity": case["quantity"], "value": case["value"]}}
        problem = golds.check(item, ns)
        checked += 1
        if problem:
            failures += 1
            print(f"line {n} ({case['rule'][:40]}): {problem}")
    print(f"{checked} golds checked, {failures} not reproduced")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
