"""Calling the JSON API as a logged-in user, for the API tests."""

import json

CONFLICT = {"detail": "该诉求件已被他人处理，请刷新后再试",
            "detail_en": "this case was changed by someone else; reload it and try again",
            "code": "conflict"}


def call(client, user, method, url, body=None, **headers):
    client.force_login(user)
    if method == "get":
        return client.get(url, body or {}, headers=headers)
    return client.post(url, json.dumps(body or {}), content_type="application/json",
                       headers=headers)


def post(client, user, url, body=None, **headers):
    return call(client, user, "post", url, body, **headers)


def get(client, user, url, params=None):
    return call(client, user, "get", url, params)
