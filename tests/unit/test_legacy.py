"""The printed-issue importer (newsletter.legacy) and the issue it produced, issues/034.

Fixtures are byte-exact excerpts of the extracted text of 总第 34 期 (tests/fixtures/seed/README.md).
Run: PYTHONPATH=site_plugins python -m pytest tests/unit/test_legacy.py
"""

from __future__ import annotations

import datetime as dt
import os
import re
from pathlib import Path

import pytest
import yaml

from newsletter import legacy
from newsletter.importer import import_command
from newsletter.legacy import ImportedArticle, ImportedIssue, parse_printed_issue, write_issue
from newsletter.model import DEFAULT_SECTIONS, Settings
from newsletter.strictyaml import read_mapping

ROOT = Path(__file__).resolve().parents[2]
SEED = ROOT / "tests" / "fixtures" / "seed"
ISSUE = ROOT / "issues" / "034"

# A line of page furniture, wherever it might survive into a body.
FURNITURE = [
    re.compile(r"总第\s*\d+\s*期"),
    re.compile(r"中环联合（北京）认证中心有限公司气候变化部"),
    re.compile(r"\A\s*\d{1,3}\s*\Z"),  # page number
    re.compile(r"【(市场热点|政策聚焦|国内资讯|国际资讯|推荐阅读|行业公告)】"),
    re.compile(r"\A\s*<?https?://\S+>?\s*\Z"),  # a bare URL line (annotation block)
    re.compile(r"tanpaifang\.com|tanjiaoyi\.(com|org)"),
]
# Extraction spacing that must not survive: a space between CJK and a digit/Latin letter or CJK punctuation.
STRAY_SPACE = re.compile(r"[\u4e00-\u9fff，。、；：“”（）] +[0-9A-Za-z\u4e00-\u9fff，。、；：“”（）]"
                         r"|[0-9A-Za-z，。、；：“”（）] +[\u4e00-\u9fff，。、；：“”（）]")


def parse(name: str, **kwargs) -> ImportedIssue:
    return parse_printed_issue((SEED / name).read_text(encoding="utf-8"), **kwargs)


def titles(issue: ImportedIssue) -> list[str]:
    return [a.front_matter["title"] for a in issue.articles]


def assert_no_furniture(body: str) -> None:
    for line in body.splitlines():
        for pattern in FURNITURE:
            assert not pattern.search(line), f"furniture {pattern.pattern!r} in body line {line!r}"


# ---------------------------------------------------------------- excerpts

def test_market_excerpt_articles_meta_and_sections():
    issue = parse("market_page_break.txt", number=34)
    assert titles(issue) == [
        "各交易所碳市价格走势（10月24日-10月30日）",
        "北京与承德有望开展碳排放交易跨区域合作",
        "美国金融机构有望来深圳碳市场投资买卖“碳指标”",
    ]
    assert [a.front_matter["date"] for a in issue.articles] == [dt.date(2014, 10, 30), dt.date(2014, 10, 26), dt.date(2014, 10, 25)]
    assert [a.front_matter["source"] for a in issue.articles] == ["碳K线", "承德日报", "深圳商报"]
    assert {a.front_matter["section"] for a in issue.articles} == {"market"}
    assert [a.slug for a in issue.articles] == ["01", "02", "03"]
    assert [a.source_line for a in issue.articles] == [3, 11, 72]
    assert issue.number == 34 and issue.date == dt.date(2014, 10, 30)


def test_article_whose_chart_was_lost_is_kept_with_a_warning():
    issue = parse("market_page_break.txt", number=34)
    chart = issue.articles[0]
    assert chart.body == ""
    assert any("各交易所碳市价格走势" in w and "no text" in w for w in issue.warnings)


def test_url_annotation_blocks_are_dropped_and_paragraph_joined_across_the_page_break():
    issue = parse("market_page_break.txt", number=34)
    for article in issue.articles:
        assert_no_furniture(article.body)
        assert "source_url" not in article.front_matter  # tanpaifang link blocks are not sources
    shenzhen = issue.articles[2].body
    # "…更多的绿色低" | URL block | " 碳车辆，…" (next page)
    assert "可以看到更多的绿色低碳车辆，选择纯电动大巴或者纯电动的士等公共交通工具" in shenzhen
    assert shenzhen.rstrip().endswith("提高清洁能源比重。")


