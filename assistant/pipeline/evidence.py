"""The evidence stage: `EvidenceGatherer.gather(plan) -> Evidence`.

For every part of the plan: retrieval (the hybrid retriever, with the request's filters and owner
already bound), the sentences of the retrieved chunks ranked for that part, whether any of them
can answer it (`support.py`: answer type, focus, entities), the tool runs the plan asked for, and
the deterministic facts some answer types need — the order of two dated events, the items of a
list, a correction when the question's premise is contradicted.
"""

from __future__ import annotations

import logging
import re
import time
from collections.abc import Callable, Collection
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any


from assistant.pipeline import support
from assistant.prompts import load
from assistant.pipeline.intent import LOOKUP, IntentClassifier
from assistant.pipeline.parse import asks_difference, event_verb, interval_sides, item_kind, time_asked
from assistant.pipeline.plan import FRAME_IDF
from assistant.pipeline.types import Evidence, Part, PartEvidence, Passage, QueryPlan, RankedSentence, ToolRun
from assistant.retrieval import Hit, SearchResult, fuse
from assistant.tools.catalogue import Catalogue
from assistant.tools.formatting import fmt_num
from assistant.tools.mentions import find_chip_mentions
from assistant.tools.named import NamedDefaults
from assistant.tools.quantities import Quantity, parse_quantities
from assistant.tools.router import ToolOutcome, route
from index.text import keyword_tokens, split_sentences

log = logging.getLogger(__name__)

_NEGATION = re.compile(r"\b(?:not|never|no|neither|nor|none|without|only (?:from|after|in|since)|"
                       r"outside|rather than|instead of|did not|was not|were not|had not|"
                       r"could not)\b|n't\b", re.I)
_ORDER_CUES = (r"\b(?:before or after|after or before|earlier or later|preced\w*|come first|came first|"
               r"happened first)\b")
_ORDER_SPLIT = re.compile(_ORDER_CUES + r"|,?\s+\bor\b\s+", re.I)
# "A (owned 50% or more by …), or B": where a comma sets the options apart, only that "or" splits
_ORDER_SPLIT_COMMA = re.compile(_ORDER_CUES + r"|,\s+or\s+", re.I)


@dataclass(frozen=True)
class EvidenceSettings:
    """The knobs of this stage, taken from Settings in one place (core.Assistant)."""

    k: int = 6  # chunks per part
    rrf_k: int = 60
    threshold: float = 0.38  # minimum sentence score to answer a part
    list_items: int = 6
    list_per_doc: int = 2  # chunks per document retrieved for a list part
    correction_similarity: float = 0.55  # how close a negating sentence must be to the premise
    restatement: float = 0.6  # share of the premise's words a correcting sentence must use too
    unknown_answer: dict[str, str] = field(default_factory=dict)  # "an answer to this question", per language


def _overlap(terms: set[str], weights: dict[str, float]) -> float:
    total = sum(weights.values())
    return sum(w for t, w in weights.items() if t in terms) / total if total else 0.0


def containment(a: str, b: str) -> float:
    """Share of the shorter sentence's words found in the other: catches restatements."""
    ta, tb = set(keyword_tokens(a)), set(keyword_tokens(b))
    return len(ta & tb) / min(len(ta), len(tb)) if ta and tb else 0.0


