"""English catalogue: pages switch to English, Chinese stays the default, the .po is complete."""

import ast
import gettext
import re
from collections import Counter
from html.parser import HTMLParser
from pathlib import Path

import pytest
from django.conf import settings
from django.utils import translation
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from gongzhi.areas.models import AreaKind

LOCALE = Path(settings.BASE_DIR) / "locale" / "en" / "LC_MESSAGES"
CJK = re.compile(r"[\u3000-\u303f\u3400-\u9fff\uff00-\uffef]")
# %(name)s with optional flags/width/precision, bare %s/%d, %%, and {} / {name} fields.
PLACEHOLDER = re.compile(r"%\(\w+\)[-#0 +]*\d*(?:\.\d+)?[a-zA-Z]|%[-#0+]*\d*(?:\.\d+)?[sdifr]|%%"
                         r"|\{\w*\}")
VOID = {"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source",
        "track", "wbr"}


# --- a tiny HTML reader: every element with its attributes and its full text ---------------


class _Elements(HTMLParser):
    def __init__(self):
        super().__init__()
        self.open: list[tuple[str, dict, list[str]]] = []
        self.done: list[tuple[str, dict, str]] = []

    def handle_starttag(self, tag, attrs):
        if tag not in VOID:
            self.open.append((tag, dict(attrs), []))

    def handle_data(self, data):
        for _tag, _attrs, text in self.open:
            text.append(data)

    def handle_endtag(self, tag):
        while self.open:
            name, attrs, text = self.open.pop()
            self.done.append((name, attrs, " ".join("".join(text).split())))
            if name == tag:
                break


def elements(response, tag: str, **attrs: str) -> list[str]:
    """Texts of the ``tag`` elements whose attributes contain ``attrs`` (class: one word)."""
    parser = _Elements()
    parser.feed(response.content.decode())

    def matches(have: dict) -> bool:
        for key, want in attrs.items():
            value = have.get(key.rstrip("_")) or ""
            if (want not in value.split()) if key == "class_" else value != want:
                return False
        return True

    return [text for name, have, text in parser.done if name == tag and matches(have)]


def one(response, tag: str, **attrs: str) -> str:
    found = elements(response, tag, **attrs)
    assert len(found) == 1, (tag, attrs, found)
    return found[0]


def assert_english(*texts: str) -> None:
    for text in texts:
        assert text and not CJK.search(text), text


@pytest.fixture
def english(client):
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    return client


def html_lang(response) -> str:
    return re.search(r'<html lang="([^"]+)"', response.content.decode()).group(1)


# --- pages in English ----------------------------------------------------------------------


@pytest.mark.django_db
def test_login_page_in_english(english):
    response = english.get("/accounts/login/")
    assert response.status_code == 200
    assert html_lang(response) == "en"
    assert one(response, "h1") == "Log in"
    assert one(response, "title") == "Log in · Gongzhi"
    assert one(response, "button", class_="button-primary") == "Log in"
    assert elements(response, "label") == ["Mobile number or username", "Password"]
    assert "Forgot your password? Ask your community to reset it." in elements(response, "p")
    assert one(response, "a", class_="skip-link") == "Skip to content"
    assert one(response, "footer") == "Gongzhi · build together, govern together, share together"
    # The switcher now offers the way back to Chinese, labelled in Chinese on purpose.
    assert one(response, "button", name="language") == "中文"
    assert one(response, "button", name="large") == "Large text"


@pytest.mark.django_db
def test_login_error_in_english(english, street):
    response = english.post("/accounts/login/", {"username": "staff_a", "password": "wrong"})
    assert response.status_code == 200
    error = one(response, "ul", class_="errorlist")
    assert error == "The mobile number/username or password is incorrect. Please try again."


@pytest.mark.django_db
def test_welcome_page_in_english(english):
    response = english.get("/")
    assert response.status_code == 200
    assert one(response, "h1") == "Welcome to Gongzhi"
    assert one(response, "title") == "Welcome · Gongzhi"
    lead = one(response, "p", class_="lead")
    assert lead.startswith("Community matters, decided together")
    assert one(response, "a", class_="button-primary") == "Log in"
    assert_english(*elements(response, "p", class_="muted"), one(response, "a", class_="brand"))


def test_area_page_in_english(english, street):
    english.force_login(street.street_staff)
    response = english.get("/areas/S/")
    assert response.status_code == 200
    assert html_lang(response) == "en"
    assert one(response, "small", class_="muted") == "Street"  # the kind beside the name
    assert one(response, "h2", id="children-heading") == "Sub-areas"
    assert one(response, "h2", id="map-heading") == "Grid map"
    headers = elements(response, "th", scope="col")  # sub-areas first, then households
    assert headers[:4] == ["Name", "Level", "Households", "Residents"]
    assert "Head of household" in headers and "Phone" in headers
    assert "Export households (Excel)" in elements(response, "a", class_="button")
    assert one(response, "nav", class_="breadcrumbs").startswith("Areas ")
    # Kinds of the children are translated; their names are data and stay as entered.
    rows = elements(response, "td")
    assert rows.count("Community") == 2 and "活龙社区" in rows
    assert_english(*elements(response, "a", class_="button"), *elements(response, "dt"),
                   *elements(response, "th"))
    assert one(response, "button", name="large") == "Large text"
    # Header: logout button and the notifications link, English around the user's name.
    assert "Log out" in elements(response, "button")
    assert one(response, "a", class_="inbox-link").startswith("Notifications")