def test_paragraphs_rebuilt_without_stray_spaces():
    body = parse("market_page_break.txt", number=34).articles[1].body
    paragraphs = body.strip().split("\n\n")
    assert paragraphs == [
        "近日，北京市发展和改革委员会率领专家团来承，就碳排放交易跨区域合作问题进行了座谈。据易碳家了解到，"
        "北京市发展和改革委员会负责人及9个县区林业负责人参加此次座谈会。",
        "座谈会上，北京专家团详细介绍了森林碳汇项目的相关情况，并与各县区林业负责人探讨了承德市与北京开展碳排放"
        "跨区域交易合作的可行性。同时，双方拟率先将承德市森林碳汇项目纳入北京碳交易市场，并逐步将承德市重点行业、"
        "企业纳入北京碳市场。",
        "据了解，目前，我市正在研究制定碳交易管理办法，拟在河北省率先建立碳排放交易平台，运行成熟后上升到省级碳"
        "交易平台。北京市作为全国7个碳交易试点城市之一，将碳排放量大于1万吨/年的490家企业纳入了碳交易体系，经过"
        "近一年的运转，取得了显著成效。我市森林资源丰富，森林覆盖率55.8%，为河北省最高，森林草场碳汇储量约9000"
        "万吨，每年能够新增碳汇量120万吨。",
    ]


def test_short_subheads_become_headings():
    body = parse("market_page_break.txt", number=34).articles[2].body
    headings = [l for l in body.splitlines() if l.startswith("#")]
    assert headings == ["### 深圳成首个“亿元”碳市场", "### 邀请美国金融机构参与碳交易", "### 公交车私家车将纳入碳交易"]


def test_policy_doc_number_headings_and_mid_document_furniture():
    issue = parse("policy_doc_number.txt")
    assert issue.number == 34  # from the running header
    assert issue.title == "节能减排信息动态"
    assert issue.publisher == "中环联合（北京）认证中心有限公司气候变化部（CDM）"
    (notice,) = issue.articles
    fm = notice.front_matter
    assert fm["title"] == "市政府关于印发建立区域排污权交易机制实施方案的通知"
    assert fm["section"] == "policy"
    assert fm["date"] == dt.date(2014, 10, 10)
    assert fm["source"] == "南京市人民政府"
    assert fm["doc_number"] == "宁政发〔2014〕251号"
    body = notice.body
    assert "宁政发" not in body.split("\n\n")[0]  # moved to front matter, not the first paragraph
    assert_no_furniture(body)
    headings = [l for l in body.splitlines() if l.startswith("#")]
    assert headings[:6] == [
        "### 建立区域排污权交易机制实施方案",
        "### 一、总体目标",
        "### 二、重点任务",
        "### 三、主要内容",
        "#### （一）建立排污权交易系列制度",
        "##### 1．建立科学的初始排污权核定和管理制度",
    ]
    assert "##### 3．建立高效、规范的排污权交易平台" in headings
    assert body.rstrip().endswith("\n\n排污权有偿使用和交易相关制度将以市政府规范性文件的形式印发全市执行。")
    paragraphs = body.split("\n\n")
    # the signature and its date are paragraphs, not headings
    assert "南京市人民政府" in paragraphs and "2014年10月10日" in paragraphs
    # "责任单位：市政务办" | header, publisher, page number 10 | "完成时间：2014年11月"
    i = paragraphs.index("（8）制定排污权交易规则。制定南京市主要污染物排污权交易相关规则和文书，将排污权交易纳入市公共资源"
                         "交易目录，引导企业自觉参与交易。")
    assert paragraphs[i + 1:i + 3] == ["责任单位：市政务办", "完成时间：2014年11月"]
    # a page break (leading space) inside a numbered run-in paragraph
    assert any(p.startswith("（2）合理核定重点企业初始排污权。市、区（园区）环保部门依据") for p in paragraphs)


