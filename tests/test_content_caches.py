"""The process caches that keep a re-sync from parsing and rendering again: they must answer
exactly as a fresh parse or render would, errors included, and never hand out shared data."""

from __future__ import annotations

import pytest

from training.courses import loading
from training.sources.cache import SizedCache
from training.sources.terms import load_terms, term_warnings
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


def test_nested_parsed_data_and_its_line_numbers_stay_private():
    text = "course:\n  lessons:\n    - key: a\n      title: Một\n"
    first = load_yaml(text)
    first["course"]["lessons"][0]["title"] = "Đổi"
    first["course"]["lessons"].item_lines.append(99)
    first["course"].key_lines["lessons"] = 42
    second = load_yaml(text)
    assert second["course"]["lessons"][0]["title"] == "Một"
    assert second["course"]["lessons"].item_lines == [3]
    assert second["course"].key_lines["lessons"] == 2


def test_an_edited_terms_file_is_obeyed_at_once(tmp_path):
    """Warnings are remembered against the terms they were found with; a changed file gives
    new terms, so nothing remembered from the old one answers for it."""
    path = tmp_path / "terms.yml"
    path.write_text(
        "terms:\n  - preferred: thư điện tử\n    lang: vi\n    variants: [email]\n",
        encoding="utf-8",
    )
    text = "Đừng mở email lạ.\nGỡ malware khỏi máy."
    terms, problems = load_terms(path)
    assert problems == []
    assert [offset for offset, _ in term_warnings(text, "vi", terms)] == [0]
    assert term_warnings(text, "vi", load_terms(path)[0]) == term_warnings(text, "vi", terms)
    path.write_text(
        "terms:\n  - preferred: thư điện tử\n    lang: vi\n    variants: [email]\n"
        "  - preferred: mã độc\n    lang: vi\n    variants: [malware]\n",
        encoding="utf-8",
    )
    changed, _ = load_terms(path)
    assert [offset for offset, _ in term_warnings(text, "vi", changed)] == [0, 1]
    path.write_text("terms: nothing\n", encoding="utf-8")
    assert load_terms(path)[0] == []
