"""Fuzzed loader: any bytes and any front matter give a valid article or content problems naming the file;
never another exception, never a hang.

CI runs a bounded number of examples (profile ``ci``, the default); ``make fuzz`` runs the ``fuzz`` profile
(HYPOTHESIS_PROFILE=fuzz, many more examples). No example has a time limit that a slow machine could miss:
a hang (an example still running after HANG seconds) fails the test, and nothing here measures speed. The crashes this fuzzer found (deep nesting, huge integers,
lone-surrogate escapes, an announcement without source, a blank key) are pinned by the regression tests at
the bottom.
"""

from __future__ import annotations

import os
import string
import tempfile
from pathlib import Path

import pytest
import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from conftest import hard_timeout
from newsletter import content, vocabulary
from newsletter.model import Settings

settings.register_profile("ci", max_examples=200, deadline=None, derandomize=True,
                          suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much])
settings.register_profile("fuzz", max_examples=20_000, deadline=None,
                          suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much])
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "ci"))

SETTINGS = Settings(max_file_bytes=200_000)
HANG = 30  # seconds for one example; the slowest takes well under one
REL = "issues/034/01-fuzz.md"
FIELDS = list(content.ARTICLE_FIELDS) + ["colour", "Title", "<<", "? x", "-", "title ", "tags[0]"]

# ---------------------------------------------------------------- what a YAML-ish front matter is made of

NASTY_SCALARS = [
    "034", "038", "0x1F", "0o17", "1e400", "-.inf", ".nan", "~", "null", "yes", "no", "on", "True", "FALSE",
    "2014-02-30", "2014-13-01", "2014-10-26T10:00:00Z", "2014-1-2", "20141026", "'2014-10-26'", '"2014-10-26"',
    "&a x", "*a", "&a [1, 2]", "!!python/object/apply:os.system ['true']", "!!binary aGVsbG8=", "!!int x",
    "!!timestamp 2014-10-26", "!custom x", "|", ">-", "[", "]", "{", "}", "{a: 1}", "[a, [b, [c]]]", "'", '"',
    "'unterminated", '"\\x41\\u4e2d"', "a: b: c", "- item", "? key", ": value", "#comment", "% directive",
    "@reserved", "`tick", "\t", "\u3000", "\ufeff", "\u202e", "\x85", "\u2028", "中文：全角冒号", "碳交易, 碳汇",
    "[碳交易, 碳汇]", "market", "policy", "announcements ", "Market", "https://example.org/x", "javascript:x",
    "<script>x</script>", "{{ x }}", "{% raw %}", "", " ", "---", "...", "=", "<<: *a", "\\", "\\u0000",
]


def _line(key: str, value: str, indent: int) -> str:
    return " " * indent + f"{key}: {value}"


yaml_scalar = st.one_of(st.sampled_from(NASTY_SCALARS), st.text(max_size=30))
yaml_line = st.one_of(
    st.builds(_line, st.sampled_from(FIELDS), yaml_scalar, st.sampled_from([0, 0, 0, 1, 2, 4])),
    st.builds(lambda v, i: " " * i + "- " + v, yaml_scalar, st.sampled_from([0, 2, 4])),
    st.text(max_size=40),
)
front_matter_text = st.lists(yaml_line, max_size=20).map("\n".join)

json_value = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=True) | st.text(max_size=20) | st.dates(),
    lambda children: st.lists(children, max_size=4) | st.dictionaries(st.text(max_size=8), children, max_size=4),
    max_leaves=20,
)
structured = st.dictionaries(st.sampled_from(FIELDS) | st.text(max_size=8), json_value, max_size=12).map(
    lambda d: yaml.safe_dump(d, allow_unicode=True, default_flow_style=None, sort_keys=False))


def _alias_bomb(width: int, depth: int) -> str:
    lines = [f"l0: &l0 [{', '.join(['x'] * width)}]"]
    lines += [f"l{i}: &l{i} [{', '.join([f'*l{i - 1}'] * width)}]" for i in range(1, depth)]
    return "\n".join(lines)