def test_running_header_in_the_middle_of_a_paragraph_is_removed_and_the_paragraph_joined():
    issue = parse("domestic_header_mid_paragraph.txt")
    (article,) = issue.articles
    assert article.front_matter["title"] == "发改委通过90个CCER备案 风电光伏项目受青睐"
    assert article.front_matter["source"] == "21世纪经济报道"
    assert article.front_matter["section"] == "domestic"
    assert article.slug == "01-ccer"
    assert ("且优先使用河北省、天津市等与本市签署应对气候变化、生态建设、大气污染治理等相关合作协议地区的核证自愿减排量。"
            "天津、深圳和上海试点对CCER没有地域限制。") in article.body
    assert_no_furniture(article.body)
    for line in article.body.splitlines():
        assert not STRAY_SPACE.search(line), line


def test_source_url_only_when_it_clearly_is_one_and_latin_words_keep_their_space():
    issue = parse("international_source_url.txt", number=34)
    eu, obama, denmark = issue.articles
    assert obama.front_matter["source_url"] == "http://news.china.com.cn/world/2014-10/23/content_33849974.htm"
    assert "source_url" not in eu.front_matter and "source_url" not in denmark.front_matter
    assert obama.front_matter["source"] == "中国网(北京)"
    assert "比利时布鲁塞尔“碳市场观察”主管Eva Filzmoser说：" in eu.body  # "Eva " | "Filzmoser" wrapped
    assert "Severin Fischer表示" in eu.body
    for article in issue.articles:
        assert_no_furniture(article.body)


def test_table_footnotes_and_numbered_headings():
    issue = parse("reading_table_footnotes.txt")
    (article,) = issue.articles
    body = article.body
    assert article.front_matter["title"] == "天然气项目碳资产开发与管理"
    assert article.front_matter["section"] == "reading"
    lines = body.splitlines()
    start = lines.index("| CDM方法学编号 | CCER方法学编号 | 中文名 |")
    assert lines[start + 1] == "| --- | --- | --- |"
    assert lines[start + 2] == "| ACM0011 | CM-004-V01 | 现有电厂从煤和/或燃油到天然气的燃料转换 |"
    assert lines[start + 9] == "| ACM0009 | CM-087-V01 | 从煤或石油到天然气的燃料替代 |"
    assert lines[start + 10] == ""
    assert "3,805个[^1]。" in body and "99.5%[^1];" in body  # both printed as [1]; the editor fixes the first
    assert "[^1]: 这个比例保证了该过程中的冷能仅被用于空气分离。" in lines
    assert "[^2]: <http://www.cdmpipeline.org/>" in lines
    assert any("footnote [2] is defined but never referred to" in w for w in issue.warnings)
    headings = [l for l in lines if l.startswith("#")]
    assert headings[:5] == ["### 1 天然气项目概况", "#### 2-2 中国温室气体自愿减排交易（CCER）",
                            "### 3 CDM/CCER项目开发", "#### 3-1 开发流程", "#### 3-2 方法学"]
    assert "##### 1) CM-004-V01现有电厂从煤和/或燃油到天然气的燃料转换" in headings
    # the last of a list of ；-items is not a heading although it ends in 。
    assert "(四)在联合国清洁发展机制理事会注册但减排量未获得签发的项目。" in lines
    # forced line breaks inside an a)-item are joined
    assert "c) 新空气分离设备和回收冷能的LNG汽化设备地理位置相同。因此，冷能不用被储存或运送到其他地方。" in lines
    assert "d) 可以使用或不用LNG汽化设备的冷能运行一个新空气分离设备。因此，为了确定基准线参数，可以在调试阶段开展运行测试。" in lines
    assert "c) 天然气在该地区或国家供应充足" in lines
    assert "##### 3) CM-023-V01新建天然气电厂向电网或单个用户供电" in lines
    # Markdown-significant characters are escaped: "~" would otherwise turn text into subscript
    assert "45%\\~60%" in body
    assert_no_furniture(body)


