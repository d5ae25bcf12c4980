"""Model names as people write them, unknown variants refused, overrides; end to end through `nlqa ask`."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from nlqa.answer import answer
from nlqa.cli.status import ExitStatus
from nlqa.reader.prose.modelnames import read_lora, read_names

CASES = [json.loads(line) for line in (Path(__file__).parent / "data" / "model_names.jsonl").read_text(
    encoding="utf-8").splitlines() if line.strip()]


@pytest.mark.parametrize("case", [c for c in CASES if "id" in c], ids=lambda c: c["text"])
def test_modelnames_reads_the_model(case):
    reading = read_names(case["text"])
    assert [n.id for n in reading.named][:1] == [case["id"]]
    assert reading.named[0].typo == case.get("typo", False)
    if "override" in case:
        key, value = case["override"]
        assert reading.overrides[key][0] == value


@pytest.mark.parametrize("case", [c for c in CASES if "unknown" in c], ids=lambda c: c["text"])
def test_modelnames_unknown_variant_names_the_closest(case):
    reading = read_names(case["text"])
    assert reading.named == []
    assert [u.text for u in reading.unknown] == [case["unknown"]]
    if "closest" in case:
        assert reading.unknown[0].closest[0] == case["closest"]


@pytest.mark.parametrize("case", [c for c in CASES if c.get("none")], ids=lambda c: c["text"])
def test_modelnames_family_words_are_not_the_model(case):
    reading = read_names(case["text"])
    assert (reading.named, reading.unknown) == ([], [])


@pytest.mark.parametrize("text, rank, targets", [
    ("LoRA r=8 on q and v", 8, ("q", "v")),
    ("lora rank 16 on all linear layers", 16, ("q", "k", "v", "o", "gate", "up", "down")),
    ("LoRA with r = 4 on q_proj, k_proj, v_proj, o_proj", 4, ("q", "k", "v", "o")),
    ("LoRA rank 32", 32, ("q", "v")),
])
def test_modelnames_lora_settings(text, rank, targets):
    found, adapted, _ = read_lora(text)
    assert (found[0], adapted) == (rank, targets)


def test_modelnames_unknown_variant_refused_on_the_cli(cli):
    result = cli("ask", "How many parameters does ResNet-51 have?")
    assert result.code == ExitStatus.NOT_ANSWERED
    assert "no model named 'ResNet-51'" in result.stdout
    assert "ResNet-50" in result.stdout
    assert "Traceback" not in result.stdout + result.stderr


def test_modelnames_llama_answer_on_the_cli(cli):
    result = cli("ask", "--json", "How many parameters does Llama 2 7B have?")
    data = json.loads(result.stdout)
    assert result.code == ExitStatus.OK
    assert (data["status"], data["value"]) == ("answered", 6_738_415_616)
    assert sum(layer["params"] for layer in data["network"]["layers"]) == data["value"]
    assert any("32 × 3 × 4,096 × 11,008" in step for step in data["steps"])  # the SwiGLU feed-forward
    assert {n["text"]: n["role"] for n in data["numbers"]}["7B"] == "model_name"


def test_modelnames_override_is_stated(cli):
    data = json.loads(cli("ask", "--json", "How many parameters does ResNet-50 with 10 classes have?").stdout)
    assert data["value"] == 25_557_032 - 990 * 2049
    assert any("classes 10 as the question says" in a for a in data["assumptions"])


def test_modelnames_open_precision_asks_back_with_the_values():
    result = answer("VRAM to run Llama-2-13B?")
    assert result.status == "needs_clarification"
    assert "float16 26.0 GB" in result.message and "int4 6.5 GB" in result.message
    assert "quantization scales left out" in result.message


def test_modelnames_moe_total_and_active():
    total = answer("Mixtral 8x7B: total vs active parameters?")
    assert total.value == 46_702_792_704
    assert [a["value"] for a in total.alternatives] == [12_879_925_248]
    active = answer("How many active parameters does Mixtral 8x7B use per token?")
    assert (active.quantity, active.value) == ("active_parameters", 12_879_925_248)


def test_modelnames_kv_cache_steps_come_from_the_config():
    result = answer("KV cache of Llama-2-70B at 4k context in fp16, batch 2")
    assert result.value == 2 * 80 * 8 * 128 * 4096 * 2 * 2
    assert any("2 × 80 × 8 × 128 × 4,096 × 2 × 2" in s for s in result.steps)
    assert any("'4k' read as 4,096 tokens" in a for a in result.assumptions)
    assert any("activations" in a for a in result.assumptions)


def test_modelnames_described_network_is_not_the_named_model():
    result = answer("AlexNet's first conv layer has 96 filters of 11x11 with stride 4, applied to a 227x227x3 "
                    "image. How many weights and biases does it have?")
    assert result.value == 11 * 11 * 3 * 96 + 96


def test_modelnames_quoted_count_that_differs_asks_back():
    result = answer("Even with freeze_backbone for VGG16, it still shows 134 million trainable parameters.")
    assert result.status == "needs_clarification"
    assert "138,357,544" in result.message


def test_modelnames_quantization_scales_with_a_group_size():
    without = answer("Llama-2-7B in int4: weight memory?")
    assert without.value == 6_738_415_616 // 2
    assert any("without their quantization scales" in a for a in without.assumptions)
    grouped = answer("Llama-2-7B in int4 with group size 128: weight memory?")
    assert grouped.value == 6_738_415_616 // 2 + 2 * (-(-6_738_415_616 // 128))
    assert any("one fp16 scale per group" in a for a in grouped.assumptions)


def test_modelnames_eight_bit_adam_keeps_one_byte_per_state():
    result = answer("memory to fine-tune Llama-2-7B with 8-bit AdamW in mixed precision?")
    assert result.value == 6_738_415_616 * (2 + 2 + 4 + 2)
    assert any("adam8bit states (2 × 1 B)" in s for s in result.steps)


@pytest.mark.parametrize("question, said", [
    ("How many parameters does the T5-small encoder have?", "60,506,624"),
    ("how many parameters does densenet-121 have without the classifier", "7,978,856"),
])
def test_modelnames_a_part_of_a_model_asks_back_with_the_whole_count(question, said):
    result = answer(question)
    assert (result.status, result.value) == ("needs_clarification", None)
    assert said in result.message and "not one of its parts" in result.message


@pytest.mark.parametrize("question", ["gpt2 vs llama 2 7b parameters", "RoBERTa-base vs BERT-base: parameters?",
                                      "paras of resnet101. The paras of resnet50 is 25.56M"])
def test_modelnames_two_models_ask_which(question):
    result = answer(question)
    assert result.status == "needs_clarification"
    assert "which one model to count" in result.message
