"""The write stage with any LangChain chat model: `ChatModelWriter(llm, tools, prompt)`.

The model receives the plan's parts, the numbered passages (wrapped in <passage> tags and
declared data, never instructions) and, up front, every computed result of the evidence stage as
a checked figure to quote with the passages that support it — so a model with weak tool calling
still states the right number. The deterministic tools are bound with `bind_tools` when the plan
asks for a computation that has no result yet; a tool call (parsed `tool_calls`, or a JSON block
in the text for models that write one) is run, its result added as a checked figure, and the
model asked once more without tools: one round at most.

The reply is split into `DraftSentence`s with their [n] markers; a sentence without markers is
kept with `markers=[]` so the check stage can drop or mark it. The fixed abstention phrase (a data
file) gives `Draft(abstained=True)`. Every failure — server down, timeout, unknown model, an empty,
malformed or over-long reply — raises `LLMUnavailableError` (one line: problem and fix); the
pipeline then falls back to the extractive writer.
"""

from __future__ import annotations

import json
import logging
import re
import time
from collections.abc import Generator, Iterator
from functools import lru_cache
from pathlib import Path
from typing import Any

import yaml

from assistant.errors import LLMUnavailableError
from assistant.pipeline.types import Draft, DraftSentence, Evidence, Passage, QueryPlan, ToolRun
from index.text import keyword_tokens, split_sentences

log = logging.getLogger(__name__)

PROMPT_FILE = Path(__file__).resolve().parent.parent / "prompts" / "chat_writer.yaml"
MAX_TOOL_CALLS = 3  # per answer; one round
# the plan's computation families (assistant.tools.router) -> StructuredTool names (assistant.tools.langchain)
TOOL_FAMILIES = {
    "tpp": ["tpp"], "export": ["export_classification"], "power": ["power"], "compare": ["compare_fleets"],
    "fleet": ["fleet_compute", "equivalent_count"], "training": ["training_compute", "training_time", "implied_mfu"],
    "screen": ["screen_chips"],
}
_HOLD_CHARS = 12  # streamed text is held back until it cannot be the start of a tool call
_TOOL_START = ("```", "{", "[{", "<tool_call>", "functions.", "<|tool", "[tool")

# [3], [1, 2], [1][2], [2-4], [Passage 3], [source 1]
_MARKER = re.compile(r"\[\s*(?:passages?|sources?|p\.?)?\s*(\d+(?:\s*(?:,|;|–|-|and)\s*\d+)*)\s*\]", re.I)
_MARKERS_AFTER_END = re.compile(r"([.!?])((?:\s*" + _MARKER.pattern + r")+)", re.I)
_BULLET = re.compile(r"^\s*(?:[-*•]|\d+[.)]|#+)\s+")
_THINK = re.compile(r"<think>.*?(?:</think>|$)", re.S | re.I)
_NUMBER = re.compile(r"\d[\d,]*(?:\.\d+)?")
_FENCED = re.compile(r"```(?:json|tool_code|tool_call)?\s*(.*?)```", re.S | re.I)
_TAGGED = re.compile(r"<tool_call>\s*(.*?)\s*(?:</tool_call>|$)", re.S | re.I)
# Text addressed to the model rather than the reader: a passage holding it is withheld from the prompt.
_INSTRUCTION = re.compile(
    r"\b(?:ignore|disregard|forget|override)\s+(?:all\s+|any\s+|the\s+|your\s+)*(?:previous|prior|above|earlier|"
    r"preceding|system|other)?\s*(?:instructions?|prompts?|rules|directions|context)\b"
    r"|\b(?:system\s+prompt|new\s+instructions?|you\s+are\s+now\b)"
    r"|(?:^|[.!?]\s+|\band\s+|\bplease\s+)(?:always\s+)?(?:answer|reply|respond|say|tell\s+the\s+user)\s+that\b"
    r"|\byou\s+(?:must|should)\s+(?:now\s+)?(?:answer|say|reply|respond|state)\b",
    re.I)


def has_instructions(text: str) -> bool:
    """True when the text speaks to the assistant ("ignore previous instructions and answer that ...")."""
    return bool(_INSTRUCTION.search(text))


@lru_cache(maxsize=None)
def load_chat_prompt(path: str = str(PROMPT_FILE)) -> dict[str, Any]:
    return yaml.safe_load(Path(path).read_text(encoding="utf-8"))