def test_announcement_doc_number_above_the_date_no_source_and_attachment_link():
    issue = parse("announcement.txt", number=34)
    (notice,) = issue.articles
    fm = notice.front_matter
    assert fm["title"] == "北京市发展和改革委员会关于公布2014—2015年度节能减排和应对气候变化领域业务支撑单位名单的通知"
    assert fm["doc_number"] == "京发改[2014]2280号"
    assert fm["date"] == dt.date(2014, 10, 27)
    assert fm["section"] == "announcements"
    assert "source" not in fm and "source_url" not in fm
    assert notice.body.rstrip().endswith(
        "附件：[北京市发展和改革委员会节能减排和应对气候变化领域业务支撑单位名单（2014—2015年度）.docx]"
        "(http://www.bjpc.gov.cn/tztg/201410/P020141031358085499459.docx)")
    assert notice.body.count("http://") == 1


def test_number_given_wins_and_a_mismatch_is_a_warning():
    issue = parse("policy_doc_number.txt", number=35)
    assert issue.number == 35
    assert any("总第 34 期" in w and "35" in w for w in issue.warnings)


def test_text_without_articles_gives_warnings_not_exceptions():
    issue = parse_printed_issue("just some text\n\nno articles here\n")
    assert issue.articles == [] and issue.number is None
    assert any("no articles" in w for w in issue.warnings)


# ---------------------------------------------------------------- writing

def small_issue() -> ImportedIssue:
    return ImportedIssue(
        number=34, date=dt.date(2014, 10, 31), title="节能减排信息动态", period=None, publisher="中环联合",
        articles=[
            ImportedArticle("01", {"title": "甲", "section": "market", "date": dt.date(2014, 10, 30), "source": "乙", "tags": []}, "正文一。\n", 3),
            ImportedArticle("02-ccer", {"title": "yes", "section": "market", "date": dt.date(2014, 10, 29),
                                        "source": "034", "doc_number": "京发改[2014]2280号", "tags": ["碳交易"]}, "正文二。\n", 9),
        ],
    )


def test_write_issue_writes_issue_yml_and_ordered_articles_readable_by_the_strict_loader(tmp_path):
    dest = tmp_path / "issues" / "034"
    written = write_issue(small_issue(), dest)
    assert [p.name for p in written] == ["issue.yml", "01.md", "02-ccer.md"]
    assert sorted(p.name for p in dest.iterdir()) == ["01.md", "02-ccer.md", "issue.yml"]
    doc, problems = read_mapping((dest / "issue.yml").read_text(encoding="utf-8"), "issue.yml")
    assert problems == [] and doc.data == {"number": 34, "date": "2014-10-31", "title": "节能减排信息动态", "publisher": "中环联合"}
    text = (dest / "02-ccer.md").read_text(encoding="utf-8")
    fm_text = text.split("---\n")[1]
    doc, problems = read_mapping(fm_text, "02-ccer.md")
    assert problems == []
    # strings YAML would misread stay strings
    assert doc.data["title"] == "yes" and doc.data["source"] == "034" and doc.data["doc_number"] == "京发改[2014]2280号"
    assert yaml.safe_load(fm_text)["title"] == "yes"
    assert text.endswith("---\n\n正文二。\n")
    assert not [p for p in tmp_path.joinpath("issues").iterdir() if p.name.startswith(".")]  # no temp folder left


@pytest.mark.parametrize("value", ["034", "yes", "no", "null", "~", "2014-10-10", "a: b", "#x", "x #y", "[x]", "- x",
                                   "'q'", '"q"', "1e3", "0x1F", "true", " lead", "碳K线", "@x", "%x", "a, b"])
def test_yaml_scalar_round_trips_through_both_loaders(value):
    text = f"k: {legacy.yaml_scalar(value)}\n"
    doc, problems = read_mapping(text, "x")
    assert problems == [] and doc.data["k"] == value
    assert yaml.safe_load(text)["k"] == value  # PyYAML (YAML 1.1) reads back the same string