class EvidenceGatherer:
    """Collects evidence for a plan. `search(text)` is the request's retriever; `similarities(kind,
    vector, chunk_ids)` the store's sentence similarities; `idf(token)` the keyword index's."""

    w_similarity = 0.55
    w_overlap = 0.35
    w_rank = 0.10

    def __init__(self, search: Callable[[str], SearchResult],
                 similarities: Callable[[str, list[float], list[str]], dict[tuple[str, int], float]],
                 embed: Callable[[str], list[float]], idf: Callable[[str], float],
                 catalogue: Catalogue | None, classifier: IntentClassifier, settings: EvidenceSettings,
                 english_terms: Callable[[str], str] = lambda text: "",
                 defaults: NamedDefaults | None = None, allowed_doc: Callable[[str], bool] = lambda d: True,
                 tool_passage: Callable[[list[float], str], Hit | None] | None = None,
                 defining: Callable[[str, list[float]], list[Hit]] = lambda term, vector: [],
                 replan: Callable[[str, str, str], Part] | None = None,
                 entry: Callable[[str], list[Hit]] = lambda doc_id: []) -> None:
        self.search = search
        self.similarities = similarities
        self.embed = embed
        self.idf = idf
        self.catalogue = catalogue
        self.classifier = classifier
        self.settings = settings
        self.english_terms = english_terms
        self.defaults = defaults if defaults is not None else NamedDefaults.load()
        self.allowed_doc = allowed_doc
        self.tool_passage = tool_passage
        self.defining = defining
        self.replan = replan  # (text, language, context) → Part: re-reads a multi-hop part once its slot is named
        self.entry = entry  # doc_id → every chunk of that (small) document: a chip's catalogue entry
        self.timings: dict[str, float] = {}

    # ------------------------------------------------------------------ bookkeeping
    def _time(self, stage: str, start: float) -> None:
        self.timings[stage] = self.timings.get(stage, 0.0) + (time.perf_counter() - start) * 1000

    def _passage(self, evidence: Evidence, hit: Hit) -> Passage:
        for p in evidence.passages:
            if p.chunk_id == hit.chunk_id:
                return p
        p = Passage(number=len(evidence.passages) + 1, doc_id=hit.doc_id, chunk_id=hit.chunk_id,
                    title=str(hit.metadata.get("title", "")), text=hit.text, metadata=dict(hit.metadata),
                    collection=hit.kind, score=round(hit.score, 5))
        evidence.passages.append(p)
        return p

    # ------------------------------------------------------------------ retrieval and ranking
    def _retrieve(self, text: str, plan: QueryPlan, k: int,
                  per_doc: int = 0) -> tuple[list[Hit], list[float] | None, str]:
        query = text
        if plan.language != "en":
            query = f"{text} {self.english_terms(text)}".strip()
        t = time.perf_counter()
        results = [self.search(f"{plan.context} {query}" if plan.context else query)]
        if plan.context and len(keyword_tokens(text)) >= 3:
            # a follow-up asks something new about the earlier subject: rank by the turn itself too
            results.append(self.search(query))
        self._time("retrieve", t)
        for r in results:
            for stage, ms in r.timings.items():
                self.timings[stage] = self.timings.get(stage, 0.0) + ms
        hits = fuse([r.hits for r in results], self.settings.rrf_k) if len(results) > 1 else results[0].hits
        vector = results[-1].query_vector
        if vector is None:  # keyword-only retrieval still ranks sentences by meaning
            vector = self.embed(query)
        if per_doc:
            hits = _diverse(hits, k, per_doc)
        return hits[:k], vector, query

    def rank(self, text: str, context: str, hits: list[Hit], vector: list[float]) -> list[tuple[RankedSentence, Hit]]:
        """Every sentence of the hits, scored by meaning (cosine to the query), by the question's
        rarer words (idf-weighted overlap) and by the rank of its chunk; best first."""
        t = time.perf_counter()
        sims: dict[tuple[str, int], float] = {}
        for kind in {h.kind for h in hits}:
            sims.update(self.similarities(kind, vector, [h.chunk_id for h in hits if h.kind == kind]))
        # words are matched by their Snowball stems ("operations" ~ "operational", "smuggled" ~
        # "smuggling"), each weighted by the keyword index's idf of the question's own form
        weights: dict[str, float] = {}
        for term in keyword_tokens(context):
            weights[support.stem(term)] = 0.5 * self.idf(term)
        for term in keyword_tokens(text):
            weights[support.stem(term)] = self.idf(term)
        scored: list[tuple[RankedSentence, Hit]] = []
        for rank, hit in enumerate(hits):
            heading = set(support.stems(f"{hit.metadata.get('title', '')} {hit.metadata.get('section', '')}"))
            for i, sentence in enumerate(split_sentences(hit.text)):
                terms = set(support.stems(sentence))
                sim = sims.get((hit.chunk_id, i), hit.dense or 0.0)
                lex = 0.8 * _overlap(terms, weights) + 0.2 * _overlap(terms | heading, weights)
                score = self.w_similarity * sim + self.w_overlap * lex + self.w_rank / (1 + rank)
                if len(sentence) < 25:
                    score -= 0.1
                scored.append((RankedSentence(sentence, 0, round(score, 4), round(sim, 4)), hit))
        scored.sort(key=lambda p: -p[0].score)
        self._time("rank", t)
        return scored

    # ------------------------------------------------------------------ the stage
    def gather(self, plan: QueryPlan) -> Evidence:
        self.timings = {}
        evidence = Evidence(plan=plan)
        rankings: list[list[Hit]] = []
        # the parts the user asked, not the ones a multi-hop question adds to name a described thing
        # (a "Which card …" part that a later "it" points at was asked)
        asked = [not any(p.depends_on == i and p.slot.lower() not in _PRONOUN_SLOTS for p in plan.parts)
                 for i in range(len(plan.parts))]
        for i, part in enumerate(plan.parts):
            if part.depends_on >= 0:
                part = plan.parts[i] = self._resolve(plan, part, evidence)
            position = sum(asked[:i]) if asked[i] else -1
            pe, hits = self._part(plan, part, evidence, position, sum(asked) or 1)
            evidence.parts.append(pe)
            rankings.append(hits)
        # the parts' rankings interleaved, for retrieval metrics
        seen: set[str] = set()
        for i in range(max((len(r) for r in rankings), default=0)):
            for ranking in rankings:
                if i < len(ranking) and ranking[i].chunk_id not in seen:
                    seen.add(ranking[i].chunk_id)
                    h = ranking[i]
                    evidence.retrieved.append({"doc_id": h.doc_id, "chunk_id": h.chunk_id, "score": round(h.score, 5),
                                               "dense": h.dense, "collection": h.kind})
        return evidence

    def _part(self, plan: QueryPlan, part: Part, evidence: Evidence, position: int = 0,
              asked_parts: int = 1) -> tuple[PartEvidence, list[Hit]]:
        """The evidence for one part; `position` is its place among the parts the user asked (-1 for a
        part added to name a described thing), `asked_parts` how many the user asked."""
        listing = part.answer_type == "list"
        # a list's items are spread over documents: take its chunks from as many documents as fit
        hits, vector, query = self._retrieve(part.text, plan, self.settings.k * (3 if listing else 1),
                                             per_doc=self.settings.list_per_doc if listing else 0)
        if part.answer_type == "definition" and vector is not None:
            # where a document spells the term out ("Total Processing Performance (TPP)") is where it is defined
            seen = {h.chunk_id for h in hits}
            for entity in part.entities:
                hits += [h for h in self.defining(entity.text, vector) if h.chunk_id not in seen]
        anchored: set[str] = set()  # chunks of the catalogue entries of the chips the part names
        if self.catalogue is not None and vector is not None and not listing and part.focus:
            # a chip the part names is described by its catalogue entry, whatever words the question uses
            # ("how many watts does an H20 pull"): that entry is always among its passages
            seen = {h.chunk_id for h in hits}
            for entity in (e for e in part.entities if e.kind == "chip"):
                chip = self.catalogue.find(entity.canonical)
                if chip is None or not self.allowed_doc(chip.citation_id):
                    continue
                for hit in self.entry(chip.citation_id):
                    anchored.add(hit.chunk_id)
                    if hit.chunk_id not in seen:
                        hits.append(hit)
                        seen.add(hit.chunk_id)
        pe = PartEvidence(part=part)
        ranked = self.rank(query, plan.context, hits, vector) if hits and vector is not None else []
        compatible: list[RankedSentence] = []
        for sentence, hit in ranked:
            passage = self._passage(evidence, hit)
            sentence.passage = passage.number
            pe.sentences.append(sentence)
            heading = f"{hit.metadata.get('title', '')} {hit.metadata.get('section', '')}"
            # an item of a list need not repeat what the list is of ("bodies", "cases"): its passage
            # must name the rest of the focus ("Chinese government", "chip smuggling")
            focus_text = f"{heading} {hit.text}" if listing else sentence.text
            focus = " ".join(part.focus.split()[:-1]) if listing and len(part.focus.split()) > 1 else part.focus
            focus = "" if listing and len(part.focus.split()) == 1 else focus
            # an entry sentence of the asked chip is about it by construction: the type and focus tests
            # decide, not how close its wording is to the question's
            if ((sentence.score >= self.settings.threshold or hit.chunk_id in anchored)
                    and support.has_type(sentence.text, part, heading)
                    and (support.part_unit(part) or support.has_focus(focus_text, focus,
                                                                      str(hit.metadata.get("section", "")),
                                                                      derived=part.predicate)
                         # "who wrote the report?" is answered by "a report by Grunewald and Fist"
                         or (part.predicate and part.answer_type == "person" and support.names_agent(sentence.text, part.text)))
                    and support.about(f"{heading} {hit.text}", part.entities, part.text)
                    # "A or B?" is answered only by a sentence that names one of the options
                    and (not part.alternatives or any(support.has_focus(sentence.text, a) for a in part.alternatives))
                    and (listing or not self._names_other_chip(sentence.text, part))
                    and self._names_asked_device(sentence.text, part)):
                compatible.append(sentence)
        pe.support = ranked[0][0].score if ranked else 0.0
        t = time.perf_counter()
        pe.tools = self._tools(part, plan, evidence, vector)
        self._time("tools", t)
        if part.answer_type == "order":
            self._order(plan, part, pe, evidence)
        sides = self._sides(part, plan)
        # a comparison is covered by a sentence that names every side with a figure ("… deceived Dell and
        # Supermicro" names both sides of a comparison of amounts and gives neither)
        covered = any(all(support.mentions(s.text, side) for side in sides)
                      and (part.answer_type != "comparison" or bool(support.numbers_in(s.text)))
                      for s in compatible[:3])
        if len(sides) >= 2 and not covered and part.answer_type in ("comparison", "list", "number", "other", "yes_no",
                                                                    "explanation"):
            # no sentence speaks of every side: find what the sources say of each
            self._per_side(plan, part, pe, evidence, sides)
        elif len(sides) >= 2 and covered and part.answer_type == "comparison" and not pe.tools:
            # one sentence gives both sides' figures ("SoftBank … US$18 billion, while Oracle … US$7
            # billion"): their ratio, each side's figure the one written nearest its name
            for both in (s for s in compatible[:3] if all(support.mentions(s.text, side) for side in sides)):
                run = _ratio(part, {"entity": sides[0].text, "sentence": both, "side": sides[0]},
                             {"entity": sides[1].text, "sentence": both, "side": sides[1]})
                if run is not None and run.result["larger_value"] != run.result["smaller_value"]:
                    run.passages = [both.passage]
                    pe.tools.append(run)
                    break
        if part.premise and (part.answer_type == "explanation" or part.premise_stated):
            self._premise(plan, part, pe, evidence, ranked, vector)
        if part.answer_type == "definition" and part.entities:
            # a sentence that spells the term out itself beats one whose heading does
            compatible.sort(key=lambda s: not any(support.defines(s.text, e.text) for e in part.entities))
        # the compatible sentences lead, best first; the others stay for the closest-sources list
        pe.sentences = compatible + [s for s in pe.sentences if s not in compatible]
        pe.answerable = bool(compatible) or bool(pe.facts.get("order")) or bool(pe.facts.get("sides")) or \
            any(t.summary and t.asked for t in pe.tools)
        pe.facts["compatible"] = len(compatible)
        # the best sentence says the asked fact is not known ("the investor was not named"): the part is
        # answered by that absence, cited, not by the sentences around it
        # (only when the part asks something in particular: "Tell me about Colossus" is no question of one fact)
        pe.facts["absence"] = bool(compatible) and part.answer_type not in ("yes_no", "comparison", "order") \
            and (bool(part.focus) or part.answer_type in ("person", "place", "date", "number", "list")) \
            and not pe.tools and support.documents_absence(compatible[0].text) \
            and not support.gives_value(compatible[0].text, part)
        if part.answer_type == "list":
            pe.facts["items"] = self._items(compatible, evidence, f"{plan.context} {part.text}",
                                            devices=part.asks in support.lexicon()["device_nouns"])
        if not pe.answerable or pe.facts["absence"]:
            # in a question of several parts, "an answer to this question" would say too much
            every = load("messages.yaml")
            msgs = every.get(plan.language, every["en"])
            fallback = self.settings.unknown_answer.get(plan.language) or msgs["unknown_answer"]
            if asked_parts > 1 and 0 <= position < len(msgs["ordinals"]):
                fallback = msgs["part_of_question"].format(ordinal=msgs["ordinals"][position])
            pe.missing = support.missing_phrase(part, fallback)
        return pe, hits

    # ------------------------------------------------------------------ multi-hop
    def _resolve(self, plan: QueryPlan, part: Part, evidence: Evidence) -> Part:
        """The part with its slot replaced by the name the part it depends on found ("the GPU model that
        DeepSeek trained V3 on" → "H800 SXM"), re-read as a question of its own; unchanged when that
        part found no name (it is then answered, or said to be missing, as asked)."""
        if part.depends_on >= len(evidence.parts) or self.replan is None:
            return part
        hop = evidence.parts[part.depends_on]
        name = self._named(hop)
        slot = re.compile(rf"(?<![\w-]){re.escape(part.slot)}(?![\w-])")
        if not name or not slot.search(part.text):
            return part
        # the hop's answer is the sentence that names what it found ("… H100 and RTX 4090 cards"), first
        chip = self.catalogue.find(name) if self.catalogue is not None else None
        names = [m for m in hop.sentences[: hop.facts.get("compatible", 0)]
                 if (chip is not None and any(c.chip.id == chip.id for c in find_chip_mentions(m.text, self.catalogue)))
                 or name.lower() in m.text.lower()]
        if names:
            hop.sentences = [names[0], *[m for m in hop.sentences if m is not names[0]]]
        # "… reported for it?" → "… for H800 SXM?"; "its memory" → "H800 SXM's memory"
        written = f"{name}'s" if part.slot.lower() in ("its", "their") else name
        resolved = self.replan(slot.sub(lambda m: written, part.text, count=1), plan.language, plan.context)
        resolved.depends_on, resolved.slot = part.depends_on, part.slot
        if not resolved.focus and part.predicate and resolved.answer_type == part.answer_type:
            # the name put in may hide from the parser the verb that said what is asked ("on what date
            # did it launch" → "… did GeForce RTX 4090D launch"): what the part asked still holds
            resolved.focus, resolved.predicate = part.focus, part.predicate
        return resolved

    def _named(self, pe: PartEvidence) -> str:
        """The thing an answered "which <class>" part names: a catalogue chip for a device (or a model
        of one), else the first name its best sentences give that the question does not."""
        compatible = pe.sentences[: pe.facts.get("compatible", 0)][:3]
        if not compatible:
            return ""
        asked = {e.canonical for e in pe.part.entities}
        words = {w.lower() for w in re.findall(r"[\w-]+", pe.part.text)}
        device = pe.part.asks in support.lexicon()["device_nouns"] or pe.part.asks.startswith("model")
        if device and self.catalogue is not None:
            # a figure the description states ("a reported TPP of 4,707") picks, of the chips a sentence
            # names, the one written nearest that figure ("… put the RTX 4090's TPP at 5,285, … the RTX
            # 4090D's TPP at 4,707"); without one, the first chip named
            figures = {n.replace(",", "") for n in _FIGURE.findall(pe.part.text)
                       if len(n) >= 3 and not support.YEAR.match(n)}  # a year dates, it describes nothing
            for sentence in compatible:
                chips = [m for m in find_chip_mentions(sentence.text, self.catalogue)
                         if m.chip.name not in asked and m.text.lower() not in words]
                at = [f.start() for f in _FIGURE.finditer(sentence.text)
                      if f.group(0).replace(",", "") in figures]
                if chips and at:
                    # characters between the chip's name and the figure, whichever comes first
                    return min(chips, key=lambda m: min(max(a - m.end, m.start - a, 0) for a in at)).chip.name
                if chips:
                    return chips[0].chip.name
        if pe.part.asks in support.lexicon()["device_nouns"]:
            return ""
        for sentence in (s for s in compatible if not support.negated(s.text)):  # "Bloomberg did not name …"
            for phrase in support.name_phrases(sentence.text):
                if not {w.lower() for w in phrase.split()} & words and not support.DATE.search(phrase) \
                        and phrase.split()[0] not in support.MONTH_NAMES:
                    return phrase
        return ""

    def _names_asked_device(self, text: str, part: Part) -> bool:
        """A part that asks which device ("Which chip was that?") is answered only by a sentence naming
        one that the question does not name; any sentence may answer a part that asks no device."""
        if part.asks not in support.lexicon()["device_nouns"] or self.catalogue is None:
            return True
        if part.answer_type == "list":
            # "Which Nvidia GPUs were inside those servers?": an item is a device the sentence names
            return bool(find_chip_mentions(text, self.catalogue)) or bool(support.MODEL_NUMBER.search(text))
        asked = part.text.lower()
        names = any(m.text.lower() not in asked for m in find_chip_mentions(text, self.catalogue)) or \
            any(m.group(0).lower() not in asked for m in support.MODEL_NUMBER.finditer(text))
        # the sentence that names it ties the name to the description: most of what the description
        # names, its dates included ("sold in China from November 2022"), are in that sentence itself
        described = [e for e in part.entities if e.topical]
        return names and sum(support.mentions(text, e) for e in described) * 2 >= len(described)

    def _names_other_chip(self, text: str, part: Part) -> bool:
        """The sentence names catalogue chips, none of them one the part asks about: it speaks of a
        sibling ("The Ascend 910B carries 64 GB" does not say what the Ascend 920 carries), whatever
        its passage says elsewhere. A sentence that names no chip ("It carries 64 GB") is not judged."""
        # a model number the catalogue lacks ("AMD's MI308") is a chip the part asks about too
        models = {e.text.upper() for e in part.entities if e.kind == "name" and support.MODEL_NUMBER.fullmatch(e.text)}
        asked = {e.canonical for e in part.entities if e.kind == "chip"} | models
        if not asked or self.catalogue is None:
            return False
        mentioned = find_chip_mentions(text, self.catalogue)
        named = {m.chip.name for m in mentioned} | {m.group(0).upper() for m in support.MODEL_NUMBER.finditer(text)}
        if models & named:
            return False
        return bool(named) and not named & asked and not {m.text.upper() for m in mentioned} & models

    # ------------------------------------------------------------------ tools
    def _run(self, text: str, family: str, evidence: Evidence, asked: bool,
             vector: list[float] | None = None) -> list[ToolRun]:
        """Run one tool family on `text`; each result cites up to two passages of its source
        documents, the closest to `vector` (the part's query; the text itself when none)."""
        if self.catalogue is None or family == LOOKUP:
            return []
        runs = []
        outcome: ToolOutcome
        for outcome in route(text, self.catalogue, {family}, defaults=self.defaults):
            # a run that computed nothing (empty result) has only its error to say, never a summary to state
            run = ToolRun(name=outcome.name, arguments=dict(outcome.arguments), result=dict(outcome.result),
                          summary=outcome.summary if outcome.result else "", sources=list(outcome.sources),
                          error=outcome.error, asked=asked)
            if run.summary and self.tool_passage is not None:
                vector = vector if vector is not None else self.embed(text)
                for doc_id in dict.fromkeys(outcome.sources):
                    if not self.allowed_doc(doc_id):
                        continue  # filters apply to tool citations too
                    hit = self.tool_passage(vector, doc_id)
                    if hit is not None:
                        run.passages.append(self._passage(evidence, hit).number)
                    if len(run.passages) >= 2:
                        break
            runs.append(run)
        return runs

    def _tools(self, part: Part, plan: QueryPlan, evidence: Evidence, vector: list[float] | None) -> list[ToolRun]:
        if part.intent == LOOKUP or not part.computations:
            return []
        text = f"{part.text} {plan.context}".strip() if plan.context and not part.entities else \
            " ".join(x for x in (part.scenario, part.frame if part.intent == "screen" else "", part.text) if x)
        if part.intent == "scenario" and part.tool_text:
            text = part.tool_text  # its figures and question in the order the plan read them
        if _difference_asked(part):
            text = f"{text}, by how much"  # the margin asked after the comparison, in the words a tool reads
        return self._run(text, part.intent, evidence, asked=True, vector=vector)

    # ------------------------------------------------------------------ order of two events
    def _order(self, plan: QueryPlan, part: Part, pe: PartEvidence, evidence: Evidence) -> None:
        """Find a dated sentence for each of the two events and compare the dates. A sentence dates an
        event when it names the event's verb (or a glossary form of it: "put out" ~ "released") and,
        when the question frames both events in a year ("Which came first in April 2025: …"), a date
        of that year; failing that, the best dated sentence about the event."""
        body = re.sub(r"^\s*(?:did|does|do|was|were|is|are|which came first|what came first|which happened first)"
                      r"[,:]?\s+", "", part.text, flags=re.I)
        frame = ""
        # "in April 2025: A, or B", "Which is older, A or B": the frame before the colon or comma
        # asks (and may date both events); the events follow it
        framed = re.match(r"^\s*((?:which|what)\b[^,:]*|[^:]*):\s*(.+)$|^\s*((?:which|what)\b[^,:]*),\s*(.+)$",
                          body, re.I | re.S)
        if framed:
            frame, body = (framed.group(1), framed.group(2)) if framed.group(2) else (framed.group(3), framed.group(4))
        # "how many days passed between A and B", "how long after A did B": the two events it names
        # (a "which came first, A or B?" names its own: "… from being smuggled to China" is no "from A to B")
        named = interval_sides(part.text) if part.interval and time_asked(part.text) else []
        if part.events:
            sides = list(part.events)  # named by the plan, outside the part ("Once A, how long before B?")
        elif named:
            sides = named
        else:
            split = _ORDER_SPLIT_COMMA if re.search(r",\s+or\s+", body) else _ORDER_SPLIT
            sides = [s.strip(" ,?") for s in split.split(body) if s and s.strip(" ,?")]
        sides = [re.sub(r"\s+(?:come|came|happen|happened|occur|occurred)$", "", s, flags=re.I) for s in sides]
        if len(sides) < 2 and plan.context:
            # "Microsoft unveiled Fairwater and Huawei laid out its roadmap in September 2025. Which came first?":
            # the two events are the clauses of the statement before the question
            # (one sentence of the statement, two clauses each with its own subject)
            for statement in split_sentences(plan.context):
                clauses = [c.strip(" ,.") for c in re.split(r",?\s+and\s+(?=[A-Z])", statement) if c.strip(" ,.")]
                if len(clauses) == 2 and all(support.is_clause(c) for c in clauses):
                    sides = clauses
                    break
        if len(sides) < 2:
            return
        if part.interval and all(support.DATE.fullmatch(side) for side in sides[:2]):
            # two dates the user states: only their distance is asked
            pe.tools.append(_interval_run(sides[0], sides[1], part.interval))
            return
        events = []
        for n, side in enumerate(sides[:2]):
            # "how long after BIS announced its rule did that rule take effect": an event that points back
            # ("that rule", "it") is found with the one it points to
            # (a possessive inside the event, "their China sales", points to its own names)
            back = n == 1 and bool(support.lexicon()["back_references"].match(side))
            hits, vector, query = self._retrieve(f"{sides[0]} {side}" if back else side, plan, self.settings.k)
            if not hits or vector is None:
                return
            event_part = Part(text=side, answer_type="date", entities=[e for e in part.entities
                                                                      if support.mentions(side, e)])
            # a year framing both events, in the part ("in April 2025: A or B") or stated before it
            # (a year an event aims at, "leading AI power by 2030", dates nothing; events the plan named
            # from a lead are that lead: it frames neither with its years)
            own = support.years_in(re.sub(r"\b(?:by|until|through)\s+(?:19|20)\d\d\b", "", side))
            years = own or (set() if part.events else support.years_in(f"{frame} {plan.context}"))
            verb = event_verb(side)
            dated: list[tuple[RankedSentence, Hit, bool]] = []
            for sentence, hit in self.rank(query, "", hits, vector):
                heading = f"{hit.metadata.get('title', '')} {hit.text}"
                named = not event_part.entities or any(support.mentions(heading, e) for e in event_part.entities)
                if not (support.has_type(sentence.text, event_part) and named):
                    continue
                in_frame = not years or bool(years & {m.group(0)[-4:] for m in support.DATE.finditer(sentence.text)})
                if in_frame:
                    dated.append((sentence, hit, not verb or support.names_event(sentence.text, verb)))
            if not dated:
                return
            naming = [d for d in dated if d[2]][:3] or dated[:1]
            if part.interval and not any(_has_day(m.group(0)) for m in _dates_in(naming[0][0].text, years)):
                # a time between two events is counted in days: of the best few sentences (those that name
                # the event by its verb, when any does), one that dates the event to the day is taken over one
                # that gives only its year or month
                pool = naming if any(d[2] for d in naming) else dated[:3]
                naming = [d for d in pool if any(_has_day(m.group(0)) for m in _dates_in(d[0].text, years))][:1] \
                    or naming
            other = sides[1 - n]
            events.append(self._dated_event(side, naming[0], years, other) | {"naming": naming, "years": years})
        if _month_tie(events):
            # the same month, one dated only to it: of the best few sentences that name that event, one that
            # dates it to the day decides ("announced on August 5, 2025" over "responded in August 2025")
            for i, e in enumerate(events):
                if not _has_day(e["date"]):
                    better = next((d for d in e["naming"] if any(_has_day(m.group(0)) for m in _dates_in(d[0].text,
                                                                                                      e["years"]))), None)
                    if better is not None:
                        events[i] = self._dated_event(e["event"], better, e["years"], sides[1 - i]) | \
                            {"naming": e["naming"], "years": e["years"]}
        for e in events:  # only the sentence finally chosen for each event becomes a passage
            sentence, hit, _ = e["chosen"]
            e["passage"] = sentence.passage = self._passage(evidence, hit).number
        a, b = ({k: v for k, v in e.items() if k not in ("naming", "years", "chosen")} for e in events)  # plain data
        if _month_tie([a, b]):
            relation = "at about the same time as"  # "August 2025" against "August 11, 2025": no order known
        elif a["key"] < b["key"]:
            relation = "before"
        elif a["key"] > b["key"]:
            relation = "after"
        else:
            both_days = all(_has_day(e["date"]) for e in events)
            relation = "on the same day as" if both_days else "at about the same time as"
        pe.facts["order"] = {"a": a, "b": b, "relation": relation}
        if part.interval:
            run = _interval_run(a["date"], b["date"], part.interval)
            run.passages, run.asked = [a["passage"], b["passage"]], False  # stated after the order, not before
            pe.tools.append(run)

    @staticmethod
    def _dated_event(side: str, candidate: tuple[RankedSentence, Hit, bool], years: set[str],
                     other: str) -> dict[str, Any]:
        """One event of an order question, dated by a sentence: its date within the framing years, the
        one written to the day where the sentence gives several; of several such, the one written
        nearest a word of this event that the `other` event does not use ("announced … October 17,
        2023, effective November 17, 2023": the rule took effect on November 17)."""
        sentence, hit, _ = candidate
        in_years = _dates_in(sentence.text, years)
        days = [m for m in in_years if _has_day(m.group(0))]
        match = days[0] if days else in_years[0]
        if len(days) > 1:
            own = set(support.stems(side)) - set(support.stems(other))
            inside = [(m.start(), m.end()) for m in days]
            at = [w.start() for w in re.finditer(r"[A-Za-z][\w-]*", sentence.text)
                  if support.stem(w.group(0).lower()) in own and not any(a <= w.start() < b for a, b in inside)]
            if at:
                match = min(days, key=lambda m: min(abs(m.start() - p) for p in at))
        return {"event": side, "sentence": sentence.text, "passage": -1, "date": match.group(0),
                "key": _date_key(match.group(0)), "clause": support.is_clause(side), "chosen": candidate}

    # ------------------------------------------------------------------ comparisons
    @staticmethod
    def _sides(part: Part, plan: QueryPlan) -> list[Any]:
        """The things a part compares: its named entities that are not possessors ("Meta's
        Prometheus" → Prometheus), when the question sets them side by side."""
        text = f"{plan.context} {part.text}"
        if part.answer_type != "comparison" and not re.search(r"\b(?:each|both|versus|vs\.?|compared?|while|whereas|"
                                                             r"unlike)\b|\band\b", text, re.I):
            return []
        sides = []
        for e in part.entities:
            if support.DATE.fullmatch(e.text.strip()) or support.DAY_OF_MONTH.fullmatch(e.text.strip()) or \
                    e.text.strip() in support.MONTH_NAMES:
                continue  # a date qualifies the things compared ("the January 2026 rule"); it is not one
            if not e.topical:
                continue  # a name that frames the corpus (Nvidia, US) is not one of the things compared
            if part.frame and support.mentions(part.frame, e):
                continue  # nor one the lead frames the question by ("Going by the FT's figures for Stargate")
            at = text.find(e.text)
            possessor = e.text.endswith(("'s", "’s")) or (at >= 0 and re.match(r"['’]s\b", text[at + len(e.text):]))
            owned = re.match(r"(?:['’]s)?\s+([A-Z])", text[at + len(e.text):]) if at >= 0 else None
            if possessor and e.kind != "chip" and owned:
                continue  # "Meta's Prometheus": the owner of a named thing is not compared; "the H100's TPP",
                # "SoftBank's stake": the owner of an attribute is
            sides.append(e)
        # "a GB200 or an H100 SXM": the coordinated options are the sides ("per GPU" only qualifies them)
        options = [e for e in sides if any(e.text.lower() in alt.lower() or alt.lower() in e.text.lower()
                                           for alt in part.alternatives)]
        if len(options) >= 2:
            return options
        # "SoftBank's stake in Stargate compared with Oracle's": a name after a preposition that hangs on
        # a noun qualifies what is compared; it is not a side
        qualifiers = support.noun_qualifiers(part.text)
        kept = [e for e in sides if e.text.split()[0] not in qualifiers]
        return kept[:3] if len(kept) >= 2 else sides[:3]

    def _per_side(self, plan: QueryPlan, part: Part, pe: PartEvidence, evidence: Evidence, sides: list[Any]) -> None:
        """The best sentence about each compared side, found with the part's question aimed at it. When
        a ratio is asked, the best-ranked pair of the sides' first sentences whose figures are of one kind
        ("US$510 million" against "US$390 million", not against "22 people")."""
        candidates: list[list[tuple[dict[str, Any], Hit]]] = []
        others = lambda e: [o for o in sides if o is not e]  # noqa: E731
        for side in sides:
            text = part.text
            for other in others(side):
                text = text.replace(other.text, " ")
            query = f"{side.text} {text}"
            hits, vector, q = self._retrieve(query, plan, self.settings.k)
            if not hits or vector is None:
                continue
            # a side of a comparison is given by a figure: a sentence without one cannot be set against another
            kind = part.answer_type if part.answer_type != "comparison" else "number"
            if kind == "list":
                # "through which countries …": each side's item is of the category the question names
                kind = (item_kind(part.text) if plan.language == "en" else "") or "other"
            side_part = Part(text=query, answer_type=kind, focus=part.focus, entities=[side])
            own: list[tuple[dict[str, Any], Hit]] = []
            for sentence, hit in self.rank(q, "", hits, vector):
                if sentence.score < self.settings.threshold or len(own) == _SIDE_CANDIDATES:
                    break
                if support.mentions(sentence.text, side) and support.has_type(sentence.text, side_part) and \
                        (support.part_unit(part) or support.has_focus(sentence.text, part.focus)) and \
                        not support.documents_absence(sentence.text):  # what is not known is no side's figure
                    own.append(({"entity": side.text, "sentence": sentence, "side": side}, hit))
            if own:
                candidates.append(own)
        if len(candidates) < 2:
            return
        chosen = [own[0] for own in candidates]
        # (a comparison a tool computed from the catalogue needs no ratio of quoted figures beside it)
        run, pair = None, (0, 1)
        if part.answer_type in ("comparison", "number") and not any(t.asked and t.summary for t in pe.tools):
            # any two sides ("the Atlas 960 SuperPoD … GPUs in one GB200 NVL72": the rack's count may be
            # found under either name); one side keeps its best sentence, two lesser ones are too likely
            # about something else
            tries = sorted(((i, j, a, b) for a in range(len(candidates)) for b in range(a + 1, len(candidates))
                            for i in range(len(candidates[a])) for j in range(len(candidates[b])) if not i or not j),
                           key=lambda t: (t[0] + t[1], t[2] + t[3], t))
            for i, j, a, b in tries:
                if candidates[a][i][0]["sentence"].text == candidates[b][j][0]["sentence"].text:
                    continue  # one sentence for both sides: its figures were weighed as such (see _part)
                # (only the first two sides' best sentences are read as before: any other pair is `strict`)
                run = _ratio(part, candidates[a][i][0], candidates[b][j][0], strict=(i, j, a, b) != (0, 0, 0, 1))
                if run is not None:
                    chosen[a], chosen[b], pair = candidates[a][i], candidates[b][j], (a, b)
                    break
        found = []
        for side, hit in chosen:
            side["sentence"].passage = self._passage(evidence, hit).number
            found.append(side)
        pe.facts["sides"] = found
        if run is not None:
            # (the passages are numbered only now: the larger side's first, as _ratio orders them)
            a, b = pair if run.result["larger"] == found[pair[0]]["entity"] else pair[::-1]
            run.passages = [found[a]["sentence"].passage, found[b]["sentence"].passage]
            pe.tools.append(run)

    # ------------------------------------------------------------------ lists
    def _items(self, compatible: list[RankedSentence], evidence: Evidence, question: str,
               devices: bool = False) -> list[RankedSentence]:
        """Sentences that each bring names no earlier item (nor the question) gave, best first, without
        restatements: one sentence listing several regions counts once; several cases each count. In a
        list of devices (`devices`: "which GPUs …") the items are the chips: a sentence that names a chip
        no earlier item named is a new item, whatever else it is about."""
        items: list[RankedSentence] = []
        seen = {n.lower() for n in support.names_in(question)}
        subjects: set[str] = set()
        asked = set(support.stems(question))
        # (the chips the question names are no new items: "which GPUs besides the H100 …")
        chips = {m.chip.id for m in find_chip_mentions(question, self.catalogue)} if devices and self.catalogue is not None else set()
        for sentence in compatible:
            if any(containment(sentence.text, kept.text) > 0.6 for kept in items):
                continue
            if devices and self.catalogue is not None:
                named = {m.chip.id for m in find_chip_mentions(sentence.text, self.catalogue)}
                if named - chips:
                    chips |= named
                    items.append(sentence)
                    if len(items) >= self.settings.list_items:
                        break
                continue
            new = {n.lower() for n in support.names_in(sentence.text)} - seen
            if not new:
                continue
            # a second sentence about the item an earlier one is about ("Operation Gatekeeper was
            # unsealed…" after "In Operation Gatekeeper, Hsu admitted…") is not a new item
            subject = self._subject_name(sentence.text, asked)
            if subject and subject in subjects:
                continue
            subjects.add(subject)
            seen |= new
            items.append(sentence)
            if len(items) >= self.settings.list_items:
                break
        return items

    def _subject_name(self, sentence: str, asked: set[str]) -> str:
        """The first proper-name phrase of a sentence that is neither a framing name (US, China, Nvidia:
        see plan.FRAME_IDF) nor what the question itself names (`asked`: its stems; the list's own
        subject), lower case: the item the sentence is about. "" when it names none."""
        for phrase in support.name_phrases(sentence):
            words = keyword_tokens(phrase)
            if any(self.idf(t) >= FRAME_IDF for t in words) and not set(support.stems(phrase)) <= asked:
                return phrase.lower()
        return ""

    # ------------------------------------------------------------------ premises
    def _premise(self, plan: QueryPlan, part: Part, pe: PartEvidence, evidence: Evidence,
                 ranked: list[tuple[RankedSentence, Hit]], query_vector: list[float] | None) -> None:
        """Look for what contradicts the premise, in order of strength: a chip that did not exist yet
        at the date the premise names, a tool verdict that denies it, a close sentence that negates it."""
        corrections: list[dict[str, Any]] = []
        anachronism = self._anachronism(part, evidence, query_vector)
        if anachronism:
            corrections.append(anachronism)
        if part.premise_intent:
            for run in self._run(part.premise, part.premise_intent, evidence, asked=False, vector=query_vector):
                if run.summary and _denies(run):
                    corrections.append({"tool": run.name})
                    pe.tools.append(run)
                    break
        if corrections:
            pe.facts["corrections"] = corrections
            return
        if not ranked:
            return
        valued = self._value_conflict(part, ranked)
        if valued is not None:
            pe.facts["corrections"] = [{"sentence": valued.text, "passage": valued.passage}]
            return
        vector = self.embed(part.premise)
        sims: dict[tuple[str, int], float] = {}
        for kind in {h.kind for _, h in ranked}:
            sims.update(self.similarities(kind, vector, list(dict.fromkeys(h.chunk_id for _, h in ranked if h.kind == kind))))
        close: list[tuple[float, RankedSentence]] = []
        for sentence, hit in ranked:
            index = next((i for i, s in enumerate(split_sentences(hit.text)) if s == sentence.text), -1)
            sim = sims.get((hit.chunk_id, index), 0.0)
            if sim >= self.settings.correction_similarity:
                close.append((sim, sentence))
        close.sort(key=lambda p: -p[0])
        conflict = self._conflict(part, close)
        if conflict is not None:
            pe.facts["corrections"] = [{"sentence": conflict.text, "passage": conflict.passage}]
            return
        # a close sentence of the opposite polarity ("X is outside the hubs" against "X is one of the
        # hubs"); a premise that is itself negative is contradicted by an affirmative sentence
        negative = support.negated(part.premise) if close else False
        # what the premise says of its names, not the names themselves, must be restated: "Nvidia has
        # published no H20 datasheet" shares the names of "Nvidia created the H20", not its claim
        names = {w for e in part.entities for w in support.stems(e.text)}
        for _, sentence in close:
            if bool(_NEGATION.search(sentence.text)) != negative and support.about(sentence.text, part.entities) \
                    and _restates(part.premise, sentence.text, ignore=names) >= self.settings.restatement:
                pe.facts["corrections"] = [{"sentence": sentence.text, "passage": sentence.passage}]
                return

    def _value_conflict(self, part: Part, ranked: list[tuple[RankedSentence, Hit]],
                        depth: int = 40) -> RankedSentence | None:
        """The premise names a value of a class whose members exclude each other (a foundry, a
        precision: value_classes.yaml), and the sources, speaking of the same thing, name another
        member and never the stated one ("SMIC made the 2019 Ascend 910" against "… made on TSMC's
        7 nm+ process"). The best such sentence is the correction."""
        # "in BF16 rather than FP8": only what comes before "rather than" is claimed
        claimed = re.split(r"\b(?:rather than|instead of)\b", part.premise, maxsplit=1)[0]
        for members in _value_classes():
            stated = {m for m in members if _member(m).search(claimed)}
            if not stated:
                continue
            # the stated value is what is in doubt: the rest of what the part names must be there
            subject = [e for e in part.entities if not any(_member(m).search(e.text) for m in members)]
            topical = [e for e in subject if e.topical] or subject
            about = [(s, h) for s, h in ranked[:depth]
                     if support.about(f"{h.metadata.get('title', '')} {h.text}", subject) and
                     any(support.mentions(s.text, e) for e in topical) and not self._names_other_chip(s.text, part)]
            if any(_member(m).search(s.text) for s, _ in about for m in stated):
                continue  # the sources say it too
            other = next((s for s, _ in about if any(_member(m).search(s.text) for m in members)), None)
            if other is not None:
                return other
        return None

    def _conflict(self, part: Part, close: list[tuple[float, RankedSentence]]) -> RankedSentence | None:
        """A value the premise states that every close sentence gives otherwise: a year ("launched in
        2023" where the sources all say 2024) or a chip ("trained on Ascend chips" where they say
        H800). The closest sentence giving another value of that kind is the correction."""
        if not close:
            return None
        slots: list[tuple[set[str], Callable[[str], set[str]]]] = []
        years = set(support.years_in(part.premise))
        if years:
            slots.append((years, support.years_in))
        if self.catalogue is not None:
            chips = {m.chip.id for m in find_chip_mentions(part.premise, self.catalogue)}
            if chips:
                slots.append((chips, lambda text: {m.chip.id for m in find_chip_mentions(text, self.catalogue)}))
        for stated, values_of in slots:
            if any(stated & values_of(s.text) for _, s in close):
                continue  # the sources say it too: no conflict on this value
            for _, sentence in close:
                if values_of(sentence.text) and support.about(sentence.text, part.entities) and \
                        _restates(part.premise, sentence.text, ignore=stated) >= self.settings.restatement:
                    return sentence
        return None

    def _anachronism(self, part: Part, evidence: Evidence, vector: list[float] | None) -> dict[str, Any] | None:
        """The premise dates an event ("the October 2022 rule") and names a chip whose catalogue
        launch is later: the chip cannot have been its subject."""
        dated = support.DATE.search(part.premise)
        if self.catalogue is None or dated is None or self.tool_passage is None:
            return None
        when = _date_key(dated.group(0))
        for entity in part.entities:
            if entity.kind != "chip":
                continue
            chip = self.catalogue.get(entity.canonical)
            dates = [_date_key(m.group(0)) for m in support.DATE.finditer(chip.launch or "")]
            if not dates or min(dates) <= when:
                continue
            # the catalogue row is indexed as the document chip-<id> (index/catalogue.py)
            hit = self.tool_passage(self.embed(f"The {chip.name} is an accelerator, launched {chip.launch}."),
                                    f"chip-{chip.id}")
            if hit is None or not self.allowed_doc(hit.doc_id):
                continue
            sentence = next((s for s in split_sentences(hit.text) if "launched" in s), "")
            if not sentence:
                continue
            return {"sentence": sentence, "passage": self._passage(evidence, hit).number,
                    "then": {"a": chip.name, "relation": "after", "b": dated.group(0)}}
        return None


