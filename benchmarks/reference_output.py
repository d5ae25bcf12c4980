"""Writing a reference-count file: shared by the make_reference_counts*.py scripts."""

from __future__ import annotations

import json
import sys
from typing import Iterable


def write_cases(cases: Iterable[dict], surprises: list, checked: str) -> None:
    """Print each case as one JSON line (ids unique, each line read back equal), then on stderr how
    many were written and every framework count that differed from the closed-form formula."""
    seen = set()
    for rec in cases:
        assert rec["id"] not in seen, rec["id"]
        seen.add(rec["id"])
        line = json.dumps(rec)
        assert json.loads(line) == rec
        print(line)
    print(f"wrote {len(seen)} networks", file=sys.stderr)
    for s in surprises:
        print("SURPRISE", s, file=sys.stderr)
    if not surprises:
        print(f"no framework {checked} differs from the closed-form formulas", file=sys.stderr)
