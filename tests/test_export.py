"""``nlqa ask --code`` and ``--verify`` without a framework installed (tests/data/export_cases.jsonl).

The framework counts in the data file are what PyTorch and Keras printed when the exported code was
run (tests/test_oracle.py runs it again where they are installed). Here: the count the code says it
prints is that number; the code is Python that nlqa's own code reader reads back to the same count;
a network a framework cannot express is refused with a message and exit code 3; ``--verify`` without
torch or keras says how to install them and exits 2.
"""

from __future__ import annotations

import importlib.util
import json
from pathlib import Path

import pytest

from nlqa.answer import answer
from nlqa.core.spec import LayerSpec, NetworkSpec
from nlqa.errors import ExportError
from nlqa.export import export

DATA = Path(__file__).parent / "data" / "export_cases.jsonl"
CASES = [json.loads(line) for line in DATA.read_text(encoding="utf-8").splitlines()
         if line.strip() and not line.startswith("//")]
RUNS = [(case, fw) for case in CASES for fw in ("pytorch", "keras")]
IDS = [f"{case['id']}-{fw}" for case, fw in RUNS]


def exported(case: dict, framework: str):
    got = answer(case["question"])
    assert got.status == "answered", got.message
    return export(NetworkSpec.from_dict(got.extraction["spec"]), framework, got.quantity, got.layer)


@pytest.mark.parametrize("case,framework", RUNS, ids=IDS)
def test_export_prints_the_framework_count(case, framework):
    if case[framework] is None:
        with pytest.raises(ExportError) as info:
            exported(case, framework)
        assert case[f"{framework}_refused"] in str(info.value)
        return
    code = exported(case, framework)
    assert code.prints == case[framework]
    assert code.print_line.startswith("print(") and code.source.endswith(code.print_line + "\n")
    compile(code.source, "<export>", "exec")


@pytest.mark.parametrize("case,framework", [r for r in RUNS if r[0][r[1]] is not None and "layer" not in r[0]["question"]],
                         ids=[i for i, r in zip(IDS, RUNS) if r[0][r[1]] is not None and "layer" not in r[0]["question"]])
def test_export_code_reads_back_to_the_same_count(case, framework):
    """nlqa's code reader, given the exported code, counts what the code prints."""
    code = exported(case, framework)
    got = answer(code.source + "\n# How many parameters does this model have?")
    assert got.status == "answered", got.message
    assert got.totals["total_parameters"] == code.count.totals["total_parameters"]


def test_export_cli_code_plain_is_the_source(cli, canonical):
    result = cli("ask", "--code", "keras", "--plain", canonical)
    assert result.code == 0
    assert result.stdout == exported({"question": canonical}, "keras").source
    assert "layers.SimpleRNN(6, return_sequences=True)" in result.stdout


def test_export_cli_code_json_has_a_code_field(cli, canonical):
    result = cli("ask", "--code", "pytorch", "--json", canonical)
    data = json.loads(result.stdout)
    assert (result.code, data["value"], data["code"]["framework"], data["code"]["prints"]) == (0, 145, "pytorch", 157)
    assert data["code"]["source"].endswith("print(sum(p.numel() for p in model.parameters() if p.requires_grad))\n")


def test_export_cli_code_terminal_is_highlighted(cli, canonical):
    import re
    result = cli("ask", "--code", "pytorch", canonical, tty=True)
    assert "\x1b[" in result.stdout          # rich Syntax colours it
    text = re.sub(r"\x1b\[[0-9;]*m", "", result.stdout)
    assert result.code == 0 and "self.rnn1 = nn.RNN(3, 6, batch_first=True)" in text


def test_export_cli_refusal_exits_3_with_the_reason(cli):
    result = cli("ask", "--code", "keras", "A transformer encoder layer with d_model 512 and 8 heads: parameters?")
    assert result.code == 3 and result.stdout == ""
    assert "no built-in transformer encoder layer" in result.stderr and "--code pytorch" in result.stderr


def test_export_cli_unanswered_question_is_not_exported(cli):
    result = cli("ask", "--code", "pytorch", "A model has two LSTM layers with 32 units each. How many parameters?")
    assert result.code == 3 and "needs a question nlqa answers" in result.stderr


@pytest.mark.parametrize("spec,framework,why", [
    (NetworkSpec((10, 10, 3), (LayerSpec("Conv2D", 8, kernel=(3,), strides=(2,), padding="same"),)), "pytorch",
     "padding='same' with a stride"),
    (NetworkSpec((10, 10, 3), (LayerSpec("MaxPooling2D", padding="same"),)), "pytorch", "no padding='same'"),
    (NetworkSpec((None, 4), (LayerSpec("GRU", 8, reset_after=False),)), "pytorch", "no reset_after=False"),
    (NetworkSpec((None, 4), (LayerSpec("LSTM", 8, proj_size=2),)), "keras", "no proj_size"),
    (NetworkSpec((10, 10, 3), (LayerSpec("MaxPooling2D", padding=(1, 1)),)), "keras", "'valid' or 'same' padding only"),
    (NetworkSpec((None, 16), (LayerSpec("MultiHeadAttention", 16, heads=2, key_dim=4),)), "pytorch", "no key_dim"),
])
def test_export_refuses_what_a_framework_cannot_express(spec, framework, why):
    with pytest.raises(ExportError) as info:
        export(spec, framework)
    assert why in str(info.value)


@pytest.mark.skipif(importlib.util.find_spec("torch") is not None or importlib.util.find_spec("keras") is not None,
                    reason="a framework is installed")
def test_export_verify_without_frameworks_says_how_to_install(cli, canonical):
    result = cli("ask", "--verify", canonical)
    assert result.code == 2 and result.stdout == ""
    assert "pip install torch==2.13.0" in result.stderr and "pip install 'nlqa[verify]'" in result.stderr


def test_export_plain_ask_does_not_import_the_export():
    """Start-up of plain ``nlqa ask``: the export and Keras stay unimported (torch too, unless spaCy's
    thinc imports it at start-up, as it does wherever torch is installed)."""
    import subprocess
    import sys
    code = ("import sys; from nlqa.cli.main import main; main(['ask', '--plain', 'nn.Linear(10, 5): parameters?']);"
            "import importlib.util; thinc = importlib.util.find_spec('torch') is not None;"
            "print(sorted(m for m in ('nlqa.export', 'keras', 'jax', 'torch')"
            " if m in sys.modules and not (m == 'torch' and thinc)))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.strip().splitlines()[-1] == "[]"