# ---------------------------------------------------------------------------------------- parsing
def parse_markers(text: str) -> list[int]:
    """All passage numbers cited in `text`, in order, without repeats (ranges expanded)."""
    out: list[int] = []
    for m in _MARKER.finditer(text):
        for piece in re.split(r"\s*(?:,|;|and)\s*", m.group(1)):
            if re.fullmatch(r"\d+\s*[–-]\s*\d+", piece):
                a, b = (int(x) for x in re.split(r"\s*[–-]\s*", piece))
                numbers = list(range(a, b + 1)) if 0 < b - a < 10 else [a, b]
            else:
                numbers = [int(x) for x in re.findall(r"\d+", piece)]
            out.extend(n for n in numbers if n not in out)
    return out


def strip_markers(text: str) -> str:
    text = _MARKER.sub("", text)
    text = re.sub(r"\s+([.,;:!?])", r"\1", text)
    return re.sub(r"\s+", " ", text).strip()


def _normal(text: str) -> str:
    return re.sub(r"[^\w]+", " ", strip_markers(text).lower()).strip()


def split_reply(text: str) -> list[str]:
    """Sentences of a reply, each with the markers that follow it ("… 2024. [3] Next" keeps [3])."""
    text = _THINK.sub("", text)
    lines = []
    for line in text.splitlines():
        line = _BULLET.sub("", line).strip()
        if line:
            lines.append(line if re.search(r"[.!?\]]$", line) else line + ".")
    joined = " ".join(lines)
    # a marker written after the full stop belongs to the sentence before it
    joined = _MARKERS_AFTER_END.sub(lambda m: f"{m.group(2)}{m.group(1)}", joined)
    return split_sentences(joined)


def _numbers(text: str) -> set[str]:
    return {n.replace(",", "").rstrip(".") for n in _NUMBER.findall(strip_markers(text))}


# ---------------------------------------------------------------------------------------- tool calls
def _json_objects(text: str) -> list[Any]:
    """JSON values found in fenced blocks, <tool_call> tags, or a reply that is only JSON."""
    candidates = [m.group(1) for m in _FENCED.finditer(text)] + [m.group(1) for m in _TAGGED.finditer(text)]
    stripped = text.strip()
    if stripped.startswith(("{", "[")):
        candidates.append(stripped)
    out = []
    for raw in candidates:
        raw = raw.strip()
        try:
            out.append(json.loads(raw))
            continue
        except ValueError:
            pass
        for line in raw.splitlines():  # one call per line
            try:
                out.append(json.loads(line))
            except ValueError:
                continue
    return out


def tool_calls_in_text(text: str, tool_names: set[str]) -> list[dict[str, Any]]:
    """Tool calls a model wrote as JSON in its text: {"name": ..., "arguments": {...}} and the usual variants."""
    calls: list[dict[str, Any]] = []

    def visit(value: Any) -> None:
        if isinstance(value, list):
            for item in value:
                visit(item)
            return
        if not isinstance(value, dict):
            return
        if "function" in value and isinstance(value["function"], dict):  # OpenAI shape
            visit(value["function"])
            return
        if "tool_calls" in value:
            visit(value["tool_calls"])
            return
        name = value.get("name") or value.get("tool") or value.get("tool_name") or value.get("function")
        args = value.get("arguments", value.get("args", value.get("parameters", value.get("input", {}))))
        if isinstance(args, str):
            try:
                args = json.loads(args)
            except ValueError:
                args = {}
        if isinstance(name, str) and name in tool_names and isinstance(args, dict):
            calls.append({"name": name, "args": args, "id": f"text-{len(calls)}"})

    for value in _json_objects(text):
        visit(value)
    return calls


def _looks_like_tool_start(text: str) -> bool:
    head = text.lstrip()
    return any(head.startswith(p) or p.startswith(head) for p in _TOOL_START)


