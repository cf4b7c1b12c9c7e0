"""A subject's notice as it reads (issue 10, part 1; Art 28): Chinese throughout in a
Chinese notice, its lists punctuated as Chinese is; English on request."""

from __future__ import annotations

from creditreg.domain.rights.notices import Lang, render


def test_a_chinese_notice_lists_with_chinese_marks__LST_2() -> None:
    content = {
        "measures": ["限制参与政府采购", "限制高消费"],
        "responsible_persons": [{"role": "法定代表人", "title": "经理"}],
    }
    zh = dict(render("written_notice", content, Lang.ZH).lines)
    assert zh["惩戒措施"] == "限制参与政府采购；限制高消费"
    assert zh["相关责任人员"] == "role：法定代表人；title：经理"
    assert "; " not in "".join(zh.values())
    en = dict(render("written_notice", content, Lang.EN).lines)
    assert en["Measures"] == "限制参与政府采购; 限制高消费"


def test_the_late_decision_notice_has_its_title_and_labels__SEC_5() -> None:
    shown = render("late_decision", {"matter": "异议处理：异议 1", "due_on": "2026-03-19"}, Lang.ZH)
    assert shown.title == "逾期处理告知书"
    assert shown.lines == [("事项", "异议处理：异议 1"), ("处理期限", "2026-03-19")]
