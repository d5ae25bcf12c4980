"""Shared fixtures: the in-process CLI runner, golden files, and the questions the tests reuse."""

from __future__ import annotations

import io
import os
from dataclasses import dataclass
from pathlib import Path

import pytest
from hypothesis import HealthCheck, settings

from nlqa.cli.env import Env
from nlqa.cli.main import main

# hypothesis: "ci" (the default) is fixed-seed and bounded, so every run tries the same examples;
# HYPOTHESIS_PROFILE=dev explores new random examples (more of them) when working on the reader.
settings.register_profile("ci", derandomize=True, max_examples=100, deadline=None, database=None,
                          print_blob=True, suppress_health_check=[HealthCheck.too_slow])
settings.register_profile("dev", max_examples=1_000, deadline=None)
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "ci"))

GOLDEN = Path(__file__).parent / "golden"
CANONICAL = ("A neural network has two recurrent layers of 6 neurons each. If the input is of size (3,1) "
             "and the output is a scalar (dense layer), find the number of trainable parameters.")


def pytest_addoption(parser):
    parser.addoption("--update-golden", action="store_true", default=False,
                     help="rewrite tests/golden/ from the current output instead of comparing")


@pytest.fixture
def canonical() -> str:
    """The question every part of nlqa is first tried on (answer: 145)."""
    return CANONICAL


@dataclass
class CliResult:
    code: int
    stdout: str
    stderr: str


def fake_env(stdin: bytes | str = b"", tty: bool = False, no_color: bool = False) -> Env:
    """An Env on in-memory streams, like httpie's MockEnvironment."""
    data = stdin.encode("utf-8") if isinstance(stdin, str) else stdin
    return Env(stdin=io.BytesIO(data), stdout=io.StringIO(), stderr=io.StringIO(), environ={},
               stdin_isatty=False, stdout_isatty=tty, no_color=no_color, width=100)


@pytest.fixture
def cli():
    """``cli("ask", "question", stdin=b"...", tty=False)`` runs ``main`` in-process."""
    def run(*argv: str, stdin: bytes | str = b"", tty: bool = False, no_color: bool = False) -> CliResult:
        env = fake_env(stdin, tty, no_color)
        code = main(list(argv), env=env)
        return CliResult(code, env.stdout.getvalue(), env.stderr.getvalue())
    return run


@pytest.fixture
def golden(request):
    """``golden("case.txt", text)``: compare with tests/golden/case.txt (``--update-golden`` rewrites)."""
    update = request.config.getoption("--update-golden")

    def check(name: str, text: str) -> None:
        path = GOLDEN / name
        if update:
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(text, encoding="utf-8")
            return
        assert path.exists(), f"no golden file {path}; run pytest --update-golden to create it"
        assert text == path.read_text(encoding="utf-8"), f"{name} differs; if intended, run pytest --update-golden"
    return check
