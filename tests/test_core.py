"""The counting core against counts measured from PyTorch and Keras (tests/data/reference_counts.jsonl).

Each line of the reference file was produced by benchmarks/make_reference_counts.py from real
framework models (versions in each line's ``source``); the core never sees those frameworks.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from nlqa.core import LayerSpec, NetworkSpec, count_network
from nlqa.errors import SpecError

DATA = Path(__file__).parent / "data"
RECURRENT = ("SimpleRNN", "LSTM", "GRU")


def _load(name: str, pytorch_sequences: bool) -> list[dict]:
    cases = [json.loads(line) for line in (DATA / name).read_text().splitlines() if line.strip()]
    for case in cases:
        case["pytorch_sequences"] = pytorch_sequences
    return cases


# reference_counts.jsonl records PyTorch recurrent outputs as whole sequences;
# reference_counts_cnn.jsonl records the last step unless a line says otherwise.
CASES = _load("reference_counts.jsonl", True) + _load("reference_counts_cnn.jsonl", False)


def _spec(case: dict) -> NetworkSpec:
    layers = []
    for layer in case["layers"]:
        if case["framework"] == "pytorch" and layer["kind"] in RECURRENT:
            layer = {"return_sequences": case["pytorch_sequences"], **layer}
        layers.append(LayerSpec.from_dict(layer))
    shape = tuple(case["input"]) if case["input"] is not None else None
    return NetworkSpec(shape, tuple(layers), case["framework"])


@pytest.mark.parametrize("case", CASES, ids=[c["id"] for c in CASES])
def test_core_counts_match_framework(case):
    count = count_network(_spec(case))
    expect = case["expect"]
    assert [layer.params for layer in count.layers] == expect["per_layer"]
    totals = count.totals
    for key in ("total_parameters", "trainable_parameters", "non_trainable_parameters"):
        assert totals[key] == expect[key], key
    statistics = sum(t.value for layer in count.layers for t in layer.terms if t.kind == "statistics")
    assert totals["weights"] + totals["biases"] + statistics == totals["total_parameters"]
    if "output_shape" in expect:
        assert list(count.output_shape) == expect["output_shape"]


def test_core_canonical_terms_show_each_product():
    spec = NetworkSpec((3,), (LayerSpec("SimpleRNN", 6), LayerSpec("SimpleRNN", 6), LayerSpec("Dense", 1)))
    first = count_network(spec).layers[0]
    assert [t.expression for t in first.terms] == ["3 × 6 = 18", "6 × 6 = 36", "6"]
    assert first.formula == "u(i + u + 1)"


@pytest.mark.parametrize("framework, expected", [("textbook", 559), ("keras", 559), ("pytorch", 607)])
def test_core_lstm_canonical_per_convention(framework, expected):
    spec = NetworkSpec((3,), (LayerSpec("LSTM", 6), LayerSpec("LSTM", 6), LayerSpec("Dense", 1)), framework)
    assert count_network(spec).totals["total_parameters"] == expected


@pytest.mark.parametrize("layers, message", [
    ((LayerSpec("Dense", None),), "has no size"),
    ((LayerSpec("Dense", -5),), "number of units of the Dense layer must be a positive whole number, not -5"),
    ((LayerSpec("Conv9D", 3),), "cannot count a Conv9D layer"),
])
def test_core_rejects_bad_layers_naming_the_layer(layers, message):
    with pytest.raises(SpecError) as info:
        count_network(NetworkSpec((4,), layers))
    assert message in str(info.value)
    assert "layer 1" in str(info.value)


def test_core_missing_input_is_an_error():
    with pytest.raises(SpecError, match="input is unknown"):
        count_network(NetworkSpec(None, (LayerSpec("Dense", 3),)))


def test_core_residual_identity_adds_nothing():
    spec = NetworkSpec((8, 8, 16), (LayerSpec("Conv2D", 16, kernel=(3, 3), padding="same"),
                                    LayerSpec("Conv2D", 16, kernel=(3, 3), padding="same"),
                                    LayerSpec("Add", skip=2)))
    count = count_network(spec)
    assert [c.params for c in count.layers] == [2320, 2320, 0]
    assert count.output_shape == (8, 8, 16)


def test_core_residual_projection_counts_a_one_by_one_conv():
    spec = NetworkSpec((8, 8, 16), (LayerSpec("Conv2D", 32, kernel=(3, 3), padding="same"),
                                    LayerSpec("Add", skip=1, projection=True)))
    assert count_network(spec).layers[-1].params == 16 * 32 + 32


def test_core_residual_mismatch_is_named():
    spec = NetworkSpec((8, 8, 16), (LayerSpec("Conv2D", 32, kernel=(3, 3), padding="same"),
                                    LayerSpec("Add", skip=1)))
    with pytest.raises(SpecError, match="shapes differ"):
        count_network(spec)