# the quantity kinds (tools.quantities) a unit dimension of the question (answer_types.yaml) asks for
_DIMENSION_KINDS = {"power": "power", "energy": "energy", "money": "usd", "compute": "flops_rate"}


_PRONOUN_SLOTS = {"it", "its", "they", "them", "their", "this", "that"}  # a slot the user's own part filled


def _difference_asked(part: Part) -> bool:
    """A piece after the comparison asked how large its difference is ("By how much?", "By how many
    GB?"; see plan._with_margins); "By what factor?" asks the ratio, which every comparison states."""
    return part.margin not in ("", "factor")


@lru_cache(maxsize=1)
def _value_classes() -> tuple[tuple[str, ...], ...]:
    """Classes of mutually exclusive values (value_classes.yaml): foundries, precisions, memory types."""
    return tuple(tuple(members) for members in load("value_classes.yaml")["classes"].values())


class _Member:
    """One value of a class, found as a whole word or, for a word with inflections, by its stems."""

    def __init__(self, value: str) -> None:
        self.value = value
        self.pattern = re.compile(rf"(?<![\w-]){re.escape(value)}(?![\w-])", re.I)
        self.stemmed = " ".join(support.stems(value)) if value.islower() else ""

    def search(self, text: str) -> bool:
        """The value is written in `text` (by its stems when it is a lower-case word)."""
        if self.stemmed:
            return f" {self.stemmed} " in f" {' '.join(support.stems(text))} "
        return bool(self.pattern.search(text))


