"""``nlqa ask QUESTION``: answer one question (``-`` reads it from stdin)."""

from __future__ import annotations

import argparse

from . import exporting
from .env import Env
from .status import ExitStatus, exit_status_for

MAX_FILE_CHARS = 200_000        # more than any question nlqa reads; answer() says when it is too long

NAME = "ask"
HELP = "answer one question, with the derivation"
SLACK = 4_096          # characters read past the question limit, so trailing blank lines do not count


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("question", metavar="QUESTION", help="the question, in quotes; - reads it from stdin")
    add_form_arguments(parser, json_help="one JSON object (every field: docs/json.md)",
                       explain_help="first show what the reader extracted: mentions, network, quantity, assumptions")
    exporting.add_arguments(parser)


def add_form_arguments(parser: argparse.ArgumentParser, json_help: str, explain_help: str) -> None:
    """--json | --markdown | --plain, and --explain: shared by ask and chat."""
    form = parser.add_mutually_exclusive_group()
    form.add_argument("--json", dest="form", action="store_const", const="json", help=json_help)
    form.add_argument("--markdown", dest="form", action="store_const", const="markdown", help="Markdown")
    form.add_argument("--plain", dest="form", action="store_const", const="plain",
                      help="plain text (the default when stdout is not a terminal or NO_COLOR is set)")
    parser.add_argument("--explain", action="store_true", help=explain_help)


def output_form(args: argparse.Namespace, env: Env) -> str:
    return args.form or ("rich" if env.rich_output else "plain")


def write_answer(answer, form: str, env: Env, explain: bool = False) -> None:
    """Print ``answer`` (and, with ``explain``, the reader's extraction first) in ``form``."""
    from ..render import (AnswerView, ExplainView, render_explain_plain, render_json, render_markdown,
                          render_plain)
    if form == "json":
        env.stdout.write(render_json(answer, extraction=explain) + "\n")
    elif form == "rich":
        console = env.console()
        if explain:
            console.print(ExplainView(answer.extraction))
        console.print(AnswerView(answer))
    else:
        if explain:
            env.stdout.write(render_explain_plain(answer.extraction) + "\n")
        env.stdout.write((render_markdown if form == "markdown" else render_plain)(answer))
    env.stdout.flush()


def question_file(text: str) -> str | None:
    """``text`` when it names an existing file rather than being a question (one line, no '?')."""
    import os
    if "\n" in text or "?" in text or len(text) > 4096:
        return None
    try:
        return text if os.path.isfile(text) else None
    except (OSError, ValueError):
        return None


def run(args: argparse.Namespace, env: Env) -> int:
    from ..answer import MAX_QUESTION_CHARS, answer, too_long
    from .env import decode
    if args.question == "-" and env.stdin_isatty:
        env.error("reading the question from stdin; end it with Ctrl-D")
    if args.question == "-":
        question, cut = env.read_stdin_bounded(MAX_QUESTION_CHARS + SLACK)   # room for trailing blank lines
        result = too_long(question, f"more than {MAX_QUESTION_CHARS:,}") if cut else \
            answer(question.strip(), framework=args.framework)
    else:
        question = args.question
        path = question_file(question)
        if path is not None:                  # `nlqa ask q.txt`: the question is in the file
            try:
                with open(path, "rb") as handle:
                    question = decode(handle.read(4 * MAX_FILE_CHARS)).strip()
            except OSError as exc:
                env.error(f"{path} is a file but cannot be read ({exc.strerror}); paste the question in "
                          f"quotes, or: nlqa ask - < {path}")
                return ExitStatus.USAGE
            env.error(f"{path} is a file: answering the question it holds (the same as nlqa ask - < {path})")
        result = answer(question, framework=args.framework)
    if exporting.wanted(args):
        return exporting.run(result, args, env, output_form(args, env), explain=args.explain)
    write_answer(result, output_form(args, env), env, explain=args.explain)
    return exit_status_for(result.status)
