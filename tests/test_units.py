"""Memory of weights and of training state (nlqa.units, pint definitions in grammars/units.txt)."""

from __future__ import annotations

import pytest

from nlqa.units import dtype_bytes, readable, training_bytes, weights_bytes


@pytest.mark.parametrize("params, dtype, expected", [
    (109_482_240, "float32", 437_928_960),        # BERT-base in fp32
    (7_000_000_000, "bfloat16", 14_000_000_000),
    (1_300_000_000, "int8", 1_300_000_000),
    (70_000_000_000, "int4", 35_000_000_000),
    (13, "int4", 7),                              # half bytes round up
    (100, "fp64", 800),
])
def test_units_weights_bytes(params, dtype, expected):
    assert weights_bytes(params, dtype) == expected


def test_units_aliases_name_the_same_dtype():
    assert dtype_bytes("fp16") == dtype_bytes("half") == dtype_bytes("float16") == 2


@pytest.mark.parametrize("optimizer, precision, per_param", [
    ("adam", "fp32", 16), ("adam", "mixed", 16), ("momentum", "fp32", 12), ("sgd", "fp32", 8)])
def test_units_training_bytes_per_parameter(optimizer, precision, per_param):
    total, parts = training_bytes(1000, optimizer, precision)
    assert total == 1000 * per_param
    assert sum(b for _, b in parts) == per_param


def test_units_readable_gives_decimal_and_binary_units():
    assert readable(437_928_960) == "437.9 MB = 417.6 MiB"
    assert readable(14_000_000_000, "GB").startswith("14.0 GB")
