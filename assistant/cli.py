"""`assistant` command: index, ask, sources, doctor, eval, ui. Errors are one line and a non-zero exit."""

from __future__ import annotations

import argparse
import json
import logging
import sys
from pathlib import Path
from typing import Any

from assistant.errors import AssistantError
from assistant.settings import load_settings

log = logging.getLogger("assistant")


def _print_answer(answer: Any) -> None:
    print(answer.text)
    if answer.citations:
        print()
        for c in answer.citations:
            print(f"[{c.number}] {c.title} — {c.publisher}, {c.published or 'undated'} ({c.doc_id}) {c.url}")
    for call in answer.tool_calls:
        res = call.result or {}
        if res.get("formula"):
            print(f"\ncomputed by {call.name}: {res['formula']}")


def cmd_index(args: argparse.Namespace) -> int:
    from assistant import Assistant

    report = Assistant(load_settings()).index(rebuild=args.rebuild)
    print(f"added {len(report.added)}, updated {len(report.updated)}, removed {len(report.removed)}, "
          f"unchanged {report.unchanged}; {report.chunks_written} chunks written in {report.seconds:.1f}s")
    for problem in report.skipped:
        print(f"skipped: {problem}", file=sys.stderr)
    return 0


def load_history(path: str, max_chars: int) -> list[dict[str, str]]:
    """The --history file: JSON, UTF-8, a list of {role, content} messages; one-line errors otherwise."""
    from assistant.errors import InvalidHistoryError
    from assistant.history import validate_history

    try:
        raw = Path(path).read_bytes()
    except FileNotFoundError:
        raise InvalidHistoryError(f"--history {path}: no such file") from None
    except OSError as exc:
        raise InvalidHistoryError(f"--history {path}: cannot be read ({exc.strerror or exc})") from None
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise InvalidHistoryError(f"--history {path}: not UTF-8 text (byte {exc.start}); save it as UTF-8 JSON") from None
    try:
        data = json.loads(text)
    except json.JSONDecodeError as exc:
        raise InvalidHistoryError(f"--history {path}: not valid JSON ({exc.msg}, line {exc.lineno}); pass a list of "
                                  "{role, content} messages") from None
    return validate_history(data, max_chars)


def cmd_ask(args: argparse.Namespace) -> int:
    from assistant import Assistant

    settings = load_settings(progress=False)
    history = load_history(args.history, settings.max_history_chars) if args.history else None
    filters: dict[str, Any] = {}
    if args.topic:
        filters["topic"] = args.topic
    if args.date_from:
        filters["date_from"] = args.date_from
    if args.date_to:
        filters["date_to"] = args.date_to
    answer = Assistant(settings).ask(" ".join(args.question), history=history, filters=filters)
    if args.json:
        print(json.dumps(answer.to_dict(), ensure_ascii=False, indent=2))
    else:
        _print_answer(answer)
    return 0


def cmd_sources(args: argparse.Namespace) -> int:
    from assistant import Assistant

    docs = Assistant(load_settings()).sources(args.collection, owner=args.owner)
    for d in docs:
        print(f"{d['topic']:<16} {d['doc_id']:<44} {d['chunks']:>3} chunks  {d['title']}")
    print(f"{len(docs)} documents, {sum(d['chunks'] for d in docs)} chunks")
    return 0


def cmd_purge_uploads(args: argparse.Namespace) -> int:
    from assistant import Assistant

    assistant = Assistant(load_settings(progress=False))
    hours = args.older_than if args.older_than is not None else assistant.settings.upload_ttl_hours
    removed = assistant.purge_uploads(older_than_s=hours * 3600, owner_prefix=args.owner_prefix)
    print(f"removed {len(removed)} uploads of {args.owner_prefix}* owners older than {hours:g} h"
          + (": " + ", ".join(removed) if removed else ""))
    return 0


