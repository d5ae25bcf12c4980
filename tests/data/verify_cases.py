"""Rebuild, in PyTorch 2.13 / Keras 3 / transformers, every gold of the test data files that carry
their own ``verify`` lines (the syntax of corpus/real/verify_golds.py, whose checker this reuses)::

    KERAS_BACKEND=jax /work/oracle/bin/python tests/data/verify_cases.py            # every file below
    KERAS_BACKEND=jax /work/oracle/bin/python tests/data/verify_cases.py parts.jsonl

Where each file keeps its golds (one line each of GOLDS below):
- parts.jsonl, items.jsonl: every part of a case (``parts[].verify``);
- transformer_rules.jsonl, markdown_questions.jsonl: each answered case (``verify``);
- asker_numbers.jsonl: the asker's number where a framework can build their reading (``check.verify``;
  the answer's own gold is checked by corpus/real/verify_golds.py on the same file).

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


def _parts(case: dict, n: int):
    for k, part in enumerate(case.get("parts", []), 1):
        yield f"{case['id']} part {k}", part["verify"], part["quantity"], part["value"]


def _answered(case: dict, n: int):
    if case.get("status", "answered") == "answered" and case.get("verify"):
        yield f"line {n} ({case.get('rule', '')[:40]})", case["verify"], case["quantity"], case["value"]


def _asker(case: dict, n: int):
    check = case.get("check", {})
    if check.get("verify"):
        yield case["id"], check["verify"], "total_parameters", check["value"]


GOLDS = {"parts.jsonl": _parts, "items.jsonl": _parts, "transformer_rules.jsonl": _answered,
         "markdown_questions.jsonl": _answered,
         "asker_numbers.jsonl": _asker}


def main(names: list[str]) -> int:
    ns = golds._namespace()
    ns["_missing"] = {name for name in ("torch", "keras") if name not in ns}
    checked = failures = 0
    for name in names or list(GOLDS):
        for n, line in enumerate((HERE / name).read_text(encoding="utf-8").splitlines(), 1):
            if not line.strip():
                continue
            case = json.loads(line)
            for label, verify, quantity, value in GOLDS[name](case, n):
                item = {"id": label, "question": case.get("question") or case.get("tune", ""), "source": name,
                        "category": case.get("category", "test"), "verify": verify,
                        "expect": {"status": "answered", "quantity": quantity, "value": value}}
                problem = golds.check(item, ns)
                checked += 1
                if problem:
                    failures += 1
                    print(f"{name} {label}: {problem}")
    print(f"{checked} golds checked, {failures} not reproduced")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
