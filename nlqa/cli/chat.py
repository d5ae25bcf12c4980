"""``nlqa chat``: a conversation. Ask a question, then follow up ("what if they were LSTMs?").

On a terminal: a prompt with line editing and a history kept across sessions (GNU readline; the
file is ``$XDG_DATA_HOME/nlqa/history``, else ``~/.local/share/nlqa/history``). Ctrl-C cancels the
line, Ctrl-D leaves. Otherwise the messages are read from stdin: one per line, or, when the input
has blank lines, one per blank-line-separated block; a line that leaves a bracket open continues
on the next (pasted code). Each message gets one answer; the exit code is 0 at the end of input.
"""

from __future__ import annotations

import argparse
import os
import re
import traceback
from collections.abc import Iterable, Iterator
from pathlib import Path

from .ask import add_form_arguments
from .env import Env
from .status import ExitStatus

NAME = "chat"
HELP = "a conversation: ask about a network, then follow up ('what if they were LSTMs?', 'and in PyTorch?')"
PROMPT, MORE = "nlqa> ", "...> "
HISTORY_LENGTH = 1000
CODE_LINE = re.compile(r"^\s+\S|^\s*(?:[\w.]+\s*=[^=]|import |from |model\.|\)|\]|[\w.]+\()")


def add_arguments(parser: argparse.ArgumentParser) -> None:
    add_form_arguments(parser, json_help="one JSON answer per line (notes go to stderr)",
                       explain_help="show what the reader extracted before each answer")
    parser.add_argument("--no-history", action="store_true", help="do not read or write the history file")


# -- reading messages ---------------------------------------------------------------------------

def open_brackets(text: str) -> int:
    """How many (, [ or { are still open at the end of ``text`` (a pasted snippet goes on)."""
    depth = 0
    for ch in text:
        if ch in "([{":
            depth += 1
        elif ch in ")]}":
            depth = max(0, depth - 1)
    return depth


def _joined(lines: list[str]) -> str:
    """Lines of one message: code keeps its line breaks, wrapped prose becomes one line."""
    if any(CODE_LINE.match(line) for line in lines[1:]) or any(open_brackets(l) for l in lines[:-1]):
        return "\n".join(lines)
    return " ".join(line.strip() for line in lines)


def _lines_mode(lines: list[str]) -> Iterator[str]:
    """One message per line; a line with an open bracket continues on the next ones."""
    held: list[str] = []
    for line in lines:
        if not line.strip() and not held:
            continue
        held.append(line)
        if open_brackets("\n".join(held)) == 0 or line.strip().startswith("/"):
            yield _joined(held)
            held = []
    if held:
        yield _joined(held)


def _block_mode(lines: Iterable[str]) -> Iterator[str]:
    """One message per blank-line-separated block; a /command line is a message of its own."""
    block: list[str] = []
    for line in lines:
        if line.strip().startswith("/") and open_brackets("\n".join(block)) == 0:
            if block:
                yield _joined(block)
                block = []
            yield line.strip()
        elif line.strip():
            block.append(line)
        elif block and open_brackets("\n".join(block)) == 0:
            yield _joined(block)
            block = []
    if block:
        yield _joined(block)


def messages(lines: Iterable[str]) -> Iterator[str]:
    """The messages of a piped input: lines until a blank line shows that it is made of blocks.

    Lines are held back until the first blank line after some text (or the end): with none, each
    line is a message; with one, each block is."""
    stream = (line.rstrip("\r\n") for line in lines)
    held: list[str] = []
    for line in stream:
        if line.strip() or not held or open_brackets("\n".join(held)):
            held.append(line)
            continue
        yield from _block_mode(held)
        yield from _block_mode(stream)
        return
    yield from _lines_mode(held)


# -- history ------------------------------------------------------------------------------------

def history_path(environ) -> Path:
    """``$XDG_DATA_HOME/nlqa/history``, else ``~/.local/share/nlqa/history``."""
    base = environ.get("XDG_DATA_HOME") or os.path.join(environ.get("HOME") or os.path.expanduser("~"),
                                                        ".local", "share")
    return Path(base) / "nlqa" / "history"


