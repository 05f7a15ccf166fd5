"""The content caches keep what was found and ask again after an empty answer."""

from __future__ import annotations

from training.memo import cache_found


def test_an_empty_answer_is_asked_again_and_a_found_one_is_kept():
    answers = {"h1": [(), (), ("a",), ("b",)]}
    calls: list[str] = []

    @cache_found(maxsize=4)
    def load(key: str) -> tuple[str, ...]:
        """The loader's own docstring."""
        calls.append(key)
        return answers[key].pop(0)

    assert load("h1") == ()
    assert load("h1") == ()
    assert load("h1") == ("a",)
    assert load("h1") == ("a",)  # kept: the loader is not asked again
    assert calls == ["h1", "h1", "h1"]
    assert load.cache_info().currsize == 1
    assert load.__doc__ == "The loader's own docstring."
    load.cache_clear()
    assert load("h1") == ("b",)


def test_an_empty_string_is_not_kept_either():
    answers = ["", "<p>x</p>"]

    @cache_found(maxsize=4)
    def html(key: str) -> str:
        return answers.pop(0)

    assert html("s") == ""
    assert html("s") == "<p>x</p>"
    assert html("s") == "<p>x</p>"
