"""A fixture issue for the PDF tests: three sections, a long policy document with a table and
footnotes, an announcement without source, a title with markup, and a draft."""

from __future__ import annotations

from conftest import article_text, issue_yml

NUMBER = 12
PUBLISHER = "测试认证中心气候变化部（CDM）"
SCRIPT_TITLE = "<script>alert(1)</script>碳市场 & 配额"


def paragraphs(n: int, marker: str) -> str:
    sentence = "碳排放权交易市场建设稳步推进，各试点地区积极完善配额分配、核查与履约制度设计。"
    return "\n\n".join(f"{marker}第{i}段：{sentence * 3}" for i in range(1, n + 1))


# (file, title, section, extra front matter, body); every body starts with 文章N开头 and ends with 文章N结尾
ARTICLES = [
    ("01-market.md", "北京与承德有望开展碳排放交易跨区域合作", "market", {}, 4),
    ("02-script.md", SCRIPT_TITLE, "market", {}, 2),
    ("03-policy.md", "市政府关于印发建立区域排污权交易机制实施方案的通知", "policy",
     {"doc_number": "宁政发〔2014〕251号"}, 30),
    ("04-intl.md", "2030年温室气体减排四成 欧盟敲定气候协议", "international", {}, 12),
    ("05-notice.md", "关于公布业务支撑单位名单的通知", "announcements", {"doc_number": "京发改〔2014〕2280号"}, 3),
]

TABLE = ("\n\n| CDM方法学编号 | CCER方法学编号 | 中文名 |\n| --- | --- | --- |\n"
         + "\n".join(f"| ACM00{i:02d} | CM-0{i:02d}-V01 | 现有电厂从煤和/或燃油到天然气的燃料转换{i} |" for i in range(1, 9)))
FOOTNOTES = "\n\n这个比例保证了冷能仅被用于空气分离[^1]，注册项目达到3,805个[^2]。\n\n[^1]: 第一条脚注的文字。\n[^2]: 第二条脚注的文字。"


def write_fixture_issue(project) -> None:
    project.write(f"issues/{NUMBER:03d}/issue.yml", issue_yml(NUMBER, "2014-10-31", publisher=PUBLISHER,
                                                             note="本期关注区域排污权交易与欧盟气候协议。"))
    for n, (name, title, section, extra, length) in enumerate(ARTICLES, start=1):
        body = f"文章{n}开头。\n\n" + paragraphs(length, f"文{n}")
        if section == "policy":
            body += "\n\n## 一、总体目标" + TABLE + FOOTNOTES
        body += f"\n\n文章{n}结尾。"
        fields = {k: v for k, v in extra.items()}
        quoted = title if not title.startswith("<") else f"'{title}'"
        source = None if section == "announcements" else "测试来源"
        project.write(f"issues/{NUMBER:03d}/{name}", article_text(title=quoted, section=section, source=source,
                                                                 body=body, **fields))
    project.write(f"issues/{NUMBER:03d}/06-draft.md", article_text(title="未完成的草稿", draft="true", body="草稿正文不应出现。"))


def published_titles() -> list[str]:
    return [title for _, title, *_ in ARTICLES]
