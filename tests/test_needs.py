"""nlqa.reader.cleanup.needs: a pattern is skipped only on texts it cannot match; nlqa.reader.prose.docwords:
the cached token strings are the Doc's own."""

import glob
import json
import re
from pathlib import Path

import pytest

from nlqa.reader.prose import docwords
from nlqa.reader.cleanup.needs import compile as guarded, needs
from nlqa.reader.cleanup.normalize import rewrites

ROOT = Path(__file__).resolve().parents[1]

CASES = [  # (pattern, flags, text, matches)
    (r"\s*(?:->|=>|→)\s*", 0, "a 3 => 4 chain", True),
    (r"\s*(?:->|=>|→)\s*", 0, "a 3 to 4 chain", False),
    (r"(?i)\bone[- ]hot\b", 0, "ONE-HOT labels", True),
    (r"(?i)\bone[- ]hot\b", 0, "one hat labels", False),
    (r"(?i)\bsize\b", 0, "the \u017fize of it", True),         # long s folds onto s in re: run anyway
    (r"(?i)\bkernel\b", 0, "\u212aernel 3", True),             # Kelvin sign folds onto k
    (r"\b(?:torch\.)?nn\.([A-Z]\w*)", 0, "use nn.Linear(3, 4)", True),
    (r"\b(?:torch\.)?nn\.([A-Z]\w*)", 0, "use a linear layer", False),
    (r"(hidden|\d+) units", 0, "64 units", True),               # a branch without a literal needs nothing
    (r"[\u2010-\u2015]", 0, "a \u2013 b", True),
    (r"[\u2010-\u2015]", 0, "a - b", False),
    (r"x(?i:ab)", 0, "xAB", True),                              # a flag set inside: always run
    (r"(\d+)\s*\^\s*-\s*\d+", 0, "10 ^ -3", True),
    (r"(\d+)\s*\^\s*-\s*\d+", 0, "10 ^ 3", False),
]


@pytest.mark.parametrize("pattern, flags, text, matches", CASES)
def test_could_match_never_hides_a_match(pattern, flags, text, matches):
    compiled = re.compile(pattern, flags)
    assert (compiled.search(text) is not None) == matches
    assert needs(compiled).could_match(text) or not matches
    assert guarded(pattern, flags).sub("#", text) == compiled.sub("#", text)
    assert (guarded(pattern, flags).search(text) is None) == (compiled.search(text) is None)


def test_literal_needs_are_read():
    assert needs(re.compile(r"\s*(?:->|=>)\s*")).sets == (("->", "=>"),)
    assert needs(re.compile(r"(?i)\bGr[ae]y[- ]Scale\b")).sets[0] == ("scale",)
    assert needs(re.compile(r"\d+ \w+")).sets == ((" ",),)
    assert needs(re.compile(r"(?:a|\d)b?")).sets == ()


def _corpus_texts():
    for path in sorted(glob.glob(str(ROOT / "corpus" / "*.jsonl"))) + [str(ROOT / "corpus" / "real" / "tune.jsonl")]:
        for line in open(path, encoding="utf-8"):
            if line.strip():
                yield json.loads(line)["question"]


def test_rewrites_skipped_only_where_they_find_nothing():
    texts = list(_corpus_texts())
    assert len(texts) > 1000
    skipped = 0
    for pattern, _ in rewrites():
        needed = needs(pattern)
        for text in texts:
            if not needed.could_match(text):
                skipped += 1
                assert pattern.search(text) is None, (pattern.pattern, text[:80])
    assert skipped > len(texts) * len(rewrites()) // 2   # most rewrites are skipped on most questions


def test_docwords_are_the_docs_own():
    from nlqa.reader.prose.pipeline import reader
    doc = reader().nlp("A Dense layer with 64 units.\n\nHow many parameters?")
    assert docwords.lower(doc) == tuple(t.lower_ for t in doc)
    assert docwords.texts(doc) == tuple(t.text for t in doc)
    assert docwords.text(doc) == doc.text
    assert docwords.lower(doc) is docwords.lower(doc)   # built once


@pytest.mark.parametrize("written, expected", [
    ("import tensorflow as tf input_tensor = tf.random.uniform([1, 64, 64, 3]) conv = tf.keras.layers.Conv2D(8, 3)(input_tensor)",
     "import tensorflow as tf\ninput_tensor = tf.random.uniform([1, 64, 64, 3])\nconv = tf.keras.layers.Conv2D(8, 3)(input_tensor)"),
    ("model = Sequential() model.add(Dense(4, input_dim=3)) model.add(Dense(1))",
     "model = Sequential()\nmodel.add(Dense(4, input_dim=3))\nmodel.add(Dense(1))"),
    ("net = nn.Sequential() net.append(nn.Linear(5, 2)) net.append(nn.ReLU())",
     "net = nn.Sequential()\nnet.append(nn.Linear(5, 2))\nnet.append(nn.ReLU())"),
    ("net = nn.Sequential() net.append(nn.Linear(5, 2))", "net = nn.Sequential() net.append(nn.Linear(5, 2))"),
    ("The layer has units = 64 and the input is 3.", "The layer has units = 64 and the input is 3."),
    ("a = 3 then b is 4", "a = 3 then b is 4"),     # one statement start: nothing to cut
])
def test_relined_cuts_only_lines_with_two_statements(written, expected):
    """(relines: the quick test that a line holds two statement starts keeps every cut it made)"""
    from nlqa.reader.cleanup.relines import relined
    assert relined(written) == expected
    assert len(relined(written)) == len(written)