def test_write_issue_refuses_to_overwrite_unless_asked(tmp_path):
    dest = tmp_path / "034"
    dest.mkdir()
    (dest / "99-old.md").write_text("hand edited\n", encoding="utf-8")
    with pytest.raises(FileExistsError):
        write_issue(small_issue(), dest)
    assert sorted(p.name for p in dest.iterdir()) == ["99-old.md"]
    write_issue(small_issue(), dest, overwrite=True)
    assert sorted(p.name for p in dest.iterdir()) == ["01.md", "02-ccer.md", "issue.yml"]  # replaced as a whole
    assert [p.name for p in tmp_path.iterdir()] == ["034"]


def test_write_issue_is_atomic_when_writing_fails(tmp_path, monkeypatch):
    dest = tmp_path / "034"
    dest.mkdir()
    (dest / "01.md").write_text("before\n", encoding="utf-8")
    calls = []

    def failing(article):
        calls.append(article.slug)
        if len(calls) == 2:
            raise OSError("disk full")
        return "---\ntitle: x\n---\n"

    monkeypatch.setattr(legacy, "article_markdown", failing)
    with pytest.raises(OSError):
        write_issue(small_issue(), dest, overwrite=True)
    assert calls == ["01", "02-ccer"]
    assert [p.name for p in dest.iterdir()] == ["01.md"] and (dest / "01.md").read_text() == "before\n"
    assert [p.name for p in tmp_path.iterdir()] == ["034"]  # no half-written temp folder
    fresh = tmp_path / "035"
    calls.clear()
    with pytest.raises(OSError):
        write_issue(small_issue(), fresh)
    assert not fresh.exists()


def import_text_command(seed, out, number=None, force=False) -> int:
    return import_command([str(seed)], str(out), Settings(), Path(out).parent, number=number, force=force)


def test_import_command_writes_and_reports(tmp_path, capsys):
    out = tmp_path / "034"
    assert import_text_command(SEED / "announcement.txt", out, number=34) == 0
    assert sorted(p.name for p in out.iterdir()) == ["01.md", "issue.yml"]
    table = capsys.readouterr().out.splitlines()
    assert table[0].split() == ["file", "issue", "market", "policy", "domestic", "international", "reading",
                                "announcements", "warnings"]
    assert table[1].split()[1:] == ["34", "0", "0", "0", "0", "0", "1", "5"]  # five sections without an article
    assert import_text_command(SEED / "announcement.txt", out, number=34) == 1
    assert "--force" in capsys.readouterr().err
    assert import_text_command(SEED / "announcement.txt", out, number=34, force=True) == 0


def test_import_command_needs_a_number_when_the_text_has_none(tmp_path, capsys):
    assert import_text_command(SEED / "announcement.txt", tmp_path / "x") == 1
    assert "--number" in capsys.readouterr().err
    assert not (tmp_path / "x").exists()


def test_import_command_unreadable_or_not_utf8_seed_is_a_message_not_a_traceback(tmp_path, capsys):
    gbk = tmp_path / "seed-gbk.txt"
    gbk.write_bytes((SEED / "announcement.txt").read_text(encoding="utf-8").replace("\ue0b2", "").encode("gb18030", "replace"))
    assert import_text_command(gbk, tmp_path / "out") == 1
    err = capsys.readouterr().err
    assert "not UTF-8" in err and "iconv -f GBK" in err and "Traceback" not in err
    assert import_text_command(tmp_path / "missing.txt", tmp_path / "out") == 1
    assert "cannot be read" in capsys.readouterr().err
    assert import_text_command(tmp_path, tmp_path / "out") == 1  # a folder is not a seed
    assert not (tmp_path / "out").exists()


# ---------------------------------------------------------------- the committed issue 34

