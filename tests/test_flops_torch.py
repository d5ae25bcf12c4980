"""The MACs/FLOPs golds of tests/data/flops_cases.jsonl and flops_layers.jsonl, as torch.utils.flop_counter
counts them. torch is no dependency of nlqa: without it these tests skip (the CI venv has only `.[test]`).

torch's FlopCounterMode counts 2 FLOPs per multiply-accumulate of a matrix product or convolution and
ignores bias adds and elementwise operations: nlqa's convention (grammars/flops.toml), so its total is
the gold `flops` = 2 × `macs`. It counts 0 for nn.LSTM on CPU (a fused kernel), so LSTM cases unroll
nn.LSTMCell, whose matrix products it counts.
"""

from __future__ import annotations

import importlib.util
import json
from pathlib import Path

import pytest

DATA = Path(__file__).parent / "data"
_SPEC = importlib.util.spec_from_file_location("verify_golds", Path(__file__).parent.parent / "corpus" / "real" / "verify_golds.py")
VERIFY = importlib.util.module_from_spec(_SPEC)
_SPEC.loader.exec_module(VERIFY)   # its flop_count is the one oracle of FLOPs golds
CASES = [json.loads(line) for name in ("flops_cases.jsonl", "flops_layers.jsonl")
         for line in (DATA / name).read_text(encoding="utf-8").splitlines() if line.strip()]
CORPUS = [json.loads(line) for line in (Path(__file__).parent.parent / "corpus" / "flops.jsonl").read_text(
    encoding="utf-8").splitlines() if line.strip()]
VERIFIED = [c for c in CORPUS if c["expect"]["status"] == "answered"]


def torch_flops(code: str) -> int:
    """torch.utils.flop_counter's total, counted as corpus/real/verify_golds.py counts it."""
    torch = pytest.importorskip("torch")
    from torch import nn
    if "transformers" in code:
        pytest.importorskip("transformers")
    return VERIFY.flop_count(code, {"torch": torch, "nn": nn})


@pytest.mark.parametrize("case", CASES, ids=[c["id"] for c in CASES])
def test_flops_torch_flop_counter_gives_the_gold(case):
    assert case["flops"] == 2 * case["macs"]
    assert torch_flops(case["torch"]) == case["flops"]


@pytest.mark.parametrize("item", VERIFIED, ids=[c["id"] for c in VERIFIED])
def test_flops_corpus_gold_is_torch_flop_counter_count(item):
    oracle, code = item["verify"].split(":", 1)
    assert oracle == "torch-flops"
    flops = torch_flops(code.strip())
    expect = item["expect"]
    assert expect["value"] == (flops if expect["quantity"] == "flops" else flops // 2)


def test_flops_corpus_unanswerable_items_say_why():
    for item in CORPUS:
        if item["expect"]["status"] != "answered":
            assert item["verify"].startswith("none: ")
