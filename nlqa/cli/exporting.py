"""``nlqa ask --code pytorch|keras`` and ``nlqa ask --verify``: the two options that go past the
answer. Imported only when one of them is given, so plain ``nlqa ask`` starts as before."""

from __future__ import annotations

import argparse

from .env import Env
from .status import ExitStatus, exit_status_for


def add_arguments(parser: argparse.ArgumentParser) -> None:
    group = parser.add_mutually_exclusive_group()
    group.add_argument("--code", choices=("pytorch", "keras"), metavar="pytorch|keras",
                       help="print runnable code of the network, ending with the line that prints its "
                            "parameter count (under that framework's convention)")
    group.add_argument("--verify", action="store_true",
                       help="build the network in PyTorch (and Keras, when installed) and compare their counts "
                            "and shapes with nlqa's, layer by layer (needs: pip install 'nlqa[verify]')")


def wanted(args: argparse.Namespace) -> bool:
    return bool(getattr(args, "code", None) or getattr(args, "verify", False))


def _spec(result):
    from ..core.spec import NetworkSpec
    data = (result.extraction or {}).get("spec")
    return NetworkSpec.from_dict(data) if data else None


def run(result, args: argparse.Namespace, env: Env, form: str, explain: bool = False) -> int:
    """Write the code or the verification of an answered question; an unanswered one as usual."""
    from .ask import write_answer
    flag = f"--code {args.code}" if args.code else "--verify"
    if result.status != "answered":
        write_answer(result, form, env, explain=explain)
        env.error(f"{flag} needs a question nlqa answers; this one is not answered ({result.status}).")
        return exit_status_for(result.status)
    spec = _spec(result)
    if spec is None:
        env.error(f"{flag}: the question gives a parameter count, not a network, so there is nothing to build.")
        return ExitStatus.NOT_ANSWERED
    return _code(result, spec, args.code, env, form, explain) if args.code else _verify(result, spec, env, form, explain)


def _code(result, spec, framework: str, env: Env, form: str, explain: bool) -> int:
    from ..errors import ExportError
    from ..export import export
    from ..export.report import code_markdown, code_rich
    from ..render import render_json
    try:
        exported = export(spec, framework, result.quantity, result.layer)
    except ExportError as exc:
        if form == "json":
            env.stdout.write(render_json(result, explain, {"code": {"framework": framework, "source": None,
                                                                     "error": str(exc)}}) + "\n")
        env.error(f"{exc} Ask with --code {'keras' if framework == 'pytorch' else 'pytorch'}, or without --code.")
        return ExitStatus.NOT_ANSWERED
    if form == "json":
        env.stdout.write(render_json(result, explain, {"code": exported.to_dict()}) + "\n")
    elif form == "rich":
        env.console().print(code_rich(exported))
    else:
        env.stdout.write(code_markdown(exported) if form == "markdown" else exported.source)
    env.stdout.flush()
    return ExitStatus.OK


def _verify(result, spec, env: Env, form: str, explain: bool) -> int:
    from ..export.verify import FrameworkMissing, installed, verify
    from ..export.report import verify_plain, verify_rich
    from ..render import render_json
    frameworks = installed()
    try:
        checks = verify(spec, frameworks)
    except FrameworkMissing as exc:
        env.error(str(exc))
        return ExitStatus.USAGE
    missing = tuple(f for f in ("pytorch", "keras") if f not in frameworks)
    if form == "json":
        env.stdout.write(render_json(result, explain, {"verify": [c.to_dict() for c in checks]}) + "\n")
    elif form == "rich":
        env.console().print(verify_rich(result, checks, missing))
    else:
        env.stdout.write(verify_plain(result, checks, missing))
    env.stdout.flush()
    built = [c for c in checks if not c.refused]
    if not built:
        env.error("--verify: no installed framework can express this network (see above).")
        return ExitStatus.NOT_ANSWERED
    return ExitStatus.OK if all(c.agrees for c in built) else ExitStatus.MISMATCH