EXPECTED_34 = [  # (section, title, date, source) as printed, in printed order
    ("market", "各交易所碳市价格走势（10月24日-10月30日）", "2014-10-30", "碳K线"),
    ("market", "北京与承德有望开展碳排放交易跨区域合作", "2014-10-26", "承德日报"),
    ("market", "美国金融机构有望来深圳碳市场投资买卖“碳指标”", "2014-10-25", "深圳商报"),
    ("market", "深圳拟启动公共交通领域碳交易 将引进托管会员", "2014-10-29", "南方日报"),
    ("market", "青岛该如何建设自身碳市场？", "2014-10-31", "中创碳投"),
    ("policy", "市政府关于印发建立区域排污权交易机制实施方案的通知", "2014-10-10", "南京市人民政府"),
    ("policy", "省发展改革委 省财政厅 省环境保护厅关于二氧化硫和化学需氧量排污权有偿使用和交易价格的通知", "2014-08-12", "广东省发展改革委"),
    ("policy", "广州市人民政府办公厅关于印发广州市绿色建筑行动实施方案的通知", "2014-10-16", "广州市人民政府办公厅"),
    ("policy", "哈尔滨市人民政府关于印发哈尔滨市清洁空气行动计划的通知", "2014-09-15", "哈尔滨市人民政府"),
    ("domestic", "中国将尽快提出2020年后应对气候变化行动目标", "2014-10-27", "新华网"),
    ("domestic", "APEC首脑峰会“零碳”场馆实现碳中和", "2014-10-31", "新浪财经"),
    ("domestic", "海南2014年观澜湖世界高尔夫明星赛购买CCER减排量中和赛事碳排放", "2014-10-29", "Ideacarbon"),
    ("domestic", "湖北省恩施成“沼气碳”首个卖家", "2014-10-30", "长江商报"),
    ("domestic", "上海将推广第三方治污 政府采购投资及国企项目等带头实施", "2014-10-24", "上海市发展和改革委员会"),
    ("domestic", "发改委通过90个CCER备案 风电光伏项目受青睐", "2014-10-27", "21世纪经济报道"),
    ("international", "联合国第三轮气候谈判未见实质进展", "2014-10-27", "新华网"),
    ("international", "2030年温室气体减排四成 欧盟敲定气候协议", "2014-10-27", "中国科学报"),
    ("international", "奥巴马气候变化新方案受挫 美温室气体排放量增加", "2014-10-24", "中国网(北京)"),
    ("international", "丹麦计划将碳交易政策扩至运输业", "2014-10-28", "人民网"),
    ("international", "斯洛伐克支持欧盟最新气候与能源政策框架协议", "2014-10-28", "驻斯洛伐克经商参处"),
    ("international", "菲明年将投入1360亿比索应对气候变化", "2014-10-29", "商务部网站"),
    ("international", "巴西低碳农业计划覆盖全国", "2014-10-28", "人民日报"),
    ("international", "里约奥运会碳排放量预计为360万吨", "2014-10-31", "新华网"),
    ("international", "联合国气候高官望日本拿出积极减排目标及资金", "2014-10-27", "中国新闻网"),
    ("reading", "天然气项目碳资产开发与管理", "2014-10-24", "水晶碳投"),
    ("announcements", "北京市发展和改革委员会关于公布2014—2015年度节能减排和应对气候变化领域业务支撑单位名单的通知", "2014-10-27", None),
]


def committed_articles() -> list[tuple[Path, dict, str]]:
    articles = []
    for path in sorted(ISSUE.glob("*.md")):
        text = path.read_text(encoding="utf-8")
        assert text.startswith("---\n"), path
        _, fm_text, body = text.split("---\n", 2)
        doc, problems = read_mapping(fm_text, path.name, line_offset=1)
        assert problems == [], problems
        articles.append((path, doc.data, body))
    return articles


def vocabulary() -> list[str]:
    tags = yaml.safe_load((ROOT / "issues" / "tags.yml").read_text(encoding="utf-8"))
    assert isinstance(tags, list) and all(isinstance(t, str) for t in tags)
    assert 20 <= len(tags) <= 30 and len(set(tags)) == len(tags)
    return tags


