"""The process caches that keep a re-sync from parsing and rendering again: they must answer
exactly as a fresh parse or render would, errors included, and never hand out shared data."""

from __future__ import annotations

import pytest

from training.courses import loading
from training.sources.cache import SizedCache
from training.sources.yamlfile import YamlError, load_yaml


def test_a_cached_parse_is_a_private_copy_with_the_same_lines():
    text = "title: Khoá học\nitems:\n  - một\n  - hai\n"
    first = load_yaml(text)
    first["items"].append("ba")
    second = load_yaml(text)
    assert second["items"] == ["một", "hai"]
    shifted = load_yaml(text, first_line=2)
    assert shifted.key_lines["items"] == second.key_lines["items"] + 1


def test_a_broken_file_fails_every_time_with_its_line():
    text = "title: a\n  bad: [\n"
    for _ in range(2):
        with pytest.raises(YamlError) as raised:
            load_yaml(text)
        assert raised.value.line == 2


def test_the_cache_keeps_nothing_empty_and_drops_the_oldest():
    cache: SizedCache[str] = SizedCache(max_size=10)
    cache.put("empty", "", 0)
    assert cache.get("empty") is None
    cache.put("a", "aaaa", 4)
    cache.put("b", "bbbb", 4)
    assert cache.get("a") == "aaaa"  # now the most recent
    cache.put("c", "cccc", 4)
    assert cache.get("b") is None
    assert cache.get("a") == "aaaa"
    cache.put("huge", "x" * 11, 11)
    assert cache.get("huge") is None


def test_a_lesson_body_renders_once_and_the_same(monkeypatch):
    body = "# Tiêu đề\n\nMột đoạn *nhấn mạnh* với [liên kết](other).\n"
    calls = []
    real = loading.render_markdown

    def counting(text: str, *args: object, **kwargs: object) -> object:
        calls.append(text)
        return real(text, *args, **kwargs)

    monkeypatch.setattr(loading, "render_markdown", counting)
    first = loading.render_lesson(body + "<!-- unique to this test -->")
    second = loading.render_lesson(body + "<!-- unique to this test -->")
    assert first == second
    assert "<em>nhấn mạnh</em>" in first
    assert len(calls) == 1
