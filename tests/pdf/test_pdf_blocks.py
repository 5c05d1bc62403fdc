"""The article body as data for the Typst template (newsletter/pdf/blocks.py), on small Markdown bodies:
expected trees written by hand."""

from __future__ import annotations

from newsletter import markup
from newsletter.pdf.blocks import BodyConverter


def tree(body: str, images=None):
    return BodyConverter(lambda ref: (images or {}).get(ref.src)).convert(markup.render(body))


def test_paragraph_inlines_and_a_line_break_inside_chinese():
    assert tree("碳排放**权**交易\n市场 *稳步* ~2~ ^3^ `#x` [链接](https://example.org/)") == [
        {"t": "p", "c": ["碳排放", {"t": "strong", "c": ["权"]}, "交易市场 ", {"t": "em", "c": ["稳步"]}, " ",
                         {"t": "sub", "c": ["2"]}, " ", {"t": "sup", "c": ["3"]}, " ", {"t": "code", "s": "#x"}, " ",
                         {"t": "link", "url": "https://example.org/", "c": ["链接"]}]}]


def test_footnotes_sit_where_they_are_referenced():
    assert tree("甲[^a]乙[^b]。\n\n[^a]: 第一条。\n[^b]: 第二条。\n\n    第二段。") == [
        {"t": "p", "c": ["甲", {"t": "note", "c": ["第一条。"]}, "乙",
                         {"t": "note", "c": [{"t": "p", "c": ["第二条。"]}, {"t": "p", "c": ["第二段。"]}]}, "。"]}]


def test_table_with_header_row_and_alignment():
    assert tree("| 编号 | 名称 |\n|:--|--:|\n| CM-001 | 天然气 |") == [
        {"t": "table", "columns": 2, "caption": None,
         "header": [[{"c": [{"t": "p", "c": ["编号"]}], "head": True, "colspan": 1, "rowspan": 1, "align": "left"},
                     {"c": [{"t": "p", "c": ["名称"]}], "head": True, "colspan": 1, "rowspan": 1, "align": "right"}]],
         "rows": [[{"c": [{"t": "p", "c": ["CM-001"]}], "head": False, "colspan": 1, "rowspan": 1, "align": "left"},
                   {"c": [{"t": "p", "c": ["天然气"]}], "head": False, "colspan": 1, "rowspan": 1, "align": "right"}]]}]


def test_an_image_alone_is_a_figure_with_its_title_as_caption():
    images = {"chart.png": "/issues/034/chart.png"}
    assert tree('![碳价](chart.png "图 1 碳价走势")\n\n![无](missing.png)', images) == [
        {"t": "figure", "src": "/issues/034/chart.png", "alt": "碳价", "caption": ["图 1 碳价走势"]}]


def test_lists_quotes_and_headings():
    assert tree("## 一、目标\n\n1. 甲\n2. 乙\n\n> 引文") == [
        {"t": "h", "level": 2, "c": ["一、目标"]},
        {"t": "list", "ordered": True, "start": 1, "items": [[{"t": "p", "c": ["甲"]}], [{"t": "p", "c": ["乙"]}]]},
        {"t": "quote", "c": [{"t": "p", "c": ["引文"]}]}]