def cmd_doctor(args: argparse.Namespace) -> int:
    from assistant.doctor import run_checks

    ok = True
    for check in run_checks(load_settings(progress=False)):
        print(f"{'ok ' if check.ok else 'FAIL'} {check.name}: {check.detail}")
        ok &= check.ok
    return 0 if ok else 1


def cmd_eval(args: argparse.Namespace) -> int:
    from assistant.evaluation.cli import main as eval_main

    rest = args.rest[1:] if args.rest[:1] == ["--"] else args.rest
    return int(eval_main(rest))


def cmd_ui(args: argparse.Namespace) -> int:
    from ui.app import main as ui_main

    overrides: dict[str, Any] = {}
    if args.host:
        overrides["ui_host"] = args.host
    if args.port:
        overrides["ui_port"] = args.port
    ui_main(load_settings(**overrides))
    return 0


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="assistant", description="Cited answers on AI compute geopolitics.")
    parser.add_argument("-v", "--verbose", action="store_true", help="log progress at INFO level")
    sub = parser.add_subparsers(dest="command", required=True)
    p = sub.add_parser("index", help="build or update the index")
    p.add_argument("--rebuild", action="store_true", help="drop the corpus collection and index from scratch")
    p.set_defaults(func=cmd_index)
    p = sub.add_parser("ask", help="answer a question with citations")
    p.add_argument("question", nargs="+")
    p.add_argument("--json", action="store_true", help="print Answer.to_dict() as JSON")
    p.add_argument("--history", help="JSON file: list of {role, content} messages")
    p.add_argument("--topic", action="append", help="restrict to a topic (repeatable)")
    p.add_argument("--date-from", help="ISO date")
    p.add_argument("--date-to", help="ISO date")
    p.set_defaults(func=cmd_ask)
    p = sub.add_parser("sources", help="list indexed documents with chunk counts")
    p.add_argument("--collection", choices=["corpus", "user"], default="corpus")
    p.add_argument("--owner", default="local", help="whose uploads to list (user collection; default local)")
    p.set_defaults(func=cmd_sources)
    p = sub.add_parser("purge-uploads", help="remove abandoned uploads of anonymous UI sessions")
    p.add_argument("--older-than", type=float, metavar="HOURS",
                   help="age in hours (default ASSISTANT_UPLOAD_TTL_HOURS); 0 removes them all")
    p.add_argument("--owner-prefix", default="session:", help="owners to purge (default session:)")
    p.set_defaults(func=cmd_purge_uploads)
    sub.add_parser("doctor", help="check model, store and corpus").set_defaults(func=cmd_doctor)
    p = sub.add_parser("eval", help="run the evaluation (see `assistant eval --help`)", add_help=False)
    p.add_argument("rest", nargs=argparse.REMAINDER)
    p.set_defaults(func=cmd_eval)
    p = sub.add_parser("ui", help="start the chat UI")
    p.add_argument("--host")
    p.add_argument("--port", type=int)
    p.set_defaults(func=cmd_ui)
    return parser


def main(argv: list[str] | None = None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    if argv[:1] == ["eval"]:  # the evaluation runner owns its options, --help included
        argv = ["eval", "--", *argv[1:]]
    args = build_parser().parse_args(argv)
    logging.basicConfig(level=logging.INFO if args.verbose else logging.WARNING,
                        format="%(levelname)s %(name)s: %(message)s")
    try:
        return int(args.func(args))
    except AssistantError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print("interrupted; the index keeps every document written so far (a full build is swapped in only "
              "when complete, so the previous index still answers)", file=sys.stderr)
        return 130
    except Exception as exc:  # a bug or an unforeseen failure: still one line; the traceback with -v
        if args.verbose:
            log.exception("unexpected failure")
        detail = str(exc).splitlines()[0][:200] if str(exc) else ""
        print(f"error: unexpected {exc.__class__.__name__}{': ' + detail if detail else ''} "
              "(run with -v for the traceback)", file=sys.stderr)
        return 1


if __name__ == "__main__":
    sys.exit(main())
