"""Rebuild the asker's numbers of tests/data/asker_numbers.jsonl in PyTorch 2.13 / Keras 3.

A case's answer gold is checked by corpus/real/verify_golds.py (its ``verify``); where a framework
can build the asker's reading (a layer without biases, Keras GRU with reset_after=False, one
direction of a bidirectional layer), ``check.verify`` rebuilds the asker's number too::

    KERAS_BACKEND=jax /work/oracle/bin/python corpus/real/verify_golds.py tests/data/asker_numbers.jsonl
    KERAS_BACKEND=jax /work/oracle/bin/python tests/data/verify_asker_numbers.py

Exit status 0 when every number is reproduced.
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
    for line in (HERE / "asker_numbers.jsonl").read_text(encoding="utf-8").splitlines():
        case = json.loads(line) if line.strip() else {}
        verify = case.get("check", {}).get("verify")
        if not verify:
            continue
        item = {**case, "verify": verify,
                "expect": {"status": "answered", "quantity": "total_parameters", "value": case["check"]["value"]}}
        problem = golds.check(item, ns)
        checked += 1
        if problem:
            failures += 1
            print(f"{case['id']}: {problem}")
    print(f"{checked} asker numbers checked, {failures} not reproduced")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
