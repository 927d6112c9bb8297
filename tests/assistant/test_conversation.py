"""Follow-ups are read with the earlier turn; self-contained questions start afresh."""

from assistant.conversation import is_follow_up, resolve

HISTORY = [{"role": "user", "content": "How many data-center projects were approved in Xinjiang?"},
           {"role": "assistant", "content": "39 projects were approved [1]."}]


def test_elliptic_follow_up_is_joined_to_the_previous_question():
    assert resolve("and in Qinghai?", HISTORY) == "How many data-center projects were approved in Xinjiang? and in Qinghai?"


def test_pronoun_follow_up_is_joined():
    assert "Xinjiang" in resolve("Which company runs the largest one?", HISTORY)


def test_standalone_question_is_left_alone():
    q = "What was the registered capital of China's Big Fund III in 2024?"
    assert resolve(q, HISTORY) == q and not is_follow_up(q)


def test_no_history_means_no_change():
    assert resolve("and in Qinghai?", None) == "and in Qinghai?"


def test_chains_of_follow_ups_keep_the_thread():
    history = HISTORY + [{"role": "user", "content": "and in Qinghai?"}, {"role": "assistant", "content": "..."}]
    resolved = resolve("what about the chips?", history)
    assert "Xinjiang" in resolved and "Qinghai" in resolved


def test_gradio_style_content_parts_are_read():
    history = [{"role": "user", "content": [{"type": "text", "text": "Who owns the Nyocor project?"}]}]
    assert "Nyocor" in resolve("and when?", history)
