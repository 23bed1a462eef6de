"""Masking of phone numbers, ID numbers and names."""

import pytest

from gongzhi.core.masking import mask_id_number, mask_name, mask_phone


@pytest.mark.parametrize(("value", "masked"), [
    ("13812341234", "138****1234"),
    (" 13812341234 ", "138****1234"),
    ("+8613812341234", "+86*******1234"),
    # Landlines: an area code keeps its head; a bare local number keeps only its tail.
    ("010-12345678", "010*****5678"),
    ("0731-88886666", "073******6666"),
    ("88886666", "****6666"),
    ("8888666", "****666"),
    # Too short to show anything.
    ("123456", "******"),
    ("1", "*"),
    ("", ""),
    (None, ""),
])
def test_mask_phone(value, masked):
    assert mask_phone(value) == masked


@pytest.mark.parametrize("value", ["13812341234", "88886666", "8888666", "010-12345678"])
def test_phone_always_hides_at_least_four_characters(value):
    assert mask_phone(value).count("*") >= 4


@pytest.mark.parametrize(("value", "masked"), [
    ("110105194901011234", "110105********1234"),
    ("11010519490101123X", "110105********123X"),
    # First-generation 15-digit card: the birth date (digits 7–12) is hidden entirely.
    ("110105490101123", "110105******123"),
    # Other documents show only their last quarter.
    ("G123456789012", "**********012"),
    ("1234567890", "********90"),
    ("E12345678", "*********"),
    ("", ""),
    (None, ""),
])
def test_mask_id_number(value, masked):
    assert mask_id_number(value) == masked


def test_id_number_never_shows_the_birth_date():
    assert "19490101" not in mask_id_number("110105194901011234")
    assert "490101" not in mask_id_number("110105490101123")


@pytest.mark.parametrize(("value", "masked"), [
    ("王秀英", "王*英"),
    ("张伟", "张*"),
    ("欧阳娜娜", "欧**娜"),
    ("李", "李*"),
    (" 刘芳 ", "刘*"),
    ("", ""),
    ("  ", ""),
    (None, ""),
])
def test_mask_name(value, masked):
    assert mask_name(value) == masked
