"""A PDF in the printed issue's layout, made with Typst (the `typst` package), from a few articles of
the committed issue 34 (issues/034/*.md: the text of the seed's pages).

The layout is the customer's printed one, not ours: A4, two columns, a running header
``节能减排信息动态 … 总第 N 期`` over a rule, the publisher line and the page number at the foot, section
banners 【…】 (one letter-spaced), bold titles that wrap inside their column, a 发布日期/来源 line with
the source linked to its URL (a link annotation), document numbers, an attachment linked to its file.
The data goes in as JSON (``sys.inputs``); the template only walks it.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

import typst
import yaml

ROOT = Path(__file__).resolve().parents[2]
ISSUE = ROOT / "issues" / "034"
PUBLISHER = "中环联合（北京）认证中心有限公司气候变化部（CDM）"
# (file of issue 34, banner as printed): a few articles of four sections, the first banner letter-spaced
ARTICLES = [("02.md", "【市 场 热 点】"), ("03.md", None), ("06.md", "【政策聚焦】"), ("18.md", "【国际资讯】"),
            ("23.md", None), ("26.md", "【行业公告】")]

TEMPLATE = r"""
#let data = json(bytes(sys.inputs.data))
#set text(font: ("Noto Serif CJK SC",), lang: "zh", region: "cn", size: 10.5pt)
#set page(paper: "a4", margin: (x: 18mm, top: 26mm, bottom: 22mm),
  header: context [
    #set text(font: ("Noto Sans CJK SC",), size: 9pt)
    #data.masthead #h(1fr) 总第 #data.number 期
    #v(-6pt) #line(length: 100%, stroke: 0.6pt)
  ],
  footer: context [
    #set text(font: ("Noto Sans CJK SC",), size: 8pt)
    #line(length: 100%, stroke: 0.4pt) #v(-4pt)
    #data.publisher #h(1fr) #counter(page).display()
  ])
#set par(justify: true, first-line-indent: (amount: 2em, all: true), leading: 0.75em, spacing: 0.75em)
#columns(2, gutter: 8mm)[
  #for a in data.articles {
    if a.banner != none {
      block(above: 1.2em, below: 0.9em, align(center, text(font: ("Noto Sans CJK SC",), size: 14pt, weight: "bold", a.banner)))
    }
    block(above: 1.1em, below: 0.5em, par(first-line-indent: 0em, justify: false,
      text(size: 13pt, weight: "bold", a.title)))
    block(below: 0.6em, par(first-line-indent: 0em, text(size: 9pt, [
      发布日期：#a.date#h(1.5em)#if a.source != none {
        if a.source_url != none { link(a.source_url)[来源：#a.source] } else [来源：#a.source]
      }])))
    if a.doc_number != none { block(below: 0.6em, align(center, text(size: 9pt, a.doc_number))) }
    for p in a.paragraphs {
      if p.kind == "heading" { block(above: 0.9em, below: 0.6em, par(first-line-indent: 0em, text(weight: "bold", p.text))) }
      else if p.kind == "link" { par[#p.text#link(p.url, p.label)] }
      else { par(p.text) }
    }
  }
]
"""


def committed(name: str) -> tuple[dict, str]:
    text = (ISSUE / name).read_text(encoding="utf-8")
    _, front, body = text.split("---\n", 2)
    return yaml.safe_load(front), body


def _paragraphs(body: str) -> list[dict]:
    out = []
    for block in body.strip().split("\n\n"):
        block = block.strip()
        heading = re.match(r"#+ (.*)", block)
        link = re.match(r"(.*?)\[(.+?)\]\((https?://\S+)\)\Z", block)
        if heading:
            out.append({"kind": "heading", "text": heading.group(1)})
        elif link:
            out.append({"kind": "link", "text": link.group(1), "label": link.group(2), "url": link.group(3)})
        else:
            out.append({"kind": "para", "text": re.sub(r"\\(.)", r"\1", block)})
    return out


def issue_data(number: int) -> dict:
    articles = []
    for name, banner in ARTICLES:
        front, body = committed(name)
        articles.append({"banner": banner, "title": front["title"], "date": str(front["date"]),
                         "source": front.get("source"), "source_url": front.get("source_url"),
                         "doc_number": front.get("doc_number"), "paragraphs": _paragraphs(body)})
    return {"masthead": "节能减排信息动态", "number": str(number), "publisher": PUBLISHER, "articles": articles}


def write_printed_pdf(path: Path, number: int) -> Path:
    data = json.dumps(issue_data(number), ensure_ascii=False)
    path.write_bytes(typst.compile(TEMPLATE.encode("utf-8"), sys_inputs={"data": data}))
    return path


# A page that ends inside a wrapped title: the filler is sized so the title's first line is the last line
# of page 1 (the test checks that it is, so a change of fonts cannot make it pass without the break).
TITLE_BREAK_TEMPLATE = r"""
#let data = json(bytes(sys.inputs.data))
#set text(font: ("Noto Serif CJK SC",), lang: "zh", size: 10.5pt, costs: (orphan: 0%, widow: 0%))
#set page(paper: "a4", margin: (x: 20mm, top: 25mm, bottom: 22mm),
  header: [#set text(9pt); #data.masthead #h(1fr) 总第 #data.number 期 #v(-6pt) #line(length: 100%)],
  footer: context [#set text(8pt); #data.publisher #h(1fr) #counter(page).display()])
#set par(justify: true, first-line-indent: (amount: 2em, all: true), leading: 0.8em, spacing: 0.8em)
#align(center, text(14pt, weight: "bold", data.banner))
#par(first-line-indent: 0em, text(13pt, weight: "bold", data.first_title))
#text(9pt)[发布日期：2014-10-20#h(1.5em)来源：某报]
#for i in range(19) [#par[正文第#(i + 1)段。#data.filler]]
#v(2em)
#par(first-line-indent: 0em, justify: false, text(13pt, weight: "bold", data.title))
#text(9pt)[发布日期：2014-10-27#h(1.5em)来源：北京市发展和改革委员会]
#par(data.body)
"""
BROKEN_TITLE = "北京市发展和改革委员会关于公布2014—2015年度节能减排和应对气候变化领域业务支撑单位名单的通知"


def write_title_break_pdf(path: Path, number: int) -> Path:
    data = {"masthead": "节能减排信息动态", "number": str(number), "publisher": PUBLISHER, "banner": "【政策聚焦】",
            "first_title": "第一篇文章的标题", "title": BROKEN_TITLE,
            "filler": "这是一段用来填满页面的文字，内容没有意义，只是为了让下一篇文章的标题落在页面的最底部。",
            "body": "有关单位：按照2014年8月20日我委发布的遴选公告确定的工作程序和评审规则，现将名单予以公布。"}
    path.write_bytes(typst.compile(TITLE_BREAK_TEMPLATE.encode("utf-8"),
                                   sys_inputs={"data": json.dumps(data, ensure_ascii=False)}))
    return path