def _nested(depth: int, flow: bool) -> str:
    if flow:
        return "title: " + "[" * depth + "x" + "]" * depth
    return "\n".join(" " * (2 * i) + f"k{i}:" for i in range(depth)) + " x"


special = st.one_of(
    st.builds(_alias_bomb, st.integers(2, 12), st.integers(2, 12)),
    st.builds(_nested, st.integers(1, 2000), st.just(True)),
    st.builds(_nested, st.integers(1, 300), st.just(False)),  # 300 levels of indentation is ~90 KB
    st.builds(lambda n: "title: " + "x" * n, st.integers(0, 80_000)),
    st.builds(lambda n: "order: " + "9" * n, st.integers(1, 6000)),
)
front_matter = st.one_of(front_matter_text, structured, special)
body = st.one_of(st.just("正文。"), st.text(max_size=200), st.sampled_from(["", "  \n", "<script>x</script>", "|a|\n|-|\n|1|"]))

VALID_HEAD = "title: 测试\nsection: market\ndate: 2014-10-26\nsource: 来源\n"


def article_bytes(fm: str, text: str, newline: str, bom: bool, encoding: str, fence: str) -> bytes:
    document = f"{fence}{newline}{fm}{newline}---{newline}{text}".replace("\n", newline)
    prefix = "\ufeff" if bom else ""
    return (prefix + document).encode(encoding, errors="surrogatepass" if encoding == "utf-8" else "replace")


article_file = st.one_of(
    st.builds(article_bytes, front_matter, body, st.sampled_from(["\n", "\r\n", "\r"]), st.booleans(),
              st.sampled_from(["utf-8", "utf-8", "utf-8", "gbk", "utf-16", "latin-1"]),
              st.sampled_from(["---", "---", "--- ", "----", "+++", ""])),
    st.builds(lambda fm, b: ("---\n" + VALID_HEAD + fm + "\n---\n" + b).encode("utf-8", "surrogatepass"),
              front_matter, body),
    st.binary(max_size=3000),
    st.builds(lambda raw: b"---\n" + raw + b"\n---\n\xe6\xad\xa3\xe6\x96\x87", st.binary(max_size=500)),
)

# ---------------------------------------------------------------- the properties

def _encodable(value) -> bool:
    if isinstance(value, str):
        try:
            value.encode("utf-8")
        except UnicodeEncodeError:
            return False
    if isinstance(value, tuple):
        return all(_encodable(v) for v in value)
    return True


def assert_article_outcome(article, problems, rel: str) -> None:
    for problem in problems:
        assert problem.path == rel, problem
        assert problem.line >= 1, problem
        assert problem.field.strip() and problem.message, problem
        assert str(problem).startswith(f"{rel}:{problem.line}: {problem.field}: ")
    has_errors = any(p.severity == "error" for p in problems)
    assert (article is None) == has_errors, problems
    if article is not None:
        assert article.title and article.section is not None
        for name in ("title", "source", "doc_number", "source_url", "body", "tags", "authors"):
            assert _encodable(getattr(article, name)), name


def _load(raw: bytes, directory: Path):
    path = directory / "01-fuzz.md"
    path.write_bytes(raw)
    with hard_timeout(HANG, "loading one fuzzed article"):
        return content.load_article(path, REL, 34, SETTINGS, vocabulary.Vocabulary())


@pytest.fixture(scope="module")
def scratch():
    with tempfile.TemporaryDirectory() as directory:
        yield Path(directory)


@given(raw=article_file)
def test_any_article_file_gives_an_article_or_problems_naming_it(raw, scratch):
    article, problems = _load(raw, scratch)
    assert_article_outcome(article, problems, REL)


