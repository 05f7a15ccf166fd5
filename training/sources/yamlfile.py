"""YAML that remembers where things were written.

Authors fix what `content check` reports by line number, so every mapping and list loaded here
knows the line of each of its keys and items. Duplicate keys, which plain YAML loaders silently
resolve to the last one, are reported instead.

Every sync, check and visit of the content page parses the whole curriculum again, and PyYAML's
parser is slow, so what parsed cleanly is remembered by the hash of its text; callers get a
deep copy, so what one does to its data cannot reach the next. libyaml's C parser would be
faster still, but it is not the same language: it accepts a tab after a value and a `?` inside
`[...]`, which PyYAML reports as syntax errors, so a file that `content check` refuses today
would load. Authors get PyYAML's verdict, and only PyYAML's.
"""

from __future__ import annotations

import copy
from datetime import date, datetime
from typing import Any

import yaml
from yaml.nodes import MappingNode, SequenceNode

from training.sources.cache import SizedCache, content_key


class LineDict(dict[str, Any]):
    line: int = 1
    key_lines: dict[str, int]

    def line_of(self, key: str) -> int:
        return self.key_lines.get(key, self.line)


class LineList(list[Any]):
    line: int = 1
    item_lines: list[int]

    def line_of(self, index: int) -> int:
        return self.item_lines[index] if index < len(self.item_lines) else self.line


class YamlError(ValueError):
    def __init__(self, line: int, message: str) -> None:
        super().__init__(message)
        self.line = line
        self.message = message


class _Loader(yaml.SafeLoader):
    pass


def _construct_mapping(loader: _Loader, node: MappingNode) -> LineDict:
    result = LineDict()
    result.line = node.start_mark.line + 1
    result.key_lines = {}
    for key_node, value_node in node.value:
        key = loader.construct_object(key_node, deep=True)
        key = str(key)
        if key in result:
            raise YamlError(key_node.start_mark.line + 1, f"duplicate key {key!r}")
        result[key] = loader.construct_object(value_node, deep=True)
        result.key_lines[key] = key_node.start_mark.line + 1
    return result


def _construct_sequence(loader: _Loader, node: SequenceNode) -> LineList:
    result = LineList(loader.construct_object(child, deep=True) for child in node.value)
    result.line = node.start_mark.line + 1
    result.item_lines = [child.start_mark.line + 1 for child in node.value]
    return result


_Loader.add_constructor(yaml.resolver.BaseResolver.DEFAULT_MAPPING_TAG, _construct_mapping)
_Loader.add_constructor(yaml.resolver.BaseResolver.DEFAULT_SEQUENCE_TAG, _construct_sequence)


# Parsed data by the hash of its first line and text. Failures are never kept: their report
# must come from a real parse. The shipped curriculum holds about 350,000 characters of YAML
# (quiz banks, course.yml, the lessons' front matter) that parse to about 2 MB: room for it ten
# times over, some 20 MB.
_parsed: SizedCache[Any] = SizedCache(max_size=4_000_000)


def load_yaml(text: str, *, first_line: int = 1) -> Any:
    """Parse `text`; line numbers are counted from `first_line` (front matter starts at 2)."""
    key = content_key(str(first_line), text)
    known = _parsed.get(key)
    if known is not None:
        return _copied(known)
    try:
        data = yaml.load(text, Loader=_Loader)  # noqa: S506 - a SafeLoader subclass
    except YamlError as err:
        raise YamlError(err.line + first_line - 1, err.message) from err
    except yaml.MarkedYAMLError as err:
        mark = err.problem_mark or err.context_mark
        line = (mark.line + 1 if mark else 1) + first_line - 1
        raise YamlError(line, f"YAML syntax: {err.problem or err.context}") from err
    _shift(data, first_line - 1)
    _parsed.put(key, _copied(data), len(text))
    return data


_SHARED = (str, int, float, bool, type(None), bytes, date, datetime)


def _copied(value: Any) -> Any:
    """A deep copy of what this loader makes: mappings and lists with their line numbers, and
    scalars, which need no copy. Four times faster than `copy.deepcopy` (4 ms against 17 ms for
    the shipped curriculum, copied on every read of it); anything else (a `!!set`, an `!!omap`)
    still goes to `copy.deepcopy`."""
    kind = type(value)
    if kind in _SHARED:
        return value
    if kind is LineDict:
        return _with_lines(LineDict((key, _copied(item)) for key, item in value.items()), value)
    if kind is LineList:
        return _with_lines(LineList(_copied(item) for item in value), value)
    return copy.deepcopy(value)


def _with_lines(made: Any, original: Any) -> Any:
    """`made` with its own copy of the original's line numbers."""
    made.__dict__.update({name: copy.copy(v) for name, v in original.__dict__.items()})
    return made


def _shift(data: Any, offset: int) -> None:
    if not offset:
        return
    if isinstance(data, LineDict):
        data.line += offset
        data.key_lines = {k: v + offset for k, v in data.key_lines.items()}
        for value in data.values():
            _shift(value, offset)
    elif isinstance(data, LineList):
        data.line += offset
        data.item_lines = [v + offset for v in data.item_lines]
        for value in data:
            _shift(value, offset)