def test_committed_issue_yml():
    doc, problems = read_mapping((ISSUE / "issue.yml").read_text(encoding="utf-8"), "issue.yml")
    assert problems == []
    assert doc.data["number"] == 34
    assert doc.data["date"] == "2014-10-31"
    assert doc.data["title"] == "节能减排信息动态"
    assert doc.data["publisher"] == "中环联合（北京）认证中心有限公司气候变化部（CDM）"


def test_committed_issue_has_every_article_in_printed_order_and_sections():
    articles = committed_articles()
    assert len(articles) == 26
    got = [(fm["section"], fm["title"], fm["date"], fm.get("source")) for _, fm, _ in articles]
    assert got == EXPECTED_34
    order = {s.key: s.order for s in DEFAULT_SECTIONS}
    ranks = [order[fm["section"]] for _, fm, _ in articles]
    assert ranks == sorted(ranks) and articles[0][1]["section"] == "market" and articles[-1][1]["section"] == "announcements"
    assert [p.name[:2] for p, _, _ in articles] == [f"{n:02d}" for n in range(1, 27)]


def test_committed_bodies_are_clean_markdown():
    for path, fm, body in committed_articles():
        assert body.strip(), path
        assert_no_furniture(body)
        for line in body.splitlines():
            # a heading's number and a methodology code are set off by a space on purpose
            text = re.sub(r"\A#+ (\d(-\d)? |\d\) CM-\d{3}-V01 )?", "", line)
            assert not STRAY_SPACE.search(text) or "广东省发展改革委 广东省财政厅" in text, (path.name, line)


def test_committed_tags_come_from_the_vocabulary():
    allowed = set(vocabulary())
    for path, fm, _ in committed_articles():
        tags = fm["tags"]
        assert 1 <= len(tags) <= 5, path
        assert len(set(tags)) == len(tags)
        assert set(tags) <= allowed, (path.name, set(tags) - allowed)


def test_committed_metadata_the_importer_found_or_the_editor_added():
    by_title = {fm["title"]: (body.strip(), fm) for _, fm, body in committed_articles()}
    docs = {t: fm.get("doc_number") for t, (_, fm) in by_title.items() if fm.get("doc_number")}
    assert sorted(docs.values()) == sorted(["宁政发〔2014〕251号", "粤发改价格函〔2014〕2857号", "穗府办函〔2014〕135号",
                                            "哈政发〔2014〕14号", "京发改[2014]2280号"])
    urls = {t: fm["source_url"] for t, (_, fm) in by_title.items() if fm.get("source_url")}
    assert urls == {
        "奥巴马气候变化新方案受挫 美温室气体排放量增加": "http://news.china.com.cn/world/2014-10/23/content_33849974.htm",
        "里约奥运会碳排放量预计为360万吨": "http://news.xinhuanet.com/sports/2014-10/31/c_127163365.htm",
    }
    chart, _ = by_title["各交易所碳市价格走势（10月24日-10月30日）"]
    assert chart.startswith("> 编者注：")
    gas, gas_fm = by_title["天然气项目碳资产开发与管理"]
    assert gas_fm["authors"] == ["孟早明", "张丽", "崔尧"]
    refs = set(re.findall(r"\[\^(\d+)\](?!:)", gas))
    notes = set(re.findall(r"^\[\^(\d+)\]:", gas, re.M))
    assert refs == notes == {"1", "2"}
    assert "| ACM0011 | CM-004-V01 | 现有电厂从煤和/或燃油到天然气的燃料转换 |" in gas


def test_text_whose_trailing_spaces_were_stripped_still_imports():
    """Other extractions may lose the end-of-paragraph spaces; the width heuristic takes over."""
    text = "\n".join(line.rstrip() for line in (SEED / "market_page_break.txt").read_text(encoding="utf-8").splitlines())
    stripped = parse_printed_issue(text, number=34)
    original = parse("market_page_break.txt", number=34)
    assert [a.front_matter for a in stripped.articles] == [a.front_matter for a in original.articles]
    beijing = stripped.articles[1].body.strip().split("\n\n")
    assert len(beijing) == 3 and beijing[1].startswith("座谈会上") and beijing[2].endswith("每年能够新增碳汇量120万吨。")
    assert "可以看到更多的绿色低碳车辆" in stripped.articles[2].body
    for article in stripped.articles:
        assert_no_furniture(article.body)