@lru_cache(maxsize=256)
def _member(value: str) -> _Member:
    """One class member, compiled once."""
    return _Member(value)


def _ratio(part: Part, a: dict[str, Any], b: dict[str, Any], strict: bool = False) -> ToolRun | None:
    """The ratio of the two sides' figures, when each side's sentence gives one of the same kind (the
    dimension the question asks for when it names one, else the first measured kind both share):
    a deterministic calculation (a ÷ b, values in SI units as tools.quantities reads them), stated
    with both figures as the sentences write them and cited to both. None when no such pair exists."""
    def values(sentence: str) -> list[Quantity]:
        dates = [m.span() for m in support.DATE.finditer(sentence)]
        dates += [m.span() for m in support.DAY_OF_MONTH.finditer(sentence)]
        return [q for q in parse_quantities(sentence)
                if q.value > 0 and not any(s <= q.start < e for s, e in dates)  # "July 24": a day, not a figure
                and not (q.kind == "number" and (1900 <= q.value <= 2100 or q.value < 2))
                # "about 40 times as many": a multiple is a ratio already, not a figure of either side
                and not (q.kind == "number" and re.match(r"\s*(?:times\b|[x×]\b)", sentence[q.end:]))
                # "Ascend 910", "Ascend 910B": a bare number right after a name is its model number
                # (not "The 200,000 GPUs": a function word, and a count written with a separator)
                and not (q.kind == "number" and "," not in q.text and
                         (m := re.search(r"\b([A-Z][\w-]*)\s$", sentence[:q.start])) is not None
                         and m.group(1) not in support.FUNCTION_CAPITALS)]

    def nearest_first(side: dict[str, Any]) -> list[Quantity]:
        # a sentence may give several figures ("176 MW … 15% of Abilene's planned 1.2 GW"): the side's
        # own is the one written nearest its name
        text = side["sentence"].text
        entity = side.get("side")
        names = [n for n in ({entity.text, entity.canonical} if entity is not None else {side["entity"]}) if n]
        found = [m for n in names for m in [re.search(re.escape(n.removesuffix("'s").removesuffix("’s")), text, re.I)]
                 if m]
        if not found:
            return values(text)
        name = min(found, key=lambda m: m.start())  # where the sentence first names the side

        def gap(q: Quantity) -> int:  # characters between the name and the figure, either side
            return q.start - name.end() if q.start >= name.end() else name.start() - q.end

        def owned(q: Quantity) -> bool:  # no other name stands between the side's name and its figure
            between = text[name.end(): q.start] if q.start >= name.end() else text[q.end: name.start()]
            own = {w.lower() for n in names for w in re.findall(r"\w+", n)}
            return not any(w.lower() not in own and w not in support.FUNCTION_CAPITALS and w not in support.MONTH_NAMES
                           and not support.UNIT_SYMBOL.fullmatch(w) for w in re.findall(r"\b[A-Z][\w-]*", between))
        # (`strict`: a lesser sentence of a side gives its figure only where nothing else is named between)
        return sorted((q for q in values(text) if not strict or owned(q)), key=gap)

    def shown(q: Quantity, sentence: str) -> str:
        # a count the quantity reader keeps unitless is shown with the unit written after it ("128 GB")
        unit = re.match(r"\s*(?:[KMGT]B(?:/s)?|mm²|mm2|nm)\b", sentence[q.end:]) if q.kind == "number" else None
        return q.text.strip() + (unit.group(0) if unit else "")

    qa, qb = nearest_first(a), nearest_first(b)
    asked_unit = re.search(r"\bhow (?:many|much)\s+([A-Za-z][A-Za-z/²]*)\b", part.text)
    unit = asked_unit.group(1) if asked_unit else part.margin  # ("By how many GB?" asked after the comparison)
    if unit and support.UNIT_SYMBOL.match(unit):
        # "by how many GB": only figures written in that unit are compared
        unit = unit.lower()
        qa = [q for q in qa if shown(q, a["sentence"].text).lower().endswith(unit)] or qa
        qb = [q for q in qb if shown(q, b["sentence"].text).lower().endswith(unit)] or qb
    wanted = _DIMENSION_KINDS.get(support.part_unit(part), "")
    kinds = [wanted] if wanted else [q.kind for q in qa if q.kind != "number"] + ["number"]
    def counted(q: Quantity, sentence: str) -> str:
        # what a bare count counts: the word after it ("200,000 GPUs", "875 acres"), stemmed
        words = re.findall(r"[A-Za-z][\w/²-]*", sentence[q.end: q.end + 40])[:2]
        if len(words) == 2 and words[0][:1].isupper() and not support.UNIT_SYMBOL.match(words[0]):
            words = words[1:]  # "200,000 Nvidia GPUs": a name before what is counted
        return support.stem(words[0].lower()) if words else ""

    for kind in kinds:
        va = next((q for q in qa if q.kind == kind), None)
        vb = next((q for q in qb if q.kind == kind), None)
        if va is None or vb is None:
            continue
        what = counted(va, a["sentence"].text) if kind == "number" else ""
        if kind == "number" and not _same_thing(what, counted(vb, b["sentence"].text)):
            continue  # 200,000 GPUs and 875 acres are no two figures of one thing
        if kind == "number" and strict and not support.stems(what):
            continue  # (nor, from a lesser sentence, two counts that do not say what they count)
        high, low = (a, va), (b, vb)
        if vb.value > va.value:
            high, low = low, high
        ratio = high[1].value / low[1].value

        def owner(side: dict[str, Any]) -> str:  # "BR100's", never "BR100's's"
            return side["entity"].removesuffix("'s").removesuffix("’s") + "'s"

        high_text, low_text = shown(high[1], high[0]["sentence"].text), shown(low[1], low[0]["sentence"].text)
        summary = (f"By our calculation, {owner(high[0])} {high_text} is {fmt_num(ratio, 2)} times "
                   f"{owner(low[0])} {low_text}, taking each figure as its source states it.") \
            if ratio >= 1.005 else \
            f"By our calculation, {a['entity']} and {b['entity']} are level at {shown(va, a['sentence'].text)}."
        if ratio >= 1.005 and (asks_difference(part.text) or _difference_asked(part)):
            # "by how many GB does X exceed Y": the difference is asked, the ratio shown beside it
            # the difference written as the larger figure is ("4.8 TB/s" − "3.35 TB/s" → "1.45 TB/s")
            written = re.match(r"[^\d]*([\d][\d,]*(?:\.\d+)?)", high_text)
            number = float(written.group(1).replace(",", "")) if written else 0.0
            scale = high[1].value / number if number else 1.0
            gap = f"{high_text[:written.start(1)]}{fmt_num((high[1].value - low[1].value) / scale, 3)}" \
                  f"{high_text[written.end(1):]}" if written else fmt_num(high[1].value - low[1].value)
            summary = (f"By our calculation, {owner(high[0])} {high_text} is {gap} more than {owner(low[0])} "
                       f"{low_text} ({fmt_num(ratio, 2)} times), taking each figure as its source states it.")
        return ToolRun(name="ratio", arguments={"a": a["entity"], "b": b["entity"], "kind": kind},
                       result={"larger": high[0]["entity"], "larger_value": high[1].value,
                               "smaller": low[0]["entity"], "smaller_value": low[1].value, "ratio": ratio},
                       summary=summary, sources=[], passages=[high[0]["sentence"].passage, low[0]["sentence"].passage],
                       asked=False)
    return None