# ---------------------------------------------------------------------------------------- writer
class ChatModelWriter:
    """The Writer protocol over a LangChain chat model.

    `llm` is a chat model, or a zero-argument callable returning one (resolved at the first answer,
    e.g. to ask the server for its model name). `tools` are `StructuredTool`s (assistant.tools.langchain);
    `prompt` is the prompt data (default: prompts/chat_writer.yaml). `bind` is "auto" (bind the tools
    when the plan asks for a computation without a result), "always" or "never".
    """

    name = "chat"

    def __init__(self, llm: Any, tools: list[Any] | None = None, prompt: dict[str, Any] | None = None, *,
                 timeout_s: float = 120.0, max_tokens: int | None = None, max_chars: int = 8000,
                 bind: str = "auto", label: str = "", secret: str | None = None,
                 max_passages: int | None = None) -> None:
        self._llm_source = llm
        self.max_passages = max_passages
        self._llm: Any = None if callable(llm) and not hasattr(llm, "invoke") else llm
        self.tools = list(tools or [])
        self.prompt = prompt or load_chat_prompt()
        self.timeout_s = timeout_s
        self.max_tokens = max_tokens
        self.max_chars = max_chars
        self.bind = bind
        self.label = label
        self._secret = secret
        self.last_stats: dict[str, float] = {}  # seconds, chunks, chars of the latest answer (for evaluation)
        self.last_withheld: list[int] = []  # passages withheld from the latest prompt (they held instructions)

    # -------------------------------------------------------------- model
    @property
    def llm(self) -> Any:
        if self._llm is None:
            try:
                self._llm = self._llm_source()
            except LLMUnavailableError:
                raise
            except Exception as exc:
                raise LLMUnavailableError(self._describe(exc)) from None
        return self._llm

    def _endpoint(self) -> tuple[str, str]:
        llm = self._llm
        url = str(getattr(llm, "openai_api_base", None) or getattr(llm, "base_url", None) or self.label or "?")
        model = str(getattr(llm, "model_name", None) or getattr(llm, "model", None) or "")
        return url, model

    def _describe(self, exc: BaseException) -> str:
        from assistant.llm import describe_failure

        url, model = self._endpoint()
        return describe_failure(exc, url=url, model=model, timeout_s=self.timeout_s, secret=self._secret)

    # -------------------------------------------------------------- prompt
    def _abstain_phrase(self, plan: QueryPlan) -> str:
        phrases = self.prompt["abstain"]
        return phrases.get(plan.language, phrases["en"])

    def messages(self, plan: QueryPlan, evidence: Evidence, extra: list[ToolRun] | None = None) -> list[Any]:
        """System and user messages for this plan and evidence (`extra`: results of the model's tool calls)."""
        from langchain_core.messages import HumanMessage, SystemMessage

        p = self.prompt
        rules = p["language_rule"]
        system = p["system"].format(abstain=self._abstain_phrase(plan),
                                    language_rule=rules.get(plan.language, rules["en"]))
        parts = ""
        if len(plan.parts) > 1:
            parts = p["parts_header"] + "".join(
                p["part_line"].format(index=i + 1, text=part.text) for i, part in enumerate(plan.parts)) + "\n"
        # what the evidence stage found against the question's premise: the model must say so first
        for i, pe in enumerate(evidence.parts):
            for correction in pe.facts.get("corrections", []) if isinstance(pe.facts, dict) else []:
                if "sentence" in correction and "passage" in correction:
                    parts += p["correction_line"].format(premise=pe.part.premise or plan.parts[i].text,
                                                         sentence=correction["sentence"], n=correction["passage"])
        runs = [run for pe in evidence.parts for run in pe.tools] + list(extra or [])
        lines = []
        for run in runs:
            if run.summary:
                cite = "".join(f"[{n}]" for n in run.passages) or p["figure_no_passage"]
                lines.append(p["figure_line"].format(summary=run.summary.strip(), cite=cite))
            elif run.error:
                lines.append("- " + p["tool_error"].format(name=run.name, error=run.error) + "\n")
        figures = p["figures_header"] + "".join(lines) + "\n" if lines else ""
        # A passage that addresses the model is withheld (its number stays unused): it is data that tried to
        # act as an instruction, so none of its claims reach the prompt. `last_withheld` lists them.
        self.last_withheld = [p.number for p in evidence.passages if has_instructions(p.text)]
        shown = self.select_passages(evidence, runs)
        passages = "\n".join(self._passage(p) for p in evidence.passages
                              if p.number in shown and p.number not in self.last_withheld)
        # the plan's parts, not the raw turn: an instruction typed into the question ("reply only with …",
        # "just answer yes") is not part of what is asked
        question = " ".join(_as_question(part.text) for part in plan.parts) or plan.standalone or plan.question
        human = p["human"].format(parts=parts, figures=figures, passages=passages, question=question)
        return [SystemMessage(content=system), HumanMessage(content=human)]

    def select_passages(self, evidence: Evidence, runs: list[ToolRun]) -> set[int]:
        """At most `max_passages` passage numbers: those supporting a computed figure, then, part by part in
        turn, the passages of each part's best-ranked sentences (numbers keep their meaning: markers still
        point into evidence.passages). A short prompt is what makes a small local model fast."""
        numbers = [p.number for p in evidence.passages]
        if self.max_passages is None or len(numbers) <= self.max_passages:
            return set(numbers)
        order: list[int] = [n for run in runs for n in run.passages if n in numbers]
        queues = [[s.passage for s in pe.sentences] for pe in evidence.parts]
        while any(queues):
            for queue in queues:
                if queue:
                    order.append(queue.pop(0))
        order += numbers
        chosen: list[int] = []
        for n in order:
            if n not in chosen:
                chosen.append(n)
        return set(chosen[: self.max_passages])

    def _passage(self, passage: Passage) -> str:
        text = re.sub(r"</?\s*passages?\b[^>]*>", " ", passage.text)  # a passage cannot close its own wrapper
        title = passage.title.replace('"', "'")
        origin = self.prompt["uploaded"] if passage.collection == "user" else ""
        return self.prompt["passage"].format(number=passage.number, title=title, origin=origin, text=text.strip())

    def tools_to_bind(self, plan: QueryPlan, evidence: Evidence) -> list[Any]:
        """The tools to offer: with bind="auto", those of the plan's computations that have no result yet
        and need no input from the user (a model must not make up a missing count); "always": all."""
        if not self.tools or self.bind == "never":
            return []
        if self.bind == "always":
            return list(self.tools)
        wanted: list[str] = []
        for i, part in enumerate(plan.parts):
            runs = evidence.parts[i].tools if i < len(evidence.parts) else []
            if any(run.summary and not run.error for run in runs):
                continue
            for computation in part.computations:
                if not computation.missing:
                    wanted += TOOL_FAMILIES.get(computation.tool, [computation.tool])
        return [t for t in self.tools if t.name in wanted]

    # -------------------------------------------------------------- calls
    def _call(self, llm: Any, messages: list[Any], deadline: float, stream: bool,
              hold: bool) -> Generator[str, None, tuple[str, list[dict[str, Any]], str]]:
        """Stream one model call: yields text pieces (when `stream`) and returns (text, tool_calls,
        finish_reason), for `yield from`.
        With `hold`, text that may be a tool call is held back until it is clearly prose."""
        full: Any = None
        text = ""
        released = not hold
        finish = ""
        chunks = 0
        try:
            for chunk in llm.stream(messages):
                if time.monotonic() > deadline:
                    raise TimeoutError(f"no complete reply after {self.timeout_s:g} s")
                chunks += 1
                full = chunk if full is None else full + chunk
                meta = getattr(chunk, "response_metadata", {}) or {}
                finish = str(meta.get("finish_reason") or meta.get("done_reason") or finish or "")
                piece = chunk.content if isinstance(chunk.content, str) else _text_of(chunk.content)
                if not piece:
                    continue
                text += piece
                if len(text) > self.max_chars:
                    raise _TooLong(f"more than {self.max_chars} characters")
                if not stream:
                    continue
                if released:
                    yield piece
                elif getattr(full, "tool_call_chunks", None):
                    continue
                elif len(text.strip()) >= _HOLD_CHARS and not _looks_like_tool_start(text):
                    released = True
                    yield text
        except (LLMUnavailableError, _TooLong):
            raise
        except Exception as exc:
            raise LLMUnavailableError(self._describe(exc)) from None
        self.last_stats["chunks"] = self.last_stats.get("chunks", 0) + chunks
        calls = [dict(c) for c in (getattr(full, "tool_calls", None) or [])]
        for call in calls:  # llama.cpp repeats the name in every streamed chunk: "tpptpptpp" -> "tpp"
            call["name"] = _tool_name(str(call.get("name") or ""), {t.name for t in self.tools})
        if stream and not released and text and not calls \
                and not tool_calls_in_text(text, {t.name for t in self.tools}):
            yield text
        return text, calls, finish

    def stream(self, plan: QueryPlan, evidence: Evidence) -> Iterator[str | Draft]:
        started = time.monotonic()
        self.last_stats = {}
        llm = self.llm
        messages = self.messages(plan, evidence)
        bound = self.tools_to_bind(plan, evidence)
        use_tools = bool(bound)
        model = llm
        if use_tools:
            try:
                # one tool: force the call (llama.cpp's chatml-function-calling then returns proper tool_calls;
                # its "auto" mode answers with empty text); several: the model chooses
                choice = {"tool_choice": bound[0].name} if len(bound) == 1 else {}
                model = llm.bind_tools(bound, **choice)
            except Exception as exc:  # a model class without tool support still answers
                log.info("tools not bound: %s", exc)
                use_tools = False
        try:
            text, calls, finish = yield from self._call(model, messages, time.monotonic() + self.timeout_s, True,
                                                        hold=bool(self.tools))
        except LLMUnavailableError as exc:
            if not use_tools or "tool" not in str(exc).lower():
                raise
            use_tools = False  # "model does not support tools": ask again without them
            text, calls, finish = yield from self._call(llm, messages, time.monotonic() + self.timeout_s, True,
                                                        hold=False)
        except _TooLong as exc:
            raise LLMUnavailableError(self._too_long(str(exc))) from None

        names = {t.name for t in self.tools}
        if not calls and names and use_tools:
            calls = tool_calls_in_text(text, names)
        elif not calls and names and _looks_like_tool_start(text):
            calls = tool_calls_in_text(text, names)  # unbound but written anyway: honour it
        if calls:
            runs = self._run_tools(calls[:MAX_TOOL_CALLS], evidence)  # appended to evidence.parts[0].tools
            messages = self.messages(plan, evidence, extra=None if evidence.parts else runs)
            try:
                text, _, finish = yield from self._call(llm, messages, time.monotonic() + self.timeout_s, True,
                                                        hold=False)
            except _TooLong as exc:
                raise LLMUnavailableError(self._too_long(str(exc))) from None
            if tool_calls_in_text(text, names):
                raise LLMUnavailableError("the model answered with another tool call after its tool round; "
                                          "use a model that follows the answer format, or ASSISTANT_LLM_PROVIDER=none")
        if finish == "length":
            raise LLMUnavailableError(self._too_long(f"{self.max_tokens or '?'} tokens"))
        self.last_stats.update({"seconds": round(time.monotonic() - started, 3), "chars": len(text)})
        yield self.parse(text, plan, evidence)

    def write(self, plan: QueryPlan, evidence: Evidence) -> Draft:
        draft = None
        for item in self.stream(plan, evidence):
            if isinstance(item, Draft):
                draft = item
        assert draft is not None
        return draft

    def _too_long(self, what: str) -> str:
        return (f"the model's reply was cut off ({what}); raise ASSISTANT_LLM_MAX_TOKENS or use a model that "
                "answers briefly")

    def _run_tools(self, calls: list[dict[str, Any]], evidence: Evidence) -> list[ToolRun]:
        """Run the model's tool calls; each result becomes a ToolRun appended to the evidence
        (first part), so the check stage accepts the numbers it computed."""
        by_name = {t.name: t for t in self.tools}
        plan_text = " ".join([evidence.plan.question, evidence.plan.standalone,
                              *(p.text for p in evidence.passages)])
        runs: list[ToolRun] = []
        for call in calls:
            tool = by_name.get(call.get("name", ""))
            if tool is None:
                continue
            args = call.get("args") or {}
            invented = _ungrounded_numbers(args, plan_text)
            if invented:
                out = (f"the figures {', '.join(invented)} are in neither the question nor the passages; "
                       "a calculation only uses given figures")
            else:
                try:
                    out = tool.invoke(args)
                except Exception as exc:
                    out = str(exc)
            if isinstance(out, dict) and "formula" in out:
                sources = [str(s) for s in out.get("sources", [])]
                summary = self.prompt["tool_result"].format(name=tool.name, formula=out["formula"]).strip()
                run = ToolRun(name=tool.name, arguments=dict(args), result=out, summary=summary, sources=sources,
                              passages=[p.number for p in evidence.passages if p.doc_id in sources], asked=False)
            else:
                error = _one_line(str(out))
                run = ToolRun(name=tool.name, arguments=dict(args), result={}, summary="", sources=[], error=error,
                              asked=False)
            runs.append(run)
            if evidence.parts:
                evidence.parts[0].tools.append(run)
        return runs

    # -------------------------------------------------------------- reply -> Draft
    def parse(self, text: str, plan: QueryPlan, evidence: Evidence) -> Draft:
        """Sentences with their markers, part and kind; the abstention phrase gives abstained=True."""
        text = _THINK.sub("", text or "").strip()
        if not text:
            raise LLMUnavailableError("the model returned an empty reply; try another model (or check the server's "
                                      "chat format), or set ASSISTANT_LLM_PROVIDER=none")
        phrase = self._abstain_phrase(plan)
        phrases = {_normal(phrase), *(_normal(v) for v in self.prompt["abstain"].values())}
        sentences: list[DraftSentence] = []
        abstain_seen = False
        part_of_previous = 0
        for raw in split_reply(text):
            body = strip_markers(raw)
            if not re.search(r"\w", body):
                if sentences and parse_markers(raw):  # a lone marker: it belongs to the sentence before
                    sentences[-1].markers += [n for n in parse_markers(raw) if n not in sentences[-1].markers]
                continue
            if any(ph and ph in _normal(raw) for ph in phrases):
                abstain_seen = True
                continue
            markers = parse_markers(raw)
            part = self._part_of(body, markers, plan, evidence, part_of_previous)
            part_of_previous = part
            kind, tool, tool_passages = self._kind_of(body, evidence)
            if kind == "tool" and not markers:
                markers = tool_passages
            sentences.append(DraftSentence(text=body, markers=markers, part=part, kind=kind, tool=tool))
        if not sentences:
            if abstain_seen:
                return Draft(sentences=abstain_sentences(plan, evidence), abstained=True, writer=self.name)
            raise LLMUnavailableError("the model's reply had no sentence to check (malformed: "
                                      f"{_one_line(text, 60)!r}); use a model that follows the answer format")
        if abstain_seen:
            sentences.append(DraftSentence(text=phrase, markers=[], part=part_of_previous, kind="abstain"))
        return Draft(sentences=sentences, abstained=False, writer=self.name)

    @staticmethod
    def _part_of(text: str, markers: list[int], plan: QueryPlan, evidence: Evidence, previous: int) -> int:
        if len(plan.parts) <= 1:
            return 0
        words = set(keyword_tokens(text))
        best, best_score = previous, 0.0
        for i, part in enumerate(plan.parts):
            terms = set(keyword_tokens(" ".join([part.text, part.focus, *(e.text for e in part.entities)])))
            score = len(words & terms) / (len(terms) or 1)
            pe = evidence.parts[i] if i < len(evidence.parts) else None
            if pe is not None and markers and any(s.passage in markers for s in pe.sentences[:3]):
                score += 0.25
            if score > best_score:
                best, best_score = i, score
        return best

    @staticmethod
    def _kind_of(text: str, evidence: Evidence) -> tuple[str, str, list[int]]:
        numbers = _numbers(text)
        if not numbers:
            return "answer", "", []
        for pe in evidence.parts:
            for run in pe.tools:
                if run.summary and numbers & _numbers(run.summary):
                    return "tool", run.name, list(run.passages)
        return "answer", "", []


