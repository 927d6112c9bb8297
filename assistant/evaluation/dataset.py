"""Load and validate the evaluation question set (eval/questions.yaml).

The question set is data written by hand, so every mistake in it (a typo in a field name, a
regex that does not compile, a gold document that does not exist) would otherwise surface as a
silently wrong score. Validation therefore reports every problem at once, each naming the case
id and the field, before a single question is sent to the assistant.
"""

from __future__ import annotations

import logging
import re
from collections import Counter
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Iterable

import yaml

logger = logging.getLogger(__name__)

CATEGORIES: tuple[str, ...] = (
    "single_fact",
    "multi_hop",
    "numeric",
    "temporal",
    "follow_up",
    "unanswerable",
    "false_premise",
    "french",
    "adversarial",
    "compound",
    "attribute",
    "order_comparison",
    "list",
    "topic_switch",
)
"""Every case belongs to exactly one; reports are broken down by these.

The last five came with issue 9 ("measure honestly"): compound questions whose every part must be
answered, stated attributes versus real calculations, order and comparison questions, list
questions, and a self-contained question asked after an unrelated conversation (plus a few
genuine elliptical follow-ups)."""

SPLITS: tuple[str, ...] = ("dev", "test")
"""Values of a case's optional `split`: `dev` is tuned on, `test` is held out and scored at the end.
Cases without a split are the original question set; reports call that group `original`."""
NO_SPLIT = "original"
"""The name reports and `split_of` give to cases that carry no `split` (the original set)."""
SPLIT_GROUPS: tuple[str, ...] = ("dev", "test", NO_SPLIT)
"""The groups aggregated per split, in report order."""
PINNED_DEV_MARK = "issue 9 table"
"""A case whose `notes` contain this text is one of issue 9's own table inputs and always goes to dev."""

LANGUAGES: tuple[str, ...] = ("en", "fr")
ROLES: tuple[str, ...] = ("user", "assistant")
ID_RE = re.compile(r"^[a-z0-9][a-z0-9_.-]*$")
CHIP_DOC_RE = re.compile(r"^chip-[a-z0-9][a-z0-9-]*$")
DOC_ID_RE = re.compile(r"^[a-z0-9][a-z0-9-]*$")

_ALLOWED_KEYS: frozenset[str] = frozenset(
    {
        "id",
        "category",
        "question",
        "history",
        "expected_facts",
        "expected_numbers",
        "gold_docs",
        "must_abstain",
        "abstain_ok",
        "forbidden",
        "decline_about",
        "language",
        "subset",
        "split",
        "notes",
    }
)
_NUMBER_KEYS: frozenset[str] = frozenset({"value", "tolerance", "unit"})


@dataclass(frozen=True)
class CaseError:
    """One problem in the question set, located precisely enough to fix without searching."""

    case_id: str
    field: str
    message: str

    def __str__(self) -> str:
        return f"case {self.case_id!r}, field {self.field!r}: {self.message}"


class DatasetError(ValueError):
    """The question set is invalid; `errors` lists every problem found, not just the first."""

    def __init__(self, errors: list[CaseError], source: str = "") -> None:
        self.errors = errors
        where = f" in {source}" if source else ""
        lines = "\n".join(f"  - {e}" for e in errors)
        super().__init__(f"{len(errors)} problem(s){where}:\n{lines}")

    @property
    def first(self) -> CaseError:
        """The first problem, handy for tests that assert on one field."""
        return self.errors[0]


@dataclass(frozen=True)
class ExpectedNumber:
    """A number the answer (text or tool results) must contain, within a tolerance.

    `tolerance` is absolute in `unit` unless `relative` is set, in which case it is a fraction
    of `value` (written "5%" in the YAML). `unit` may carry a scale word ("million USD",
    "billion yuan") so that the YAML reads the way people say the number; `scale` is that word's
    multiplier and `base_unit` what is left (see metrics.py for how units are matched).
    """

    value: float
    tolerance: float
    unit: str = ""
    relative: bool = False

    @property
    def abs_tolerance(self) -> float:
        """Tolerance in the same unit as `value`."""
        return abs(self.value) * self.tolerance if self.relative else self.tolerance

    def to_dict(self) -> dict[str, Any]:
        """YAML/JSON form, with the tolerance written the way it was given."""
        tol: float | str = f"{self.tolerance * 100:g}%" if self.relative else self.tolerance
        return {"value": self.value, "tolerance": tol, "unit": self.unit}


