"""What the page tests share: a page's HTML, a logged-in client, one table row by its data-*."""

import re


def html(response) -> str:
    return response.content.decode()


def login(client, user):
    client.force_login(user)
    return client


def row(page: str, attr: str, value) -> str:
    match = re.search(rf'<tr data-{attr}="{value}"[^>]*>(.*?)</tr>', page, re.S)
    assert match, f"no row data-{attr}={value}"
    return match.group(1)