def test_set_language_view_switches_to_english_and_back(client, street):
    client.force_login(street.staff_a)
    response = client.post("/i18n/setlang/", {"language": "en", "next": "/areas/CA/"})
    assert response.status_code == 302 and response["Location"] == "/areas/CA/"
    assert one(client.get("/areas/CA/"), "h2", id="children-heading") == "Sub-areas"
    client.post("/i18n/setlang/", {"language": "zh-hans", "next": "/"})
    assert one(client.get("/areas/CA/"), "h2", id="children-heading") == "下级区域"


# --- Chinese by default --------------------------------------------------------------------


@pytest.mark.django_db
def test_chinese_is_the_default_without_the_cookie(client):
    login = client.get("/accounts/login/")
    assert html_lang(login) == "zh-hans"
    assert one(login, "h1") == "登录"
    assert elements(login, "label") == ["手机号或用户名", "密码"]
    assert one(login, "button", name="language") == "English"
    welcome = client.get("/", HTTP_ACCEPT_LANGUAGE="en")  # only the cookie switches
    assert html_lang(welcome) == "zh-hans"
    assert one(welcome, "h1") == "欢迎使用共治"
    assert one(welcome, "a", class_="button-primary") == "登录"


def test_area_page_is_chinese_without_the_cookie(client, street):
    client.force_login(street.street_staff)
    response = client.get("/areas/S/")
    assert one(response, "small", class_="muted") == "街道"
    assert one(response, "h2", id="children-heading") == "下级区域"


def test_python_strings_and_plurals_follow_the_active_language():
    with translation.override("en"):
        assert str(AreaKind.COMPOUND.label) == "Compound"
        assert _("网格员") == "Grid worker"
        read = "已将 %(count)d 条通知标为已读。"  # core/views.py: the same words both ways
        one_read, many_read = ngettext(read, read, 1), ngettext(read, read, 3)
        assert one_read % {"count": 1} == "Marked 1 notification as read."
        assert many_read % {"count": 3} == "Marked 3 notifications as read."
    with translation.override("zh-hans"):
        assert str(AreaKind.COMPOUND.label) == "小区"


# --- the catalogue itself ------------------------------------------------------------------


def read_po(path: Path) -> list[dict]:
    """Entries as {"flags", "msgid", "msgid_plural", "msgstr", "msgstr[0]", ...}; header skipped."""
    entries = []
    for block in path.read_text(encoding="utf-8").split("\n\n"):
        entry: dict = {"flags": set()}
        key = None
        for line in block.strip().splitlines():
            if line.startswith("#,"):
                entry["flags"] |= {flag.strip() for flag in line[2:].split(",")}
            elif line.startswith("#"):
                continue
            elif match := re.match(r'(msgid_plural|msgid|msgstr(?:\[\d+\])?) (".*")$', line):
                key = match.group(1)
                entry[key] = ast.literal_eval(match.group(2))
            else:
                entry[key] += ast.literal_eval(line)
        if entry.get("msgid"):
            entries.append(entry)
    return entries


def placeholders(text: str) -> tuple[set, Counter]:
    """Named fields as a set (a bilingual msgid names each twice); positional ones counted."""
    found = PLACEHOLDER.findall(text)
    named = {token for token in found if token.startswith(("%(", "{")) and token != "{}"}
    return named, Counter(token for token in found if token not in named)


@pytest.fixture(scope="module")
def catalogue() -> list[dict]:
    entries = read_po(LOCALE / "django.po")
    assert len(entries) > 300  # the whole UI, not a stub
    return entries


def test_catalogue_has_no_untranslated_or_fuzzy_entries(catalogue):
    fuzzy = [e["msgid"] for e in catalogue if "fuzzy" in e["flags"]]
    assert fuzzy == []
    empty = [e["msgid"] for e in catalogue
             if not all(e[k] for k in e if k.startswith("msgstr"))]
    assert empty == []
    plurals = [e for e in catalogue if "msgid_plural" in e]
    assert plurals and all(set(e) >= {"msgstr[0]", "msgstr[1]"} for e in plurals)
    copied = [e["msgid"] for e in catalogue  # a Chinese msgid pasted in as its own English
              if CJK.search(e["msgid"]) and e.get("msgstr", e.get("msgstr[0]")) == e["msgid"]]
    assert copied == []


def test_every_translation_keeps_the_placeholders_of_its_msgid(catalogue):
    wrong = []
    for entry in catalogue:
        if "msgid_plural" in entry:
            pairs = [(entry["msgid"], entry["msgstr[0]"]),
                     (entry["msgid_plural"], entry["msgstr[1]"])]
        else:
            pairs = [(entry["msgid"], entry["msgstr"])]
        wrong += [(source, target) for source, target in pairs
                  if placeholders(source) != placeholders(target)]
    assert wrong == []


def test_compiled_catalogue_matches_the_po(catalogue):
    """The committed .mo is what Django loads: it must hold every translation of the .po."""
    with open(LOCALE / "django.mo", "rb") as handle:
        compiled = gettext.GNUTranslations(handle)
    stale = []
    for entry in catalogue:
        if "msgid_plural" in entry:
            for n, key in ((1, "msgstr[0]"), (2, "msgstr[1]")):
                if compiled.ngettext(entry["msgid"], entry["msgid_plural"], n) != entry[key]:
                    stale.append(entry["msgid"])
        elif compiled.gettext(entry["msgid"]) != entry["msgstr"]:
            stale.append(entry["msgid"])
    assert stale == []
