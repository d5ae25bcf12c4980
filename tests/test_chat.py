"""``nlqa chat``: transcripts of scripted conversations (like simonw/llm's tests/test_chat.py),
the acceptance pipe as a real process, and a session through a pseudo-terminal."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
import time
from pathlib import Path

import pytest

from nlqa.answer import answer
from nlqa.chat import grammar as followups
from nlqa.chat.session import Session
from nlqa.cli.chat import History, history_path, messages
from nlqa.cli.status import ExitStatus
from nlqa.errors import GrammarError

CANONICAL = ("A neural network has two recurrent layers of 6 neurons each. If the input is of size (3,1) "
             "and the output is a scalar (dense layer), find the number of trainable parameters.")
NO_INPUT = "A model has two LSTM layers with 32 units each and a dense output of 1. How many parameters?"
DENSE = "A network has an input of 4 features, a hidden dense layer of 8 units and an output layer of 3 units. How many parameters?"
LSTM_10 = "An LSTM layer with 10 units takes an input of 5 features. How many parameters?"


def chat_json(cli, *lines: str, args: tuple[str, ...] = ()) -> tuple[list[dict], str]:
    """Run a scripted chat with --json; the answers (one object per line) and stderr."""
    result = cli("chat", "--json", *args, stdin="\n".join(lines) + "\n")
    assert result.code == ExitStatus.OK, result.stderr
    return [json.loads(line) for line in result.stdout.splitlines()], result.stderr


def values(answers: list[dict]) -> list:
    return [a["value"] if a["status"] == "answered" else a["status"] for a in answers]


def layer_params(a: dict) -> list[int]:
    return [layer["params"] for layer in a["network"]["layers"]]


def plain_answers(stdout: str) -> list[str]:
    return re.findall(r"^Answer: (.*)$", stdout, flags=re.MULTILINE)


# -- the acceptance conversation ----------------------------------------------------------------

def test_chat_canonical_then_lstm_then_pytorch(cli):
    answers, _ = chat_json(cli, CANONICAL, "what if they were LSTMs?", "and in PyTorch?")
    assert values(answers) == [145, 559, 607]
    assert [layer_params(a) for a in answers] == [[60, 78, 7], [240, 312, 7], [264, 336, 7]]
    for a in answers:
        assert sum(layer_params(a)) == a["totals"]["total_parameters"] == a["value"]
    assert [a["framework"] for a in answers] == ["textbook", "textbook", "pytorch"]
    assert [a["id"] for a in answers] == [1, 2, 3]


def test_chat_plain_transcript(cli):
    result = cli("chat", "--plain", stdin=f"{CANONICAL}\nwhat if they were LSTMs?\nand in PyTorch?\n")
    assert result.code == ExitStatus.OK
    assert plain_answers(result.stdout) == ["145 trainable parameters", "559 trainable parameters",
                                            "607 trainable parameters"]
    out = result.stdout
    assert out.startswith(f"> {CANONICAL}\nQuestion: {CANONICAL}\n")
    assert "> what if they were LSTMs?\nFollow-up: layers 1, 2: SimpleRNN → LSTM\n" in out
    assert "Total: 240 + 312 + 7 = 559" in out and "Total: 264 + 336 + 7 = 607" in out
    assert "> and in PyTorch?\nFollow-up: counted with PyTorch\n" in out
    # the PyTorch answer no longer assumes the textbook's one bias vector per gate
    last = out[out.index("> and in PyTorch?"):]
    assert "textbook recurrent layers" not in last and "PyTorch 2.x defaults" in last
    assert "\x1b[" not in out and result.stderr == ""


def test_chat_acceptance_pipe_subprocess():
    env = {"PATH": "/usr/bin:/bin", "PYTHONIOENCODING": "utf-8", "HOME": "/nonexistent"}
    proc = subprocess.run([sys.executable, "-m", "nlqa.cli.main", "chat", "--plain"],
                          input="\n".join([CANONICAL, "what if they were LSTMs?", "and in PyTorch?"]) + "\n",
                          capture_output=True, text=True, timeout=180, env=env, check=False)
    assert proc.returncode == 0, proc.stderr
    assert plain_answers(proc.stdout) == ["145 trainable parameters", "559 trainable parameters",
                                          "607 trainable parameters"]


# -- follow-ups ---------------------------------------------------------------------------------

@pytest.mark.parametrize("follow_up, expected, layers", [
    ("what if they were LSTMs?", 559, [240, 312, 7]),
    ("with GRUs", 421, [180, 234, 7]),                     # 3u(i+u+1)
    ("make it bidirectional", 361, [120, 228, 13]),        # 2u(i+u+1); the next layer sees 2u
    ("with bidirectional LSTMs", 1405, [480, 912, 13]),
    ("with 12 neurons each", 505, [192, 300, 13]),
    ("in Keras?", 145, [60, 78, 7]),
    ("and in PyTorch?", 157, [66, 84, 7]),                 # u(i+u+2)
    ("what about the second layer?", 78, [60, 78, 7]),
    ("the output layer", 7, [60, 78, 7]),
    ("how many biases?", 13, [60, 78, 7]),
    ("and the weights only?", 132, [60, 78, 7]),
    ("without biases", 132, [54, 72, 6]),
    ("add another dense layer of 10", 219, [60, 78, 70, 11]),
    ("with an input of 8 features", 175, [90, 78, 7]),
    ("with 3 classes", 159, [60, 78, 21]),
    ("remove the second layer", 67, [60, 7]),
])
def test_chat_follow_up_edits_the_last_network(cli, follow_up, expected, layers):
    answers, stderr = chat_json(cli, CANONICAL, follow_up)
    assert values(answers) == [145, expected], stderr
    assert layer_params(answers[1]) == layers
    assert stderr.startswith("Follow-up: ")
    # the follow-up's question is written in words nlqa reads back as the same question
    question = answers[1]["question"]
    assert "[follow-up" not in question
    assert answer(question).value == expected


def test_chat_follow_ups_accumulate(cli):
    answers, _ = chat_json(cli, CANONICAL, "what if they were LSTMs?", "and in PyTorch?",
                           "what about the second layer?", "how many biases?", "the whole network",
                           "with 12 neurons each")
    # still biases, now of LSTM(12) layers in PyTorch: 4 gates × 2 bias vectors × 12, twice, + 1
    assert values(answers) == [145, 559, 607, 336, 48, 97, 193]
    assert [a["layer"] for a in answers] == [None, None, None, 2, 2, None, None]
    assert [a["quantity"] for a in answers[3:]] == ["layer_parameters", "biases", "biases", "biases"]


def test_chat_follow_up_alternatives_follow_the_edit(cli):
    answers, _ = chat_json(cli, CANONICAL, "what if they were LSTMs?", "and in PyTorch?")
    readings = {alt["reading"]: alt["value"] for alt in answers[1]["alternatives"]}
    # (3,1) as 3 time steps of 1 feature, for LSTMs: 4·6·(1+6+1) + 312 + 7
    assert readings["(3, 1) read as 3 time steps of 1 feature (Keras input_shape=(3, 1))"] == 511
    assert readings["PyTorch convention: two bias vectors per gate (b_ih and b_hh)"] == 607
    assert not any("PyTorch convention" in alt["reading"] for alt in answers[2]["alternatives"])


def test_chat_new_question_replaces_the_network(cli):
    answers, _ = chat_json(cli, CANONICAL, LSTM_10, "and in PyTorch?")
    assert values(answers) == [145, 640, 680]            # 4·10·(5+10+1), then 4·10·(5+10+2)
    assert layer_params(answers[2]) == [680]


def test_chat_follow_up_before_any_question_says_why(cli):
    result = cli("chat", "--plain", stdin="make it bidirectional\n")
    assert result.code == ExitStatus.OK
    assert "Cannot apply 'make it bidirectional': there is no network yet to change" in result.stdout
    assert "ask a full question first" in result.stdout


def test_chat_follow_up_that_does_not_fit_keeps_the_network(cli):
    answers, _ = chat_json(cli, DENSE, "what if they were LSTMs?", "make it bidirectional", "with 16 neurons each")
    assert values(answers) == [67, "unsupported", "unsupported", 4 * 16 + 16 + 16 * 3 + 3]
    assert "no recurrent layers" in answers[1]["message"] and "The last network is kept" in answers[1]["message"]
    assert "it has dense layers" in answers[1]["message"]
    assert layer_params(answers[3]) == [80, 51]


@pytest.mark.parametrize("message, words", [
    ("what if they were hopfields?", "does not know 'hopfields' as a layer kind"),
    ("in caffe", "does not know 'caffe' as a framework"),
    ("what about the fifth layer?", "the network has 3 layers, so there is no layer 5"),
    ("hello there", "did not understand it as a change to the last network"),
])
def test_chat_unreadable_follow_up_names_the_problem(cli, message, words):
    answers, _ = chat_json(cli, CANONICAL, message, "how many biases?")
    assert answers[1]["status"] == "unsupported" and words in answers[1]["message"]
    assert answers[2]["value"] == 13                     # the network was kept


def test_chat_fills_the_gap_of_a_clarification(cli):
    answers, _ = chat_json(cli, NO_INPUT, "and in PyTorch?", "the input has 10 features")
    assert values(answers) == ["needs_clarification", "needs_clarification", 13857]
    assert "still lacks the size of the input" in answers[1]["message"]
    # 4·32·(10+32+1), 4·32·(32+32+1), 32+1
    assert layer_params(answers[2]) == [5504, 8320, 33]


def test_chat_fills_a_gap_in_free_words(cli):
    answers, _ = chat_json(cli, NO_INPUT, "It takes 10-dimensional input vectors.")
    assert values(answers) == ["needs_clarification", 13857]


def test_chat_related_question_by_number(cli):
    answers, stderr = chat_json(cli, CANONICAL, "2", "9")
    assert answers[1]["question"].startswith("A network takes an input of 3 features and has a GRU layer")
    assert values(answers) == [145, 421, "needs_clarification"]
    assert "Related question 2: A network takes" in stderr
    assert "the last answer listed 5 related questions" in answers[2]["message"]


def test_chat_re_reads_what_edits_cannot_express(cli):
    answers, _ = chat_json(cli, CANONICAL, "what if they were LSTMs?", "how much memory in float16?")
    assert answers[2]["status"] in ("answered", "unsupported")
    if answers[2]["status"] == "answered":            # memory sizes are counted by this version
        assert answers[2]["quantity"] == "memory_bytes" and answers[2]["value"] == 559 * 2


# -- commands -----------------------------------------------------------------------------------

def test_chat_reset_forgets_the_network(cli):
    result = cli("chat", "--plain", stdin=f"{CANONICAL}\n/reset\nand in PyTorch?\n")
    assert result.code == ExitStatus.OK
    assert "Forgot the last network" in result.stdout
    assert "Cannot apply 'and in PyTorch?': there is no network yet" in result.stdout
    assert plain_answers(result.stdout) == ["145 trainable parameters"]


def test_chat_framework_command(cli):
    answers, stderr = chat_json(cli, "/framework pytorch", CANONICAL, "/framework keras", "/framework",
                                "/framework caffe", "/framework auto", LSTM_10)
    assert values(answers) == [157, 145, 640]
    assert answers[1]["framework"] == "keras"
    assert "Framework: pytorch for the following questions." in stderr
    assert "Unknown framework 'caffe'" in stderr and "Framework: keras." in stderr


def test_chat_framework_option_applies_to_new_questions(cli):
    answers, _ = chat_json(cli, CANONICAL, args=("--framework", "pytorch"))
    assert values(answers) == [157]


def test_chat_output_form_commands(cli):
    result = cli("chat", "--plain", stdin=f"/json\n{CANONICAL}\n/plain\nhow many biases?\n/explain\nwith GRUs\n")
    lines = result.stdout.splitlines()
    data = json.loads(next(line for line in lines if line.startswith("{")))
    assert data["value"] == 145
    assert "Answer: 13 biases" in result.stdout
    assert "Reader\n" in result.stdout and "Answer: 37 biases" in result.stdout   # GRUs: 3·6 + 3·6 + 1


def test_chat_rich_on_a_terminal(cli):
    result = cli("chat", stdin=f"{CANONICAL}\nwhat if they were LSTMs?\n", tty=True)
    assert result.code == ExitStatus.OK
    assert "\x1b[" in result.stdout and "╭" in result.stdout
    assert "559 trainable parameters" in result.stdout and "Follow-up: layers 1, 2: SimpleRNN → LSTM" in result.stdout


def test_chat_help_and_unknown_command(cli):
    result = cli("chat", "--plain", stdin="/help\n/frobnicate\n/quit\nthis is never read\n")
    assert result.code == ExitStatus.OK
    for command in ("/json", "/plain", "/framework NAME", "/explain", "/reset", "/quit"):
        assert command in result.stdout
    assert "what if they were LSTMs?" in result.stdout
    assert "Unknown command /frobnicate" in result.stdout
    assert "never read" not in result.stdout


def test_chat_internal_error_does_not_end_the_conversation(cli, monkeypatch):
    original = Session.question

    def broken(self, message):
        if "boom" in message:
            raise RuntimeError("boom")
        return original(self, message)
    monkeypatch.setattr(Session, "question", broken)
    result = cli("chat", "--plain", stdin=f"boom\n{CANONICAL}\n")
    assert result.code == ExitStatus.OK
    assert "internal error: RuntimeError: boom" in result.stdout
    assert plain_answers(result.stdout) == ["145 trainable parameters"]


# -- reading piped input ------------------------------------------------------------------------

def test_chat_piped_lines_and_clearly_open_blocks(cli):
    code = ("How many parameters does this have? model = keras.Sequential([\n    keras.Input(shape=(10, 8)),\n"
            "    layers.LSTM(16),\n    layers.Dense(1),\n])")
    fenced = "```python\nmodel = nn.Sequential(nn.Linear(4, 3))\n\nprint(model)\nHow many parameters?\n```"
    answers, _ = chat_json(cli, CANONICAL, "", "what if they were LSTMs?", "", "", code, "", "and in PyTorch?",
                           fenced)
    assert values(answers) == [145, 559, 1617, 1617 + 4 * 16, 15]


@pytest.mark.parametrize("text, expected", [
    ("a\nb\n", ["a", "b"]),
    ("\n\na\n\n\nb\nc\n\n", ["a", "b", "c"]),              # a blank line does not make blocks
    ("a\n/json\nb", ["a", "/json", "b"]),
    ("f(1,\n  2)\nnext\n", ["f(1,\n  2)", "next"]),
    (":(\nb\nc\n", [":(", "b", "c"]),                          # an emoticon is not an open call
    ("x = nn.Linear(3,\n\nafter\n", ["x = nn.Linear(3,", "after"]),   # a blank line ends an open call
    ("```\nx = 1\n\ny = 2\n```\nnext\n", ["x = 1\n\ny = 2", "next"]),
])
def test_chat_messages_of_piped_input(text, expected):
    assert list(messages(text.splitlines(keepends=True))) == expected


def test_chat_piped_unclosed_bracket_is_bounded_with_a_note():
    lines = ["x = f(1,"] + [f"line {n}" for n in range(500)]
    found = list(messages(line + "\n" for line in lines))
    assert [len(m.splitlines()) for m in found[:1]] == [200]
    assert "is not closed within 200 lines" in found[0].note
    assert [str(m) for m in found[1:]] == [f"line {n}" for n in range(199, 500)]


def test_chat_piped_every_line_gets_a_reply(cli):
    lines = [":(", *(["How many parameters?"] * 60), "", *(["How many parameters?"] * 60)]
    result = cli("chat", "--plain", stdin="\n".join(lines) + "\n")
    echoes = [line for line in result.stdout.splitlines() if line.startswith("> ")]
    assert result.code == ExitStatus.OK
    assert echoes == ["> :("] + ["> How many parameters?"] * 120


# -- the grammar --------------------------------------------------------------------------------

def test_chat_grammar_help_examples_are_understood():
    for followup in followups.grammar().followups:
        assert followup.help, f"follow-up {followup.id} has no help example"
        for example in followup.help:
            found = followups.match(example)
            assert found is not None and found.followup.id == followup.id, example


@pytest.mark.parametrize("message, followup, slots", [
    ("What if they were LSTMs?", "recurrent_kind", {"kind": "LSTM"}),
    ("what if we used GRUs instead?", "recurrent_kind", {"kind": "GRU"}),
    ("how about vanilla RNNs?", "recurrent_kind", {"kind": "SimpleRNN"}),
    ("switch to long short-term memory cells", "recurrent_kind", {"kind": "LSTM"}),
    ("thanks! and with GRUs?", "recurrent_kind", {"kind": "GRU"}),
    ("Make it bi-directional.", "bidirectional", {}),
    ("make it one-directional", "unidirectional", {}),
    ("with twelve neurons each", "units", {"n": 12}),
    ("and with 20 hidden units?", "units", {"n": 20}),
    ("in tensorflow", "framework", {"framework": "keras"}),
    ("what would pytorch say?", "framework", {"framework": "pytorch"}),
    ("how many params in the second layer?", "layer", {"ordinal": 2}),
    ("and the last layer?", "layer", {"ordinal": -1}),
    ("how many non-trainable parameters?", "quantity", {"quantity": "non_trainable_parameters"}),
    ("no biases", "no_bias", {}),
    ("add one more LSTM layer of 8", "add_layer", {"kind": "LSTM", "n": 8}),
    ("add a 10-unit dense layer", "add_layer", {"kind": "Dense", "n": 10}),
    ("add two more dense layers of 16", "add_layer", {"count": 2, "kind": "Dense", "n": 16}),
    ("what if the input had 8 features", "input", {"n": 8}),
    ("it takes 10-dimensional input vectors", "input", {"n": 10}),
    ("for 10 classes", "output_units", {"n": 10}),
    ("drop layer 2", "remove_layer", {"ordinal": 2}),
])
def test_chat_grammar_reads_phrasings(message, followup, slots):
    found = followups.match(message)
    assert found is not None and (found.followup.id, found.values) == (followup, slots)


@pytest.mark.parametrize("question", [CANONICAL, NO_INPUT, DENSE, LSTM_10])
def test_chat_grammar_leaves_full_questions_to_the_reader(question):
    assert followups.match(question) is None


def test_chat_grammar_errors_name_the_file_and_line(monkeypatch):
    text = followups.grammar_text(followups.FILE) + '\n[[followup]]\nid = "broken"\npatterns = ["{nope}"]\n' \
                                                    'edits = [{ op = "set_kind" }]\n'
    import tomllib
    monkeypatch.setattr(followups, "grammar_text", lambda name: text)
    monkeypatch.setattr(followups, "load_toml", lambda name: tomllib.loads(text))
    followups.grammar.cache_clear()
    try:
        with pytest.raises(GrammarError) as info:
            followups.grammar()
    finally:
        monkeypatch.undo()
        followups.grammar.cache_clear()
    line = text.splitlines().index('patterns = ["{nope}"]') + 1
    assert str(info.value).startswith(f"grammar file followups.toml:{line}: follow-up broken: unknown slot")


# -- history and the terminal -------------------------------------------------------------------

def test_chat_history_path():
    assert history_path({"XDG_DATA_HOME": "/x", "HOME": "/h"}) == Path("/x/nlqa/history")
    assert history_path({"HOME": "/h"}) == Path("/h/.local/share/nlqa/history")


def test_chat_history_not_writable_is_not_fatal(tmp_path, capsys):
    blocker = tmp_path / "file"
    blocker.write_text("")
    import io

    from nlqa.cli.env import Env
    env = Env(stdin=io.BytesIO(), stdout=io.StringIO(), stderr=io.StringIO(), environ={})
    history = History(blocker / "nlqa" / "history", env)   # a directory cannot be made under a file
    history.add("a question")
    assert "history not kept" in env.stderr.getvalue()


def test_chat_through_a_pseudo_terminal(tmp_path):
    pexpect = pytest.importorskip("pexpect")
    import io
    env = {"PATH": os.environ.get("PATH", "/usr/bin:/bin"), "HOME": str(tmp_path),
           "XDG_DATA_HOME": str(tmp_path / "data"), "TERM": "dumb", "PYTHONIOENCODING": "utf-8"}
    child = pexpect.spawn(sys.executable, ["-m", "nlqa.cli.main", "chat"], env=env, encoding="utf-8",
                          timeout=120, dimensions=(50, 120))
    child.logfile_read = transcript = io.StringIO()
    try:
        child.expect_exact("nlqa> ")
        child.sendline(CANONICAL)
        child.expect_exact("145 trainable parameters")
        child.expect_exact("nlqa> ")
        child.sendline("what if they were LSTMs?")
        child.expect_exact("559 trainable parameters")
        child.expect_exact("nlqa> ")
        child.send("a line to cancel")
        child.expect_exact("a line to cancel")             # readline has the keys: back in select()
        time.sleep(0.3)   # CPython's readline misses a SIGINT that lands while it handles a key
        child.sendintr()                                   # Ctrl-C cancels the line only
        child.expect_exact("nlqa> ")
        child.sendline("and in PyTorch?")
        child.expect_exact("607 trainable parameters")
        child.expect_exact("nlqa> ")
        child.sendeof()                                    # Ctrl-D leaves
        child.expect(pexpect.EOF)
    except (pexpect.TIMEOUT, pexpect.EOF) as exc:
        pytest.fail(f"{type(exc).__name__}; the session so far:\n{transcript.getvalue()[-3000:]}")
    finally:
        child.close()
    assert child.exitstatus == 0 and child.signalstatus is None
    history = (tmp_path / "data" / "nlqa" / "history").read_text(encoding="utf-8").splitlines()
    assert history == [CANONICAL, "what if they were LSTMs?", "and in PyTorch?"]


# -- a readable conversation (issue 12) -----------------------------------------------------------

def sections(stdout: str) -> dict[str, str]:
    """The transcript cut at each echoed message: {message: what nlqa printed for it}."""
    parts = re.split(r"^> (.*)$", stdout, flags=re.MULTILINE)
    return {parts[i]: parts[i + 1].lstrip("\n") for i in range(1, len(parts) - 1, 2)}


def test_chat_follow_up_shows_what_changed_in_a_few_lines(cli):
    out = cli("chat", "--plain", stdin=f"{CANONICAL}\nwhat if they were LSTMs?\n/full\n").stdout
    said = sections(out)
    brief = said["what if they were LSTMs?"].strip().splitlines()
    assert len(brief) <= 10, brief
    assert brief[:4] == ["Follow-up: layers 1, 2: SimpleRNN → LSTM", "Changed",
                         "  layer 1: SimpleRNN (6) 60 → LSTM (6) 240", "  layer 2: SimpleRNN (6) 78 → LSTM (6) 312"]
    assert "  Total: 240 + 312 + 7 = 559 (was 145)" in brief and "Answer: 559 trainable parameters" in brief
    assert "Derivation" not in said["what if they were LSTMs?"]
    assert brief[-1] == "(/full or 'explain' shows the whole derivation)"
    full = said["/full"]
    assert "Derivation\n" in full and "recurrent weights: 4 × 6 × 6 = 144" in full
    assert len(said[CANONICAL].splitlines()) > 30            # a new question is shown whole


@pytest.mark.parametrize("message, answer_line", [
    ("explain", "Answer: 559 trainable parameters"),
    ("show the steps", "Answer: 559 trainable parameters"),
    ("why?", "Answer: 559 trainable parameters"),
    ("how so?", "Answer: 559 trainable parameters"),
    ("explain layer 2", "Answer: 312 parameters in layer 2"),
    ("show me the derivation for the second layer", "Answer: 312 parameters in layer 2"),
])
def test_chat_explain_is_a_follow_up_with_the_whole_derivation(cli, message, answer_line):
    out = cli("chat", "--plain", stdin=f"{CANONICAL}\nwhat if they were LSTMs?\n{message}\n").stdout
    said = sections(out)[message]
    assert said.startswith("Follow-up: ") and "the whole derivation" in said.splitlines()[0]
    assert "Derivation\n" in said and answer_line in said
    assert "Cannot apply" not in said and f"{message}?" not in said.replace(f"> {message}", "")


def test_chat_explain_without_a_network_asks_for_one(cli):
    said = sections(cli("chat", "--plain", stdin="explain\n").stdout)["explain"]
    assert "there is no network yet" in said