_SIDE_CANDIDATES = 3  # sentences tried per side for a pair of figures of one kind


def _same_thing(a: str, b: str) -> bool:
    """Two counted nouns (stems) count the same thing: the same word, or words of one glossary group
    ("chips" and "GPUs", "accelerators")."""
    if a == b:
        return True
    a, b = " ".join(support.stems(a)), " ".join(support.stems(b))  # (function words stem to nothing)
    return bool(a and b) and (a == b or any(a in group and b in group for group in support.synonym_groups()))


def _diverse(hits: list[Hit], k: int, per_doc: int) -> list[Hit]:
    """The best `k` hits taking at most `per_doc` chunks from any one document, in rank order; the
    rest follow, so nothing is lost when fewer documents are found."""
    taken: list[Hit] = []
    count: dict[str, int] = {}
    for h in hits:
        if count.get(h.doc_id, 0) < per_doc:
            taken.append(h)
            count[h.doc_id] = count.get(h.doc_id, 0) + 1
        if len(taken) >= k:
            break
    return taken + [h for h in hits if h not in taken]


def _restates(premise: str, sentence: str, ignore: Collection[str] = ()) -> float:
    """Share of the premise's content words (stemmed; the contested values left out) that the sentence
    also uses: a sentence that corrects a premise speaks of the same thing in mostly the same words."""
    left_out = {v.lower() for v in ignore}
    words = {w for w in support.stems(premise) if w not in left_out}
    if not words:
        return 0.0
    return len(words & set(support.stems(sentence))) / len(words)