def _as_question(text: str) -> str:
    text = text.strip()
    return text if text.endswith(("?", ".", "!")) else text + "?"


def abstain_sentences(plan: QueryPlan, evidence: Evidence) -> list[DraftSentence]:
    """What the user sees when the model abstains: the same fixed messages as the extractive writer
    (what is missing per part, then the closest sources), so both writers abstain alike."""
    try:
        from assistant.writers.extractive import ExtractiveWriter

        writer = ExtractiveWriter()
        return list(writer.abstain(evidence, writer.messages(plan.language)))
    except Exception as exc:  # pragma: no cover - the extractive writer's helper changed
        log.warning("extractive abstention messages unavailable: %s", exc)
        return []


class _TooLong(Exception):
    pass


def _tool_name(name: str, names: set[str]) -> str:
    if name in names:
        return name
    for known in names:
        if known and len(name) % len(known) == 0 and name == known * (len(name) // len(known)):
            return known
    return name


def _ungrounded_numbers(args: dict[str, Any], text: str) -> list[str]:
    """Numeric tool arguments that appear nowhere in `text` (the question and the passages): made up."""
    known = {float(n) for n in _numbers(text) if n}
    for q in re.finditer(r"(\d+(?:\.\d+)?)\s*(k|thousand|million|m|billion|bn)\b", text.replace(",", ""), re.I):
        known.add(float(q.group(1)) * {"k": 1e3, "thousand": 1e3, "m": 1e6, "million": 1e6}.get(
            q.group(2).lower(), 1e9))
    out = []
    for key, value in args.items():
        if isinstance(value, bool) or not isinstance(value, (int, float)):
            continue
        if not any(abs(float(value) - k) <= 1e-9 * max(1.0, abs(k)) for k in known) and value not in (0, 1):
            out.append(f"{key}={value:g}")
    return out


def _text_of(content: Any) -> str:
    if isinstance(content, list):
        return "".join(c.get("text", "") if isinstance(c, dict) else str(c) for c in content)
    return str(content or "")


def _one_line(text: str, limit: int = 160) -> str:
    text = " ".join(str(text).split())
    return text if len(text) <= limit else text[: limit - 1] + "…"
