"""Calibrate the support threshold (ASSISTANT_ABSTAIN_THRESHOLD): the lowest score a sentence may have
to answer a part. It is one of the evidence stage's four tests (with answer type, focus and entities);
pick it so that must-abstain questions decline while answerable ones almost never do (false abstention
at most --max-false, default 0.05).

    .venv/bin/python scripts/calibrate.py [--questions eval/questions.yaml]

It runs every case once with the threshold at 0, records each answer's support (its best sentence's
score) and searches a coarse grid. Answers led by a computed tool result are left out. Prints the
chosen threshold; put it in assistant/settings.py (the default) or the env.
"""

from __future__ import annotations

import argparse
from pathlib import Path

from assistant import Assistant, load_settings
from assistant.evaluation.dataset import load_cases


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--questions", default="eval/questions.yaml")
    parser.add_argument("--max-false", type=float, default=0.05)
    args = parser.parse_args()
    assistant = Assistant(load_settings(progress=False, abstain_threshold=0.0))
    rows = []
    for case in load_cases(Path(args.questions)):
        answer = assistant.ask(case.question, history=case.history_list())
        if any(c.error is None for c in answer.tool_calls):
            continue
        rows.append((answer.support, case.must_abstain))
    should = [r for r in rows if r[1]]
    may_answer = [r for r in rows if not r[1]]
    best = None
    for threshold in [x / 100 for x in range(30, 71, 2)]:
        declined = lambda r: r[0] < threshold  # noqa: E731
        recall = sum(map(declined, should)) / max(1, len(should))
        false = sum(map(declined, may_answer)) / max(1, len(may_answer))
        if false <= args.max_false and (best is None or recall > best[0] or (recall == best[0] and false < best[1])):
            best = (recall, false, threshold)
    print(f"cases used: {len(should)} must-abstain, {len(may_answer)} answerable (tool-led answers excluded)")
    if best:
        print(f"abstain_threshold={best[2]:.2f}: abstention recall {best[0]:.3f}, "
              f"false abstention {best[1]:.3f}")


if __name__ == "__main__":
    main()