def _denies(run: ToolRun) -> bool:
    """A classification that finds the chip not controlled under the rule the premise names."""
    result = run.result.get("result", {})
    verdict = result.get(result.get("rule_focus", ""), {})
    return isinstance(verdict, dict) and verdict.get("controlled") is False


_MONTH_INDEX = {m: i for i, m in enumerate(["jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct",
                                            "nov", "dec"], start=1)}


def _interval_run(date_a: str, date_b: str, unit: str) -> ToolRun:
    """The time between two dates, in the unit asked ("days": calendar days; weeks, months and years
    from the days, months as 30.44 days). A date without a day (or month) is taken at its middle,
    and the answer says it is approximate."""
    import datetime as dt

    (ya, ma, da), (yb, mb, db) = _date_key(date_a), _date_key(date_b)
    try:
        days = abs((dt.date(yb, mb, db) - dt.date(ya, ma, da)).days)
    except ValueError:  # a day its month lacks ("February 30"): the nearest day it has
        days = abs((dt.date(yb, mb, min(db, 28)) - dt.date(ya, ma, min(da, 28))).days)
    if unit.lower() == "any":
        # "how long": days up to about three months, months up to about three years, then years
        unit = "days" if days < 90 else "months" if days < 3 * 365 else "years"
    per = {"days": 1.0, "weeks": 7.0, "months": 30.4375, "years": 365.25}[unit.lower()]
    exact = _has_day(date_a) and _has_day(date_b)
    amount = days / per
    shown = fmt_num(amount, 0 if unit.lower() == "days" else 1)
    text = f"{'' if exact else 'about '}{shown} {unit.lower() if shown != '1' else unit.lower().rstrip('s')}"
    return ToolRun(name="interval", arguments={"from": date_a, "to": date_b, "unit": unit.lower()},
                   result={"days": days, "amount": amount, "unit": unit.lower(), "exact": exact, "shown": text},
                   summary=f"From {date_a} to {date_b} is {text}, by our calculation.", sources=[], asked=True)


