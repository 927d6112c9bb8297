"""The answer step's interface: the extractive default and a chat model fill it alike."""

from langchain_core.language_models.fake_chat_models import FakeListChatModel

from assistant.answering import ChatModelGenerator, ExtractiveGenerator, GenerationRequest
from assistant.retrieval import Hit

HITS = [Hit("c1", "Big Fund III was set up on May 24, 2024. Its capital is 344 billion yuan.",
            {"doc_id": "big-fund-iii", "title": "Big Fund III"}, "corpus", score=0.03, dense=0.6),
        Hit("c2", "The weather was pleasant.", {"doc_id": "other", "title": "Other"}, "corpus", score=0.01, dense=0.1)]


def request(question: str, **kw) -> GenerationRequest:
    sims = {("c1", 0): 0.7, ("c1", 1): 0.5, ("c2", 0): 0.05}
    return GenerationRequest(question=question, context=question, hits=HITS, sentence_similarity=sims,
                             idf=lambda t: 1.0, max_sentences=kw.get("max_sentences", 3), threshold=kw.get("threshold", 0.2))


def test_extractive_leads_with_the_most_direct_sentence():
    draft = ExtractiveGenerator().generate(request("When was Big Fund III set up?"))
    assert draft.sentences[0].text == "Big Fund III was set up on May 24, 2024."
    assert all(s.hit.doc_id == "big-fund-iii" for s in draft.sentences)


def test_extractive_abstains_below_threshold():
    assert ExtractiveGenerator().generate(request("When was Big Fund III set up?", threshold=0.99)).abstained


def test_chat_model_sentences_keep_only_valid_citations():
    llm = FakeListChatModel(responses=["Big Fund III was set up in May 2024 [1]. Unsupported claim [7]."])
    draft = ChatModelGenerator(llm).generate(request("When?"))
    assert [s.text for s in draft.sentences] == ["Big Fund III was set up in May 2024"]
    assert draft.sentences[0].hit.doc_id == "big-fund-iii"


def test_chat_model_can_decline():
    draft = ChatModelGenerator(FakeListChatModel(responses=["INSUFFICIENT"])).generate(request("Q?"))
    assert draft.abstained
