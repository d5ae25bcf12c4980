"""Every layer kind the core counts has a property family in tests/test_oracle.py (main venv, no torch).

The table is tests/data/oracle_coverage.toml; tests/test_oracle.py checks, in the oracle venv, that its
strategies are those families and generate the kinds listed for them.
"""

from __future__ import annotations

import tomllib
from pathlib import Path

from nlqa.core import FORMULAS

TABLE = tomllib.loads((Path(__file__).parent / "data" / "oracle_coverage.toml").read_text(encoding="utf-8"))
FRAMEWORKS = ("pytorch", "keras")


def test_every_core_kind_has_a_property_family():
    covered = {kind for family in TABLE.values() for kinds in family.values() for kind in kinds}
    assert sorted(set(FORMULAS) - covered) == []


def test_the_coverage_table_names_only_core_kinds_and_frameworks():
    unknown = sorted({(name, fw, kind) for name, family in TABLE.items() for fw, kinds in family.items()
                      for kind in kinds if kind not in FORMULAS or fw not in FRAMEWORKS})
    assert unknown == []
    assert all(family for family in TABLE.values())
