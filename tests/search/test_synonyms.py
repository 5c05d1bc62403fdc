"""The synonym list: one group per line; bad lines are errors naming file and line."""

from newsletter.search import synonyms


def test_groups_are_read_in_order():
    text = "# comment\n- 发改委 = 国家发展和改革委员会\n- 联合国气候变化框架公约 = UNFCCC = 气候公约\n"
    groups, problems = synonyms.parse(text, "issues/synonyms.yml")
    assert problems == []
    assert groups == [["发改委", "国家发展和改革委员会"], ["联合国气候变化框架公约", "UNFCCC", "气候公约"]]


def test_a_line_without_synonym_is_an_error_with_its_line():
    groups, problems = synonyms.parse("# comment\n- 发改委 = 国家发改委\n- 碳市场\n", "issues/synonyms.yml")
    assert groups == [["发改委", "国家发改委"]]
    assert [str(p) for p in problems] == [
        "issues/synonyms.yml:3: synonyms: '碳市场' needs two or more words joined by '=', "
        "e.g. '发改委 = 国家发展和改革委员会'"]


def test_not_a_list_is_an_error():
    groups, problems = synonyms.parse("发改委: 国家发改委\n", "issues/synonyms.yml")
    assert groups == []
    assert [str(p) for p in problems] == [
        "issues/synonyms.yml:1: synonyms: must be a YAML list, one '- word = synonym' per line"]
