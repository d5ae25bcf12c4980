"""The documentation in the repository: every relative link of README.md and docs/ resolves, and
what the command line points to exists."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

ROOT = Path(__file__).parent.parent
PAGES = [ROOT / "README.md", *sorted((ROOT / "docs").glob("*.md"))]
LINK = re.compile(r"(?<!!)\[[^\]]*\]\(([^)\s]+)\)")
FENCE = re.compile(r"^```.*?^```", re.S | re.M)


def slug(heading: str) -> str:
    """A heading's anchor as GitHub makes it: lower case, punctuation dropped, spaces as '-'."""
    text = re.sub(r"[`*_]", "", heading.strip().lower())
    return re.sub(r"[^\w\- ]", "", text).replace(" ", "-")


def links(page: Path) -> list[str]:
    return [m.group(1) for m in LINK.finditer(FENCE.sub("", page.read_text(encoding="utf-8")))]


def anchors(page: Path) -> set[str]:
    text = FENCE.sub("", page.read_text(encoding="utf-8"))
    return {slug(m.group(1)) for m in re.finditer(r"^#+\s+(.*)$", text, re.M)}


CASES = [(page, target) for page in PAGES for target in links(page) if not re.match(r"[a-z]+:", target)]


def test_docs_pages_exist_and_link():
    assert {p.name for p in PAGES} >= {"README.md", "conventions.md", "json.md", "corpus.md", "architecture.md"}
    assert len(CASES) >= 20


@pytest.mark.parametrize("page, target", CASES, ids=[f"{p.name}->{t}" for p, t in CASES])
def test_docs_relative_link_resolves(page, target):
    path, _, anchor = target.partition("#")
    resolved = (page.parent / path).resolve() if path else page
    assert resolved.exists(), f"{page.name}: {target} does not exist"
    assert ROOT in resolved.parents or resolved == ROOT, f"{page.name}: {target} leaves the repository"
    if anchor:
        assert anchor in anchors(resolved), f"{page.name}: no heading #{anchor} in {resolved.name}"


def test_docs_help_points_into_docs(cli):
    for argv in (["--help"], ["ask", "--help"], ["batch", "--help"]):
        out = cli(*argv).stdout
        assert "DESIGN.md" not in out and "CONVENTIONS.md" not in out
        named = set(re.findall(r"\b(\w+\.md)\b", " ".join(out.split())))
        assert named and all((ROOT / "docs" / name).exists() for name in named), named


def test_docs_readme_commands_use_files_in_the_repo():
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    paths = [p for p in re.findall(r"nlqa eval (\S+\.jsonl)", text) if p != "FILE.jsonl"]
    assert paths and all((ROOT / p).exists() for p in paths), paths
    assert "../" not in " ".join(re.findall(r"nlqa \w+ [^\n]*", text))
