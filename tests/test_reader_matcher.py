"""The reader runs its patterns as several small Matchers, each only on texts holding the words its
patterns need (``nlqa.reader.prose.pipeline.anchor_words``). That must find exactly the matches one
Matcher holding every pattern finds: checked on every corpus question, normalized as the reader
sees it."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from spacy.matcher import Matcher

from nlqa.reader.cleanup.normalize import normalize
from nlqa.reader.prose.pipeline import anchor_words, patterns, reader

CORPUS = Path(__file__).resolve().parent.parent / "corpus"
QUESTIONS = [json.loads(line)["question"] for path in sorted(CORPUS.glob("*.jsonl"))
             for line in path.read_text(encoding="utf-8").splitlines() if line.strip() and not line.startswith("#")]


@pytest.fixture(scope="module")
def single_matcher():
    r = reader()
    matcher = Matcher(r.nlp.vocab)
    for index, (_, tokens) in enumerate(patterns()):
        matcher.add(f"p{index}", [tokens])
    return matcher


def test_grouped_matchers_find_what_one_matcher_finds(single_matcher):
    r = reader()
    assert len(QUESTIONS) > 500
    for question in QUESTIONS:
        doc, found = r(normalize(question))
        grouped = sorted((entry.line, start, end) for entry, start, end, _ in found)
        plain = sorted((r.entries[r.keys[key]].line, start, end) for key, start, end in single_matcher(doc))
        assert grouped == plain, question


@pytest.mark.parametrize("tokens, expected", [
    ([{"LOWER": "fully"}, {"ORTH": "-", "OP": "?"}, {"LOWER": "connected"}],
     (frozenset({("LOWER", "connected")}), frozenset({("LOWER", "fully")}))),
    ([{"TEXT": {"REGEX": "^\\d+$"}}, {"LOWER": {"IN": ["units", "neurons"]}}],
     (frozenset({("LOWER", "units"), ("LOWER", "neurons")}),)),
    ([{"LOWER": {"IN": ["a", "an"]}, "OP": "?"}, {"TEXT": {"REGEX": "^\\d+$"}}], ()),
    ([{"ORTH": {"IN": ["=", ":"]}, "OP": "*"}, {"ORTH": "->"}], (frozenset({("ORTH", "->")}),)),
])
def test_anchor_words_are_the_required_words(tokens, expected):
    assert anchor_words(tokens) == expected


def test_every_pattern_group_builds():
    """The Matchers are built on first use: every group must still be one spaCy accepts."""
    r = reader()
    built = [r.matcher(anchor) for anchor in r.groups]
    assert sum(len(m) for m in built) == len(patterns()) == len(r.entries)


@pytest.mark.parametrize("tokens, held", [
    ([{"TEXT": {"REGEX": "^\\d+%$"}}], ("ORTH", (("%",),))),
    ([{"LOWER": {"REGEX": "^vit-(l|large)(/\\d+)?$"}}], ("LOWER", (("vit-",), ("l",)))),
    ([{"TEXT": {"REGEX": "^\\d+$"}, "OP": "?"}, {"TEXT": {"REGEX": "^[a-z]+$"}}], None),
    ([{"LOWER": {"REGEX": "count_params|numel"}}], ("LOWER", (("count_params", "numel"),))),
])
def test_regex_anchor_is_the_literal_text_a_match_needs(tokens, held):
    from nlqa.reader.prose.pipeline import regex_anchor
    found = regex_anchor(tokens)
    assert (None if found is None else (found[0], found[1].sets)) == held