@dataclass(frozen=True)
class Case:
    """One evaluation question with everything needed to score the answer to it."""

    id: str
    category: str
    question: str
    language: str = "en"
    history: tuple[dict[str, str], ...] = ()
    expected_facts: tuple[str, ...] = ()
    expected_numbers: tuple[ExpectedNumber, ...] = ()
    gold_docs: tuple[str, ...] = ()
    must_abstain: bool = False
    abstain_ok: bool = False
    forbidden: tuple[str, ...] = ()
    decline_about: tuple[str, ...] = ()
    subset: bool = False
    split: str | None = None
    notes: str = ""

    @property
    def split_group(self) -> str:
        """`dev`, `test`, or `original` for a case without a split."""
        return self.split or NO_SPLIT

    def history_list(self) -> list[dict[str, str]] | None:
        """History in the shape `Assistant.ask` takes (a fresh list, or None when there is none)."""
        return [dict(m) for m in self.history] if self.history else None

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready form for results.json."""
        return {
            "id": self.id,
            "category": self.category,
            "question": self.question,
            "language": self.language,
            "history": [dict(m) for m in self.history],
            "expected_facts": list(self.expected_facts),
            "expected_numbers": [n.to_dict() for n in self.expected_numbers],
            "gold_docs": list(self.gold_docs),
            "must_abstain": self.must_abstain,
            "abstain_ok": self.abstain_ok,
            "forbidden": list(self.forbidden),
            "decline_about": list(self.decline_about),
            "subset": self.subset,
            "split": self.split,
            "notes": self.notes,
        }


class _Collector:
    """Accumulates errors for one case so that parsing can go on after the first problem."""

    def __init__(self, case_id: str, errors: list[CaseError]) -> None:
        self.case_id = case_id
        self.errors = errors

    def add(self, field_name: str, message: str) -> None:
        self.errors.append(CaseError(self.case_id, field_name, message))


def _str_list(raw: Any, name: str, col: _Collector) -> tuple[str, ...]:
    """A list of non-empty strings; a bare string is accepted as a one-item list."""
    if raw is None:
        return ()
    if isinstance(raw, str):
        raw = [raw]
    if not isinstance(raw, list):
        col.add(name, f"must be a list of strings, got {type(raw).__name__}")
        return ()
    out: list[str] = []
    for i, item in enumerate(raw):
        if isinstance(item, (int, float)) and not isinstance(item, bool):
            item = str(item)  # a bare number in YAML is a fact written without quotes
        if not isinstance(item, str) or not item.strip():
            col.add(f"{name}[{i}]", "must be a non-empty string")
            continue
        out.append(item)
    return tuple(out)


def _regexes(raw: Any, name: str, col: _Collector) -> tuple[str, ...]:
    """Strings that must compile as regular expressions (they are matched case-insensitively)."""
    items = _str_list(raw, name, col)
    for i, pattern in enumerate(items):
        try:
            re.compile(pattern, re.IGNORECASE)
        except re.error as exc:
            col.add(f"{name}[{i}]", f"invalid regex {pattern!r}: {exc}")
    return items


def _bool(raw: Any, name: str, col: _Collector, default: bool = False) -> bool:
    if raw is None:
        return default
    if not isinstance(raw, bool):
        col.add(name, f"must be true or false, got {raw!r}")
        return default
    return raw


def _tolerance(raw: Any, name: str, col: _Collector) -> tuple[float, bool]:
    """(tolerance, relative): a non-negative number, or a percentage string such as "5%"."""
    if isinstance(raw, str) and raw.strip().endswith("%"):
        try:
            pct = float(raw.strip()[:-1])
        except ValueError:
            col.add(name, f"percentage tolerance {raw!r} is not a number")
            return 0.0, False
        if pct < 0:
            col.add(name, "must not be negative")
        return pct / 100.0, True
    if isinstance(raw, bool) or not isinstance(raw, (int, float)):
        col.add(name, f"must be a number or a percentage like '5%', got {raw!r}")
        return 0.0, False
    if raw < 0:
        col.add(name, "must not be negative")
    return float(raw), False


def _numbers(raw: Any, col: _Collector) -> tuple[ExpectedNumber, ...]:
    if raw is None:
        return ()
    if not isinstance(raw, list):
        col.add("expected_numbers", "must be a list of {value, tolerance, unit} mappings")
        return ()
    out: list[ExpectedNumber] = []
    for i, item in enumerate(raw):
        where = f"expected_numbers[{i}]"
        if not isinstance(item, dict):
            col.add(where, "must be a mapping with value, tolerance and unit")
            continue
        extra = set(item) - _NUMBER_KEYS
        if extra:
            col.add(where, f"unknown key(s): {', '.join(sorted(map(str, extra)))}")
        value = item.get("value")
        if isinstance(value, str):
            try:
                value = float(value.replace(",", "").replace("_", ""))
            except ValueError:
                col.add(f"{where}.value", f"not a number: {value!r}")
                continue
        if isinstance(value, bool) or not isinstance(value, (int, float)):
            col.add(f"{where}.value", f"must be a number, got {value!r}")
            continue
        if "tolerance" not in item:
            col.add(f"{where}.tolerance", "is required (use 0 for an exact value)")
            continue
        tol, relative = _tolerance(item["tolerance"], f"{where}.tolerance", col)
        unit = item.get("unit", "")
        if unit is None:
            unit = ""
        if not isinstance(unit, str):
            col.add(f"{where}.unit", f"must be a string, got {unit!r}")
            unit = ""
        out.append(ExpectedNumber(float(value), tol, unit.strip(), relative))
    return tuple(out)


def _history(raw: Any, col: _Collector) -> tuple[dict[str, str], ...]:
    if raw is None:
        return ()
    if not isinstance(raw, list):
        col.add("history", "must be a list of {role, content} messages")
        return ()
    out: list[dict[str, str]] = []
    for i, msg in enumerate(raw):
        where = f"history[{i}]"
        if not isinstance(msg, dict):
            col.add(where, "must be a mapping with role and content")
            continue
        extra = set(msg) - {"role", "content"}
        if extra:
            col.add(where, f"unknown key(s): {', '.join(sorted(map(str, extra)))}")
        role, content = msg.get("role"), msg.get("content")
        if role not in ROLES:
            col.add(f"{where}.role", f"must be one of {', '.join(ROLES)}, got {role!r}")
            continue
        if not isinstance(content, str) or not content.strip():
            col.add(f"{where}.content", "must be a non-empty string")
            continue
        out.append({"role": role, "content": content})
    return tuple(out)


def _parse_case(raw: Any, index: int, errors: list[CaseError], known_docs: frozenset[str] | None,
                known_chips: frozenset[str] | None) -> Case | None:
    """One case, or None when it is too broken to build (its errors are recorded either way)."""
    if not isinstance(raw, dict):
        errors.append(CaseError(f"#{index}", "(case)", f"must be a mapping, got {type(raw).__name__}"))
        return None
    case_id = raw.get("id")
    label = case_id if isinstance(case_id, str) and case_id else f"#{index}"
    col = _Collector(label, errors)
    if not isinstance(case_id, str) or not ID_RE.match(case_id):
        col.add("id", f"must be a lowercase slug (letters, digits, - _ .), got {case_id!r}")
    extra = set(raw) - _ALLOWED_KEYS
    if extra:
        col.add("(case)", f"unknown key(s): {', '.join(sorted(map(str, extra)))}")

    category = raw.get("category")
    if category not in CATEGORIES:
        col.add("category", f"must be one of {', '.join(CATEGORIES)}, got {category!r}")
    question = raw.get("question")
    if not isinstance(question, str) or not question.strip():
        col.add("question", "must be a non-empty string")
        question = ""
    language = raw.get("language", "en")
    if language not in LANGUAGES:
        col.add("language", f"must be one of {', '.join(LANGUAGES)}, got {language!r}")

    history = _history(raw.get("history"), col)
    facts = _regexes(raw.get("expected_facts"), "expected_facts", col)
    numbers = _numbers(raw.get("expected_numbers"), col)
    forbidden = _regexes(raw.get("forbidden"), "forbidden", col)
    decline_about = _regexes(raw.get("decline_about"), "decline_about", col)
    gold = _str_list(raw.get("gold_docs"), "gold_docs", col)
    must_abstain = _bool(raw.get("must_abstain"), "must_abstain", col)
    abstain_ok = _bool(raw.get("abstain_ok"), "abstain_ok", col)
    subset = _bool(raw.get("subset"), "subset", col)
    split = raw.get("split")
    if split is not None and split not in SPLITS:
        col.add("split", f"must be one of {', '.join(SPLITS)} (or absent), got {split!r}")
        split = None
    notes = raw.get("notes", "") or ""
    if not isinstance(notes, str):
        col.add("notes", "must be a string")
        notes = ""

    for i, doc in enumerate(gold):
        where = f"gold_docs[{i}]"
        if CHIP_DOC_RE.match(doc):
            if known_chips is not None and doc not in known_chips:
                col.add(where, f"chip document {doc!r} is not a row of the chip catalogue")
        elif not DOC_ID_RE.match(doc):
            col.add(where, f"{doc!r} is not a document id (lowercase kebab-case)")
        elif known_docs is not None and doc not in known_docs:
            col.add(where, f"unknown document id {doc!r}")
    if len(set(gold)) != len(gold):
        col.add("gold_docs", "lists a document twice")

    # Consistency rules: each exists because a case that breaks it cannot be scored meaningfully.
    if must_abstain and (facts or numbers):
        col.add("must_abstain", "an abstention case cannot also expect facts or numbers")
    if decline_about and not must_abstain:
        col.add("decline_about", "only applies to must_abstain cases (what a written decline must name)")
    if not must_abstain and not facts and not numbers:
        col.add("expected_facts", "an answerable case needs expected_facts or expected_numbers to be scored")
    if category == "unanswerable" and not must_abstain:
        col.add("must_abstain", "unanswerable cases must have must_abstain: true")
    if category in ("follow_up", "topic_switch") and not history:
        col.add("history", f"{category} cases need the earlier turns")
    if split is not None and subset:
        col.add("subset", "a dev/test case cannot be in the fast subset (the subset's floors were set on the original cases)")
    if category == "numeric" and not numbers:
        col.add("expected_numbers", "numeric cases need at least one expected number")
    if category == "french" and language != "fr":
        col.add("language", "french cases must have language: fr")
    if history and history[-1]["role"] != "assistant":
        col.add("history", "must end with the assistant's turn (the question is the next user turn)")

    if not isinstance(case_id, str) or not isinstance(category, str) or category not in CATEGORIES:
        return None
    return Case(
        id=case_id,
        category=category,
        question=question,
        language=language if language in LANGUAGES else "en",
        history=history,
        expected_facts=facts,
        expected_numbers=numbers,
        gold_docs=gold,
        must_abstain=must_abstain,
        abstain_ok=abstain_ok,
        forbidden=forbidden,
        decline_about=decline_about,
        subset=subset,
        split=split,
        notes=notes,
    )


def parse_cases(data: Any, *, known_docs: Iterable[str] | None = None, known_chips: Iterable[str] | None = None,
                source: str = "") -> list[Case]:
    """Validate already-loaded YAML data; raises DatasetError listing every problem.

    `data` is either a list of cases or a mapping with a `cases` list (so the file can carry a
    header such as `version`). `known_docs` / `known_chips`, when given, make unknown gold
    document ids an error; chip ids are `chip-<catalogue id>`.
    """
    docs = frozenset(known_docs) if known_docs is not None else None
    chips = frozenset(known_chips) if known_chips is not None else None
    if isinstance(data, dict):
        data = data.get("cases")
    if not isinstance(data, list):
        raise DatasetError([CaseError("(file)", "cases", "expected a list of cases (or a mapping with 'cases')")],
                           source)
    errors: list[CaseError] = []
    cases: list[Case] = []
    for index, raw in enumerate(data):
        case = _parse_case(raw, index, errors, docs, chips)
        if case is not None:
            cases.append(case)
    counts = Counter(c.id for c in cases)
    for case_id, n in counts.items():
        if n > 1:
            errors.append(CaseError(case_id, "id", f"duplicate id (used {n} times)"))
    if errors:
        raise DatasetError(errors, source)
    logger.debug("loaded %d cases from %s", len(cases), source or "data")
    return cases


def load_cases(path: str | Path, *, known_docs: Iterable[str] | None = None,
               known_chips: Iterable[str] | None = None) -> list[Case]:
    """Read and validate a question-set YAML file."""
    p = Path(path)
    try:
        data = yaml.safe_load(p.read_text(encoding="utf-8"))
    except yaml.YAMLError as exc:
        raise DatasetError([CaseError("(file)", "(yaml)", str(exc))], str(p)) from exc
    return parse_cases(data, known_docs=known_docs, known_chips=known_chips, source=str(p))


def select_cases(cases: list[Case], *, filter: str | None = None, subset: bool = False,
                 limit: int | None = None, split: str | None = None) -> list[Case]:
    """The cases a run covers, in file order.

    `filter` is a comma-separated list of category names, case ids or glob patterns over ids
    (`fp-*`); a case is kept if any item matches. `subset` keeps only the fast subset. `split`
    keeps one half of the issue-9 cases (`dev` or `test`), or with `none` (alias `original`) only
    the cases without a split.
    """
    from fnmatch import fnmatchcase

    selected = [c for c in cases if c.subset] if subset else list(cases)
    if split is not None:
        wanted = NO_SPLIT if split in ("none", NO_SPLIT) else split
        if wanted not in SPLIT_GROUPS:
            raise ValueError(f"unknown split {split!r}: choose dev, test or none")
        selected = [c for c in selected if c.split_group == wanted]
    if filter:
        items = [f.strip() for f in filter.split(",") if f.strip()]
        selected = [c for c in selected
                    if any(item == c.category or item == c.id or fnmatchcase(c.id, item) for item in items)]
    if limit is not None and limit >= 0:
        selected = selected[:limit]
    return selected


# --- where the valid gold document ids come from -------------------------------------------------

_PLAN_ID_RE = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)+$")


def corpus_plan_doc_ids(plan_path: str | Path) -> set[str]:
    """Document ids listed in docs/corpus-plan.md's "## Documents" section.

    Lines read `- some-id — subject` or, for the chip writer, `- id-a, id-b (details), id-c,`;
    the parser takes the text before " — " or each comma-separated item outside parentheses.
    """
    text = Path(plan_path).read_text(encoding="utf-8")
    ids: set[str] = set()
    in_docs = False
    for line in text.splitlines():
        if line.startswith("## "):
            in_docs = line.strip().lower().startswith("## documents")
            continue
        if not in_docs or not line.startswith("- "):
            continue
        body = line[2:]
        if " — " in body:
            head = body.split(" — ", 1)[0].strip()
            if _PLAN_ID_RE.match(head):
                ids.add(head)
            continue
        depth, buf, parts = 0, [], []
        for ch in body:  # split on commas outside parentheses
            if ch == "(":
                depth += 1
            elif ch == ")":
                depth = max(0, depth - 1)
            elif ch == "," and depth == 0:
                parts.append("".join(buf))
                buf = []
                continue
            if depth == 0 and ch not in "()":
                buf.append(ch)
        parts.append("".join(buf))
        for part in parts:
            token = part.strip().split(" ")[0] if part.strip() else ""
            if _PLAN_ID_RE.match(token):
                ids.add(token)
    return ids


def split_front_matter(text: str) -> tuple[dict[str, Any], str]:
    """(front matter, body) of a corpus Markdown file; ({}, text) when it has none or it is malformed."""
    if text.startswith("---"):
        end = text.find("\n---", 3)
        if end > 0:
            try:
                meta = yaml.safe_load(text[3:end]) or {}
            except yaml.YAMLError as exc:
                logger.warning("malformed front matter: %s", exc)
                meta = {}
            return (meta if isinstance(meta, dict) else {}), text[end + 4:]
    return {}, text


def _corpus_files(corpus_dir: str | Path) -> list[tuple[str, dict[str, Any], str]]:
    """(doc id, front matter, body) for every corpus/**/*.md, in path order; the id falls back to the stem."""
    out: list[tuple[str, dict[str, Any], str]] = []
    for path in sorted(Path(corpus_dir).rglob("*.md")):
        try:
            meta, body = split_front_matter(path.read_text(encoding="utf-8"))
        except OSError as exc:
            logger.warning("cannot read %s: %s", path, exc)
            continue
        doc_id = meta["id"] if isinstance(meta.get("id"), str) else path.stem
        out.append((doc_id, meta, body))
    return out


def corpus_doc_ids(corpus_dir: str | Path) -> set[str]:
    """Ids of the documents actually present under corpus/ (front-matter `id`, else the file stem)."""
    return {doc_id for doc_id, _, _ in _corpus_files(corpus_dir)}


def catalogue_chip_doc_ids(chips_csv: str | Path) -> set[str] | None:
    """`chip-<id>` for every row of corpus/data/chips.csv, or None when the catalogue is absent."""
    import csv

    p = Path(chips_csv)
    if not p.is_file():
        return None
    with p.open(encoding="utf-8", newline="") as fh:
        return {f"chip-{row['id'].strip()}" for row in csv.DictReader(fh) if row.get("id", "").strip()}


def corpus_texts(corpus_dir: str | Path) -> dict[str, str]:
    """Body text per corpus document id, plus one line of text per chip catalogue row (`chip-<id>`)."""
    import csv

    root = Path(corpus_dir)
    texts: dict[str, str] = {doc_id: body for doc_id, _, body in _corpus_files(root)}
    chips = root / "data" / "chips.csv"
    if chips.is_file():
        with chips.open(encoding="utf-8", newline="") as fh:
            for row in csv.DictReader(fh):
                if row.get("id"):
                    texts[f"chip-{row['id'].strip()}"] = " ".join(f"{k}: {v}" for k, v in row.items() if v)
    return texts


def unsupported_facts(cases: Iterable[Case], texts: dict[str, str]) -> list[CaseError]:
    """Expected facts that none of the case's (existing) gold documents contains.

    Such a fact can only be produced by luck or by a tool, so either the question or the corpus
    needs fixing. Cases whose gold documents are not all written yet are not judged. Expected
    numbers are not checked here: tools compute them, the corpus need not quote them.
    """
    from .metrics import normalize_text

    problems: list[CaseError] = []
    for case in cases:
        present = [d for d in case.gold_docs if d in texts]
        if not present or len(present) < len(case.gold_docs) or not case.expected_facts:
            continue
        text = normalize_text(" ".join(texts[d] for d in present))
        for i, fact in enumerate(case.expected_facts):
            if not re.search(fact, text, re.IGNORECASE):
                problems.append(CaseError(case.id, f"expected_facts[{i}]",
                                          f"{fact!r} is in none of {', '.join(present)}"))
    return problems


def balanced_split(cases: Iterable[Case]) -> dict[str, str]:
    """The dev/test half each case belongs to, by a fixed rule that no one can tune by hand.

    Within each category the cases are sorted by id and taken in consecutive pairs (1st and 2nd,
    3rd and 4th, ...). In each pair one case goes to dev and the other to test: a case whose
    `notes` contain PINNED_DEV_MARK (one of issue 9's own table inputs) is the dev one; otherwise
    the case whose id has the smaller SHA-256 hex digest is. An odd last case goes to dev. Pairing
    in id order keeps each kind of case that was written as a block (say the real calculations
    among the stated attributes) spread over both halves; the hash, not the author, decides
    within a pair. Raises ValueError when both cases of a pair are pinned (renumber one).
    tests/evaluation checks that the `split` written in eval/questions.yaml is exactly this
    rule's output over the cases that carry a split.
    """
    import hashlib

    def digest(case: Case) -> str:
        return hashlib.sha256(case.id.encode("utf-8")).hexdigest()

    by_cat: dict[str, list[Case]] = {}
    for case in cases:
        by_cat.setdefault(case.category, []).append(case)
    out: dict[str, str] = {}
    for group in by_cat.values():
        ordered = sorted(group, key=lambda c: c.id)
        for i in range(0, len(ordered), 2):
            pair = ordered[i:i + 2]
            if len(pair) == 1:
                out[pair[0].id] = "dev"
                continue
            pinned = [c for c in pair if PINNED_DEV_MARK in c.notes]
            if len(pinned) == 2:
                raise ValueError(f"cases {pair[0].id} and {pair[1].id} are both pinned to dev but form one pair")
            dev = pinned[0] if pinned else min(pair, key=digest)
            for c in pair:
                out[c.id] = "dev" if c is dev else "test"
    return out


def split_counts(cases: list[Case]) -> dict[str, dict[str, int]]:
    """Cases per split group (dev, test, original) and category, zeros left out."""
    out: dict[str, dict[str, int]] = {}
    for group in SPLIT_GROUPS:
        counts = Counter(c.category for c in cases if c.split_group == group)
        if counts:
            out[group] = {cat: counts[cat] for cat in CATEGORIES if counts.get(cat)}
    return out


def category_counts(cases: list[Case]) -> dict[str, int]:
    """Cases per category, in the canonical category order (zeros included)."""
    counts = Counter(c.category for c in cases)
    return {cat: counts.get(cat, 0) for cat in CATEGORIES}


__all__ = [
    "CATEGORIES",
    "NO_SPLIT",
    "PINNED_DEV_MARK",
    "SPLITS",
    "SPLIT_GROUPS",
    "Case",
    "CaseError",
    "DatasetError",
    "ExpectedNumber",
    "balanced_split",
    "catalogue_chip_doc_ids",
    "category_counts",
    "corpus_doc_ids",
    "corpus_plan_doc_ids",
    "corpus_texts",
    "load_cases",
    "parse_cases",
    "select_cases",
    "split_counts",
    "split_front_matter",
    "unsupported_facts",
]