_FIGURE = re.compile(r"\d[\d,]*(?:\.\d+)?")  # a figure as written ("4,707", "1.6")


def _month_tie(events: list[dict[str, Any]]) -> bool:
    """Two dated events in the same month, one of them dated only to the month: no order is known."""
    a, b = events
    return a["key"][:2] == b["key"][:2] and not all(_has_day(e["date"]) for e in events)


def _dates_in(text: str, years: set[str]) -> list[re.Match[str]]:
    """The dates a text writes, within `years` when any are given."""
    return [m for m in support.DATE.finditer(text) if not years or m.group(0)[-4:] in years]


def _has_day(date: str) -> bool:
    """The date names its day ("January 20, 2025", "2025-01-20"), not only a month or a year."""
    return bool(_ISO_DAY.search(date) or re.search(r"\b\d{1,2}\b", re.sub(r"(?:19|20)\d\d", "", date)))


_ISO_DAY = re.compile(r"\b((?:19|20)\d\d)-(\d\d)-(\d\d)\b")


def _date_key(text: str) -> tuple[int, int, int]:
    """(year, month, day) of a date mention; a missing month or day counts as the middle."""
    iso = _ISO_DAY.search(text)
    if iso:
        return int(iso.group(1)), int(iso.group(2)), int(iso.group(3))
    lower = text.lower()
    year = int(re.search(r"(?:19|20)\d\d", lower).group(0))  # type: ignore[union-attr]
    month = next((i for m, i in _MONTH_INDEX.items() if re.search(rf"\b{m}", lower)), 0)
    if not month:
        month = {"early": 2, "mid": 6, "late": 11, "end": 12}.get(lower.split("-")[0].split()[0], 6)
        iso = re.search(r"(?:19|20)\d\d-(\d\d)", lower)
        month = int(iso.group(1)) if iso else month
    day_match = re.search(r"\b(\d{1,2})\b(?!\d)", re.sub(r"(?:19|20)\d\d", "", lower))
    day = int(day_match.group(1)) if day_match else 15
    return year, month, day
