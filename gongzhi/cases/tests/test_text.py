"""Word segmentation: meaningful words kept in order, noise and stop words gone."""

import logging

from gongzhi.cases import text
from gongzhi.cases.text import terms


def test_report_keeps_the_words_that_describe_the_problem_in_order():
    assert terms("小区门口道路破损，雨天积水，老人出行不便") == [
        "门口", "道路", "破损", "雨天", "积水", "老人", "出行", "不便"]


def test_punctuation_digits_stop_words_and_lone_characters_are_dropped():
    got = terms("我们小区的 123 号！！请 尽快 处理，谢谢。。。")
    assert got == []
    assert "的" not in terms("楼道的灯坏了") and "了" not in terms("楼道的灯坏了")


def test_meaningful_single_characters_stay():
    got = terms("楼道的灯坏了，晚上很黑")
    assert "灯" in got and "坏" in got


def test_duplicates_are_kept_and_text_is_lowercased():
    assert terms("电梯坏了，电梯又坏了") == ["电梯", "坏", "电梯", "坏"]
    assert terms("WiFi 信号 WIFI") == ["wifi", "信号", "wifi"]


def test_building_numbers_are_normalised_whatever_the_numerals():
    assert terms("三栋") == terms("3栋") == terms("3号楼") == ["3栋"]
    assert terms("十二号楼和二十三幢") == ["12栋", "23栋"]


def test_ways_of_saying_broken_fold_into_one_term():
    assert set(terms("三栋楼道灯不亮")) == {"3栋", "楼道", "灯", "坏"}
    assert terms("路灯不亮") == ["路灯", "坏"]


def test_complaint_words_are_not_split_into_noise():
    assert terms("车辆乱停乱放堵住消防通道") == ["车辆", "乱停乱放", "堵住", "消防通道"]
    assert terms("暖气不热") == ["暖气", "不热"]


def test_empty_text_gives_no_terms():
    assert terms("") == [] and terms("   ") == [] and terms("，。！") == []


def test_dictionary_loads_quietly(capfd, caplog):
    text._tokenizer = None  # force a (cached) reload
    with caplog.at_level(logging.DEBUG, logger="jieba"):
        terms("加载词典")
    assert capfd.readouterr().err == ""
    assert not [r for r in caplog.records if r.levelno < logging.WARNING]
