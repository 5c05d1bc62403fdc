"""Projects and email editions the email tests share, made once per session.

Test modules import the fixtures from here (a conftest.py in this folder would shadow the root
conftest module that ``from conftest import …`` relies on)."""

from __future__ import annotations

import re
from email import policy
from email.message import EmailMessage
from email.parser import BytesParser
from pathlib import Path

import pytest

from conftest import Project, copy_project

SITE = "https://example.org/news/"
SUBJECT_34 = "节能减排信息动态 总第 34 期（2014年10月31日）"


@pytest.fixture(scope="session")
def repo_project(tmp_path_factory) -> Project:
    """A copy of the repository's project (issue 34), not built."""
    return copy_project(tmp_path_factory.mktemp("mail") / "project", with_issues=True)


@pytest.fixture(scope="session")
def edition34(repo_project, tmp_path_factory) -> Path:
    """`newsletter email 34 --site-url … --out DIR` on the repository's content; the folder it wrote."""
    out = tmp_path_factory.mktemp("edition34")
    result = repo_project.newsletter("email", "34", "--site-url", SITE, "--out", str(out))
    assert result.returncode == 0, result.stderr
    return out


def parse_eml(data: bytes) -> EmailMessage:
    return BytesParser(policy=policy.default).parsebytes(data)


def parts(message: EmailMessage) -> tuple[str, str]:
    """(text, html) of a multipart/alternative message, with LF line ends (the wire has CRLF)."""
    assert message.get_content_type() == "multipart/alternative"
    assert [p.get_content_type() for p in message.iter_parts()] == ["text/plain", "text/html"]
    text = message.get_body(("plain",)).get_content()
    html = message.get_body(("html",)).get_content()
    return text.replace("\r\n", "\n"), html.replace("\r\n", "\n")


def hrefs(html: str) -> list[str]:
    return re.findall(r'<a [^>]*href="([^"]*)"', html)