@given(issue=st.one_of(front_matter, st.just("number: 34\ndate: 2014-10-31")), article=article_file,
       folder=st.sampled_from(["034", "34", "0034", "abc", "035"]))
def test_any_project_gives_a_catalog_or_problems_naming_files(issue, article, folder):
    raw_issue = issue.encode("utf-8", "surrogatepass")
    with tempfile.TemporaryDirectory() as directory:
        root = Path(directory)
        (root / "issues" / folder).mkdir(parents=True)
        (root / "issues" / folder / "issue.yml").write_bytes(raw_issue)
        (root / "issues" / folder / "01-fuzz.md").write_bytes(article)
        with hard_timeout(HANG, "loading one fuzzed project"):
            catalog, problems = content.load_catalog(root, SETTINGS)
    for problem in problems:
        assert problem.path.startswith("issues/") and problem.line >= 1, problem
    if not any(p.severity == "error" for p in problems):
        assert all(_encodable(a.title) for a in catalog.articles)


def test_a_valid_article_survives_the_generators_framing():
    article, problems = content.load_article(*_write(("---\n" + VALID_HEAD + "---\n正文。\n").encode()))
    assert article is not None and article.title == "测试", problems


def _write(raw: bytes):
    directory = Path(tempfile.mkdtemp())
    path = directory / "01-fuzz.md"
    path.write_bytes(raw)
    return path, REL, 34, SETTINGS, vocabulary.Vocabulary()


def test_alias_bomb_is_refused_at_once():
    with hard_timeout(HANG, "loading an alias bomb"):
        article, problems = content.load_article(*_write(("---\n" + _alias_bomb(9, 12) + "\n---\nx\n").encode()))
    assert article is None
    assert any("anchors and aliases" in p.message for p in problems)


# ---------------------------------------------------------------- loader bugs found by this fuzzer (lead: fix)

def _loaded(raw: bytes):
    """(article, problems as (line, field, message)) after checking the outcome's general shape."""
    with hard_timeout(HANG, "loading one article"):
        article, problems = content.load_article(*_write(raw))
    assert_article_outcome(article, problems, REL)
    return article, [(p.line, p.field, p.message) for p in problems]


def test_deeply_nested_front_matter_is_a_content_error_not_recursion_error():
    article, problems = _loaded(("---\n" + _nested(1000, flow=True) + "\n---\nx\n").encode())
    assert article is None
    assert problems == [(2, "front matter", "nested more than 20 levels deep; flatten the value")]


def test_integer_of_5000_digits_is_a_content_error_not_value_error():
    article, problems = _loaded(("---\n" + VALID_HEAD + "order: " + "9" * 5000 + "\n---\nx\n").encode())
    assert article is None
    assert [(line, field) for line, field, _ in problems] == [(6, "order")]
    assert problems[0][2] == f"'{'9' * 5000}' is not a whole number"


def test_announcement_without_source_loads_not_type_error():  # found by this fuzzer, fixed on main
    article, problems = _loaded("---\ntitle: 征稿启事\nsection: announcements\ndate: 2014-10-26\n---\n欢迎投稿。\n".encode())
    assert problems == []
    assert (article.title, article.section.key, article.source, article.body.strip()) == \
        ("征稿启事", "announcements", None, "欢迎投稿。")


def test_lone_surrogate_escape_is_a_content_error_not_a_later_unicode_encode_error():
    article, problems = _loaded(('---\ntitle: "\\ud800"\nsection: market\ndate: 2014-10-26\nsource: x\n---\nx\n').encode())
    assert article is None
    assert problems == [(2, "title", "contains an escape for an invalid character (a lone surrogate); "
                                     "write the character itself")]


def test_blank_key_is_named_in_its_problem():  # found by `make fuzz`, fixed on main
    article, problems = _loaded(("---\n" + VALID_HEAD + "'': x\n---\nx\n").encode())
    assert article is None
    assert problems == [(6, "front matter", "a field with no name; write 'name: value'")]
