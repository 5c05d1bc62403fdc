"""Bodies converted on two threads at once (the preview typesets a PDF in a background thread while
pages render) come out exactly as when converted one after another."""

import sys
from concurrent.futures import ThreadPoolExecutor

from newsletter import markup
from newsletter.model import Asset


def _body(n: int) -> str:
    # Footnotes, a table and a link to the article's file: each conversion leaves state in the instance.
    return (f"第 {n} 段，见[附件](report-{n}.pdf)。[^n{n}]\n\n"
            f"| 项目 | 数值 |\n|---|---|\n| 排放 {n} | {n * 7} 万吨 |\n\n"
            f"[^n{n}]: 注释 {n}：来源第 {n} 页。\n" + "碳市场交易。" * (n % 40))


def _render(n: int) -> str:
    asset = Asset(name=f"report-{n}.pdf", path=f"issues/1/report-{n}.pdf", kind="attachment",
                  size=1000 + n, digest=f"{n:064x}")
    return markup.render(_body(n), files=(asset,), base=f"https://example.org/{n}/")


def test_conversions_on_two_threads_equal_sequential_ones():
    numbers = list(range(300))
    alone = [_render(n) for n in numbers]
    assert all(f"注释 {n}" in html and f"排放 {n}" in html and f"report-{n}.pdf" in html
               for n, html in zip(numbers, alone))
    interval = sys.getswitchinterval()
    sys.setswitchinterval(1e-6)  # threads take turns every few bytecodes: a shared instance shows at once
    try:
        with ThreadPoolExecutor(max_workers=4) as pool:
            together = list(pool.map(_render, numbers))
    finally:
        sys.setswitchinterval(interval)
    mismatched = [n for n, a, b in zip(numbers, alone, together) if a != b]
    assert not mismatched, f"bodies converted concurrently came out differently: {mismatched[:5]}"
