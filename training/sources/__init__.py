"""The toolkit for reading content files: line-aware YAML, field checks, problems, the clause
map. Courses and quizzes build their parsers on it; it imports no domain."""