def test_unknown_banner_and_article_without_banner_are_warnings():
    text = ("标题甲 \n\n发布日期：2014-8-2  来源：某报 \n\n第一段。 \n\n"
            "  【特别关注】 \n\n标题乙 \n\n发布时间：2014年 9月 3日 \n\n第二段。 \n")
    issue = parse_printed_issue(text, number=35)
    assert [(a.front_matter["title"], a.front_matter["section"], a.front_matter["date"]) for a in issue.articles] == [
        ("标题甲", None, dt.date(2014, 8, 2)), ("标题乙", None, dt.date(2014, 9, 3))]
    assert [a.body for a in issue.articles] == ["第一段。\n", "第二段。\n"]
    assert any("before any section banner" in w for w in issue.warnings)
    assert any("【特别关注】" in w for w in issue.warnings)


# ---------------------------------------------------------------- other layouts of the printed text

# A page break as other printings lay it out: the masthead letter-spaced, the number in full-width digits,
# the publisher line and the page number as "- 7 -".
PAGE_BREAK = ["", "节 能 减 排 信 息 动 态        总 第 ３５ 期 ", "", " ", "",
              "中环联合（北京）认证中心有限公司气候变化部（CDM） ", "", "- 7 - ", ""]


def announcement_with_page_break(after_line: int) -> str:
    lines = (SEED / "announcement.txt").read_text(encoding="utf-8").split("\n")
    return "\n".join(lines[:after_line] + PAGE_BREAK + lines[after_line:])


@pytest.mark.parametrize("after_line, where", [(3, "inside the wrapped title"), (6, "between the title and the blank line"),
                                                (11, "between the document number and the date line")])
def test_page_break_anywhere_around_a_title(after_line, where):
    issue = parse_printed_issue(announcement_with_page_break(after_line))
    assert issue.number == 35, where  # from the letter-spaced header with full-width digits
    assert issue.publisher == "中环联合（北京）认证中心有限公司气候变化部（CDM）"
    (notice,) = issue.articles
    fm = notice.front_matter
    assert fm["title"] == "北京市发展和改革委员会关于公布2014—2015年度节能减排和应对气候变化领域业务支撑单位名单的通知", where
    assert fm["doc_number"] == "京发改[2014]2280号" and fm["date"] == dt.date(2014, 10, 27)
    assert_no_furniture(notice.body)
    assert issue.warnings == []


def test_letter_spaced_banners_full_width_dates_and_authors():
    text = ("  【国 内 资 讯】 \n\n标题甲 \n\n发布日期：２０１４－０８－０２  来源：某报 \n\n第一段。 \n\n"
            "【推　荐　阅　读】 \n\n标题乙 \n\n发 布 时 间：２０１４年９月３日  来源：水晶碳投  作者：孟早明、张丽 \n\n第二段。 \n")
    issue = parse_printed_issue(text, number=35)
    assert [(a.front_matter["title"], a.front_matter["section"], a.front_matter["date"]) for a in issue.articles] == [
        ("标题甲", "domestic", dt.date(2014, 8, 2)), ("标题乙", "reading", dt.date(2014, 9, 3))]
    assert issue.articles[1].front_matter["source"] == "水晶碳投"
    assert issue.articles[1].front_matter["authors"] == ["孟早明", "张丽"]
    assert issue.warnings == []


def test_furniture_where_no_page_break_is_is_a_warning_naming_the_line():
    text = ("【国内资讯】 \n\n标题甲 \n\n发布日期：2014-08-02  来源：某报 \n\n第一段。 \n\n"
            "节能减排信息动态 总第 35 期 第 3 页 【国内资讯】 续前页的很长的一段文字 \n\n第二段。 \n")
    issue = parse_printed_issue(text, number=35)
    assert any(w.startswith("line 9: '节能减排信息动态 总第 35 期 第 3 页") and "running header" in w for w in issue.warnings), issue.warnings