class History:
    """readline's history, loaded from and appended to a file; never fails the conversation."""

    def __init__(self, path: Path | None, env: Env):
        self.path, self.env = path, env
        try:
            import readline
        except ImportError:                 # no line editing on this platform: still a chat
            readline = None
        self.readline = readline
        if readline is None or path is None:
            return
        readline.set_history_length(HISTORY_LENGTH)
        try:
            if path.exists() and not path.is_file():    # a FIFO or a device would block the prompt
                self.env.error(f"history not kept ({path} is not a regular file)")
                self.path = None
                return
            if path.exists():
                readline.read_history_file(str(path))
            path.parent.mkdir(parents=True, exist_ok=True)
            path.touch(exist_ok=True)
        except OSError as exc:
            self._disable(exc)

    def _disable(self, exc: OSError) -> None:
        self.env.error(f"history not kept ({self.path}: {exc.strerror or exc})")
        self.path = None

    def add(self, line: str) -> None:
        if self.readline is None or self.path is None or not line.strip():
            return
        try:
            self.readline.append_history_file(1, str(self.path))
            self.readline.set_history_length(HISTORY_LENGTH)
        except OSError as exc:
            self._disable(exc)


# -- showing replies ----------------------------------------------------------------------------

def show(reply, session, env: Env, echo: str | None = None) -> None:
    """A reply on stdout (notes on stderr for JSON); the echo and every note are cleaned like the
    answers (``render.clean``): no escape sequence, CR, BS or bidi control of the user's text
    reaches the terminal."""
    from ..render import clean, render_json
    from .ask import write_answer
    if reply is None:
        return
    notes = [clean(note) for note in reply.notes]
    if session.form == "json":                   # stdout keeps one JSON answer per line
        if notes:
            env.stderr.write("".join(note + "\n" for note in notes))
            env.stderr.flush()
        if reply.answer is not None:
            env.stdout.write(render_json(reply.answer, extraction=session.explain) + "\n")
            env.stdout.flush()
        return
    lines = ([f"> {clean(echo)}"] if echo is not None else []) + notes
    if session.form == "rich":
        from rich.text import Text
        console = env.console()
        if echo is not None:
            console.print(Text(lines.pop(0), style="nlqa.question"))
        for note in lines:
            console.print(Text(note, style="nlqa.notice"))
    elif lines:
        env.stdout.write("\n".join(lines) + "\n")
    if reply.answer is not None:
        write_answer(reply.answer, session.form, env, explain=session.explain)
    if echo is not None or reply.answer is not None:
        env.stdout.write("\n")
    env.stdout.flush()


def respond(session, message: str, env: Env, args, echo: bool) -> None:
    """One message: handled and shown; an internal error is reported and the conversation goes on."""
    from ..chat import Reply
    try:
        reply = session.handle(message)
    except KeyboardInterrupt:
        env.error("cancelled")
        return
    except Exception as exc:  # noqa: BLE001 - one bad message must not end the conversation
        if getattr(args, "traceback", False):
            traceback.print_exc(file=env.stderr)
        note = (f"nlqa: internal error: {type(exc).__name__}: {exc}; the conversation goes on "
                "(rerun with --traceback to see where)")
        reply = Reply(notes=(note,))
    show(reply, session, env, echo=message if echo and reply is not None else None)


# -- the two ways in ----------------------------------------------------------------------------

def piped(session, env: Env, args) -> int:
    for message in messages(env.stdin_lines()):
        respond(session, message, env, args, echo=session.form != "json")
        if session.done:
            break
    return ExitStatus.OK


def interactive(session, env: Env, args) -> int:
    history = History(None if args.no_history else history_path(env.environ), env)
    show_notes(env, session, ["nlqa chat: ask about a network, then follow up ('what if they were LSTMs?').",
                              "/help lists what you can say; Ctrl-D leaves."])
    while not session.done:
        try:
            line = input(PROMPT)
            while open_brackets(line) and not line.lstrip().startswith("/"):
                line += "\n" + input(MORE)
        except EOFError:
            env.stdout.write("\n")
            break
        except KeyboardInterrupt:            # cancels the line being typed, not the conversation
            env.stdout.write("\n")
            continue
        history.add(line)
        respond(session, line, env, args, echo=False)
    env.stdout.flush()
    return ExitStatus.OK


def show_notes(env: Env, session, notes: list[str]) -> None:
    from ..chat import Reply
    show(Reply(notes=tuple(notes)), session, env)


def run(args: argparse.Namespace, env: Env) -> int:
    from ..chat import Session
    form = args.form or ("rich" if env.rich_output else "plain")
    session = Session(framework=args.framework, form=form, explain=args.explain)
    if env.stdin_isatty:
        return interactive(session, env, args)
    return piped(session, env, args)
