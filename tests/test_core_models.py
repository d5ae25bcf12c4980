"""The named-model registry: every entry counted from its configuration equals its reference count."""

from __future__ import annotations

import pytest

from nlqa.core import count_network
from nlqa.core.registry import registry
from nlqa.errors import GrammarError

ENTRIES = list(registry().values())


@pytest.mark.parametrize("entry", ENTRIES, ids=[e.id for e in ENTRIES])
def test_models_count_equals_reference(entry):
    count = count_network(entry.spec())
    assert count.totals["total_parameters"] == entry.reference
    assert sum(c.params for c in count.layers) == entry.reference  # the layers add up to the total


@pytest.mark.parametrize("entry", [e for e in ENTRIES if e.reference_active], ids=lambda e: e.id)
def test_models_active_parameters_equal_reference(entry):
    assert count_network(entry.spec()).totals["active_parameters"] == entry.reference_active


def test_models_registry_covers_the_issue_list():
    wanted = {"llama-7b", "llama-65b", "inception-v3", "lenet-5", "alexnet", "vgg-11", "vgg-13", "vgg-16", "vgg-19", "vgg-11-bn", "vgg-16-bn", "resnet-18",
              "resnet-34", "resnet-50", "resnet-101", "resnet-152", "mobilenet-v2", "densenet-121", "efficientnet-b0",
              "bert-base", "bert-large", "roberta-base", "roberta-large", "distilbert", "albert-base", "t5-small",
              "t5-base", "t5-large", "gpt2", "gpt2-medium", "gpt2-large", "gpt2-xl", "vit-base", "vit-large",
              "vit-huge", "llama-2-7b", "llama-2-13b", "llama-2-70b", "llama-3-8b", "llama-3-70b", "mistral-7b",
              "mixtral-8x7b", "qwen2.5-7b", "gemma-2b", "gemma-7b", "phi-2"}
    assert wanted - set(registry()) == set()


@pytest.mark.parametrize("ident, overrides, expected", [
    ("resnet-50", {"classes": 10}, 25_557_032 - 2048 * 990 - 990),
    ("llama-2-7b", {"vocab": 64_000}, 6_738_415_616 + 2 * 32_000 * 4096),
    ("mistral-7b", {"layers": 16}, 7_241_732_096 - 16 * (2 * 4096 * 4096 + 2 * 4096 * 1024 + 3 * 4096 * 14336
                                                        + 2 * 4096)),
    ("gemma-2b", {"vocab": 128_000}, 2_506_172_416 - 128_000 * 2048),  # tied: one table shrinks
])
def test_models_overrides_change_the_count(ident, overrides, expected):
    assert count_network(registry()[ident].spec(overrides)).totals["total_parameters"] == expected


def test_models_blocks_have_the_published_pieces():
    llama70 = count_network(registry()["llama-2-70b"].spec())
    block = next(c for c in llama70.layers if c.spec.kind == "TransformerBlock")
    labels = {t.label: t.value for t in block.terms}
    # grouped-query attention: 8 key/value heads of 128, so K and V are 8192 × 1024 each
    assert labels["self-attention key and value weights × 80 layers"] == 80 * 2 * 8192 * 1024
    assert labels["norms (2 RMSNorm) scale γ × 80 layers"] == 80 * 2 * 8192
    assert not any("β" in label for label in labels)  # RMSNorm has no offset
    gemma = count_network(registry()["gemma-2b"].spec())
    assert gemma.layers[-1].params == 0  # the tied head adds nothing


def test_models_registry_names_a_bad_entry():
    from nlqa.core import registry as reg
    bad = {"x": {"name": "X", "layout": "nope", "source": "s", "reference": 1, "config": {"a": 1}}}
    with pytest.raises(GrammarError, match="unknown layout 'nope'"):
        reg._entry("models/test.toml", "x", bad["x"])
