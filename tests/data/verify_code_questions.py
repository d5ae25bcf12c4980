"""Rebuild every gold count of tests/data/code_questions.jsonl in PyTorch and Keras 3.

Run by hand with the frameworks installed (they are no dependency of nlqa):
    KERAS_BACKEND=jax /work/oracle/bin/python tests/data/verify_code_questions.py
Each case's ``verify`` code sets ``result``; helpers: tcount(module) (all parameters, the way
model.parameters() counts them, tied ones once), kcount(model) (Keras count_params()),
klayer(model, i) (model.layers[i].count_params()). Exit status 1 if any count differs.
"""

from __future__ import annotations

import json
import os
import sys
from pathlib import Path

os.environ.setdefault("KERAS_BACKEND", "jax")

import keras  # noqa: E402
import torch  # noqa: E402
from keras import layers  # noqa: E402
from torch import nn  # noqa: E402


def tcount(module) -> int:
    return sum(p.numel() for p in module.parameters())


def kcount(model) -> int:
    return model.count_params()


def klayer(model, index: int) -> int:
    return model.layers[index].count_params()


def main() -> int:
    path = Path(__file__).with_name("code_questions.jsonl")
    bad = checked = 0
    for n, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
        case = json.loads(line)
        if "verify" not in case:
            continue
        scope = {"torch": torch, "nn": nn, "keras": keras, "layers": layers,
                 "tcount": tcount, "kcount": kcount, "klayer": klayer}
        exec(case["verify"], scope)  # the file's own verification code, written for this check
        checked += 1
        if scope["result"] != case["expect"]["value"]:
            bad += 1
            print(f"line {n} ({case['rule']}): frameworks give {scope['result']}, gold {case['expect']['value']}")
    print(f"{checked} counts rebuilt, {bad} differ")
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main())
