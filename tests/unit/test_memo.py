"""buildcache.Memo: a view made again only when its arguments changed (model objects by identity)."""

from __future__ import annotations

import dataclasses
import datetime as dt

from markupsafe import Markup

from newsletter.buildcache import Memo
from newsletter.model import DEFAULT_SECTIONS, Article


def _article(title: str) -> Article:
    return Article(issue_number=1, slug="01", path="issues/001/01.md", title=title, section=DEFAULT_SECTIONS[0],
                   date=dt.date(2014, 1, 1), source="来源", body="正文")


class Calls:
    def __init__(self):
        self.args = []

    def __call__(self, *args):
        self.args.append(args)
        return list(args)  # a new object each call


def test_the_same_arguments_give_the_same_result_object_across_builds():
    memo, make, article = Memo(), Calls(), _article("甲")
    memo.begin()
    first = memo(make, article, (article, None), "市场", 3)
    memo.begin()
    assert memo(make, article, (article, None), "市场", 3) is first
    assert len(make.args) == 1


def test_an_equal_but_new_article_is_a_new_input():
    """Identity, not equality: the parse cache hands out the same object while the file is unchanged,
    and a new one (even with equal fields) only after it was read again."""
    memo, make = Memo(), Calls()
    memo.begin()
    memo(make, (_article("甲"), _article("乙")))
    memo.begin()
    memo(make, (_article("甲"), _article("乙")))
    assert len(make.args) == 2


def test_values_count_by_value_and_type():
    memo, make = Memo(), Calls()
    memo.begin()
    for value in (1, True, "x", Markup("x"), ("x", 1), ("x", True)):
        memo(make, value)
    memo(make, "x")
    memo(make, ("x", 1))
    assert [args[0] for args in make.args] == [1, True, "x", Markup("x"), ("x", 1), ("x", True)]
    assert type(make.args[3][0]) is Markup


def test_a_build_keeps_only_what_the_build_before_it_used():
    memo, make, kept, dropped = Memo(), Calls(), _article("甲"), _article("乙")
    memo.begin()
    memo(make, kept)
    memo(make, dropped)
    memo.begin()
    memo(make, kept)  # the edit removed the other article
    memo.begin()
    memo(make, kept)
    memo(make, dropped)
    assert [args[0].title for args in make.args] == ["甲", "乙", "乙"]


def test_a_replaced_field_of_a_frozen_article_is_a_new_object():
    memo, make, article = Memo(), Calls(), _article("甲")
    memo.begin()
    memo(make, article)
    memo(make, dataclasses.replace(article, title="乙"))
    assert [args[0].title for args in make.args] == ["甲", "乙"]


def test_an_inner_result_outlives_builds_in_which_its_outer_one_was_kept():
    """A listing's pages are kept each on its own inside the listing's result: after builds where the
    whole listing was kept, a change to one page still finds the other pages kept."""
    memo, pages = Memo(), Calls()
    a, b, c = _article("甲"), _article("乙"), _article("丙")

    def listing(first, second):
        return [memo(pages, first), memo(pages, second)]

    for _ in range(3):
        memo.begin()
        kept = memo(listing, a, b)
    memo.begin()
    changed = memo(listing, a, c)
    assert changed[0] is kept[0]
    assert [args[0].title for args in pages.args] == ["甲", "乙", "丙"]
