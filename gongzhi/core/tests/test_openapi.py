"""The OpenAPI schema and the docs page: complete, valid, and nothing loaded from a CDN."""

import json
from html.parser import HTMLParser

from django.conf import settings

# (path, method) → the statuses it documents besides 401 (every endpoint needs a login).
# Success is 200 unless "201" is listed; an operation that answers both lists "200" too.
READ = {"404", "422"}
CHANGE = {"403", "404", "409", "422"}
API_OPERATIONS = {
    ("/api/me", "get"): set(),
    ("/api/areas/", "get"): set(),
    ("/api/areas/locate", "get"): READ,
    ("/api/areas/{code}", "get"): READ,
    ("/api/areas/{code}/children", "get"): READ,
    ("/api/areas/{code}/households", "get"): READ,
    ("/api/households/{id}", "get"): READ,
    ("/api/cases/", "get"): READ,
    # 201 for a new case, 200 when the idempotency key names one already filed
    ("/api/cases/", "post"): {"200", "201", "403", "409", "422"},
    ("/api/cases/{id}", "get"): READ,
    **{(f"/api/cases/{lookup}", "get"): READ for lookup in [
        "categories", "suggest", "similar", "kpis"]},
    **{(f"/api/cases/{{id}}/{step}", "post"): CHANGE for step in [
        "accept", "reject", "dispatch", "start", "resolve", "rate", "forward", "escalate",
        "note", "reclassify", "extension", "extension/decide", "merge", "support"]},
    # --- deliberation ---
    ("/api/deliberation/polls", "get"): {"422"},
    ("/api/deliberation/polls/{id}", "get"): READ,
    # 201 for the ballot; 409 when the unit has voted already
    ("/api/deliberation/polls/{id}/ballots", "post"): {"201", "403", "404", "409", "422"},
    ("/api/deliberation/topics", "get"): {"422"},
    # 201 with the new topic
    ("/api/deliberation/topics", "post"): {"201", "403", "422"},
    ("/api/deliberation/topics/{id}", "get"): READ,
    ("/api/deliberation/topics/{id}/support", "post"): {"403", "404", "422"},
    ("/api/deliberation/consultations/{id}", "get"): READ,
    ("/api/deliberation/consultations/{id}/answer", "post"): {"403", "404", "422"},
    ("/api/deliberation/resolutions/{id}", "get"): READ,
    # --- notices ---
    ("/api/notices/", "get"): READ,
    ("/api/notices/{id}", "get"): READ,
    # 201 for a new objection, 200 when the same one was lodged already (a retry)
    ("/api/notices/{id}/objections", "post"): {"200", "201", "403", "404", "422"},
    # --- volunteering ---
    ("/api/volunteering/menu", "get"): {"422"},
    # 201 with the new order, or the new micro-wish on the open board
    ("/api/volunteering/orders", "post"): {"201", "403", "422"},
    ("/api/volunteering/wishes", "post"): {"201", "403", "422"},
    ("/api/volunteering/orders", "get"): {"422"},
    ("/api/volunteering/orders/{id}", "get"): READ,
    ("/api/volunteering/board", "get"): {"422"},
    # 409 when taken by someone else, or done already
    **{(f"/api/volunteering/orders/{{id}}/{step}", "post"): CHANGE for step in [
        "claim", "accept", "complete", "rate", "cancel"]},
    ("/api/volunteering/orders/{id}/decline", "post"): {"403", "404", "422"},
    ("/api/volunteering/activities", "get"): {"422"},
    # 201 with a place or a place on the waiting list; 409 when signed up already
    ("/api/volunteering/activities/{id}/signup", "post"): {"201", "403", "404", "409", "422"},
    ("/api/volunteering/activities/{id}/cancel", "post"): CHANGE,
    ("/api/volunteering/me", "get"): set(),
    # --- volunteering staff ---
    ("/api/volunteering/manage/orders", "get"): {"403", "422"},
    # 409 when the order has moved past the step (dispatched, taken, done, cancelled)
    ("/api/volunteering/manage/orders/{id}/dispatch", "post"): CHANGE,
    ("/api/volunteering/manage/orders/{id}/board", "post"): CHANGE,
    # 201 with the new activity
    ("/api/volunteering/manage/activities", "post"): {"201", "403", "422"},
    ("/api/volunteering/manage/activities/{id}/attendance", "post"): {"403", "404", "422"},
    ("/api/volunteering/manage/shifts/uncovered", "get"): {"403", "422"},
    # 404 when the area or team filter is outside my area
    ("/api/volunteering/manage/rankings", "get"): {"403", "404", "422"},
    # --- volunteering shifts and rewards ---
    ("/api/volunteering/shifts", "get"): set(),
    ("/api/volunteering/shifts/mine", "get"): set(),
    # 201 with the place; 409 when full or signed up already
    ("/api/volunteering/shifts/{id}/signup", "post"): {"201", "403", "404", "409", "422"},
    ("/api/volunteering/shifts/signups/{id}/cancel", "post"): CHANGE,
    ("/api/volunteering/rewards", "get"): set(),
    # 201 with the redemption / the coupon's code; 409 when none is left
    ("/api/volunteering/rewards/{id}/redeem", "post"): {"201", "403", "404", "409", "422"},
    ("/api/volunteering/coupons/{id}/buy", "post"): {"201", "403", "404", "409", "422"},
    ("/api/volunteering/coupons/mine", "get"): set(),
    ("/api/volunteering/manage/menu", "post"): {"201", "403", "422"},
    ("/api/volunteering/manage/menu/{id}/retire", "post"): CHANGE,
    ("/api/volunteering/manage/rewards", "post"): {"201", "403", "422"},
    ("/api/volunteering/manage/rewards/{id}/restock", "post"): {"403", "404", "422"},
    # --- renewal ---
    ("/api/renewal/projects", "get"): {"422"},
    ("/api/renewal/projects/{id}", "get"): READ,
    ("/api/renewal/projects/{id}/survey", "get"): READ,
    # 201 with the answer; 409 when my household has answered already
    ("/api/renewal/projects/{id}/survey/answer", "post"): {"201", "403", "404", "409", "422"},
    # 201 with the inspection (and the case a problem opened)
    ("/api/renewal/projects/{id}/inspections", "post"): {"201", "403", "404", "422"},
    # 201 with the sign-off; 409 when that side has signed the item already
    ("/api/renewal/items/{id}/signoff", "post"): {"201", "403", "404", "409", "422"},
    # 409 when the project has reached that stage already
    ("/api/renewal/projects/{id}/stage", "post"): CHANGE,
    ("/api/renewal/items/{id}/progress", "post"): {"201", "403", "404", "422"},
    ("/api/renewal/compounds", "get"): {"403", "422"},
    ("/api/renewal/board", "get"): {"403", "422"},
    # --- campaigns ---
    ("/api/campaigns/selections", "get"): {"422"},
    ("/api/campaigns/selections/{id}", "get"): READ,
    # 201 with the nomination (pending review; staff's pass at once)
    ("/api/campaigns/selections/{id}/nominations", "post"): {"201", "403", "404", "422"},
    # 201 with the vote; 409 when voted for this nominee already or no votes left
    ("/api/campaigns/nominations/{id}/vote", "post"): {"201", "403", "404", "409", "422"},
    # 409 when reviewed already
    ("/api/campaigns/nominations/{id}/review", "post"): CHANGE,
    ("/api/campaigns/honour/{code}", "get"): READ,
    # --- campaigns: 十星级文明户 ---
    ("/api/campaigns/stars/criteria", "get"): set(),
    ("/api/campaigns/stars/assessments", "get"): {"422"},
    # 201 with the draft; 409 when that year was confirmed already
    ("/api/campaigns/stars/assessments", "post"): {"201", "403", "404", "409", "422"},
    ("/api/campaigns/stars/assessments/{id}", "get"): READ,
    # 409 when confirmed already (no second award)
    ("/api/campaigns/stars/assessments/{id}/confirm", "post"): CHANGE,
    ("/api/campaigns/stars/mine", "get"): set(),
    # --- campaigns: 门前三包 ---
    ("/api/campaigns/shops", "get"): READ,
    # 201 with the shop (a new merchant organisation on its grid)
    ("/api/campaigns/shops", "post"): {"201", "403", "404", "422"},
    ("/api/campaigns/shops/{id}", "get"): READ,
    ("/api/campaigns/shops/inspections", "get"): READ,
    # 201 with the inspection; a problem needs a note and a base64 photo (422)
    ("/api/campaigns/shops/inspections", "post"): {"201", "403", "404", "422"},
    ("/api/campaigns/shops/scores", "get"): READ,
    # 201 with the board; 422 for a month not ended or a board out already
    ("/api/campaigns/shops/boards", "post"): {"201", "403", "404", "422"},
    # --- campaigns: 网格合伙人 ---
    ("/api/campaigns/partners/posts", "get"): set(),
    ("/api/campaigns/partners/posts", "post"): {"201", "403", "422"},
    ("/api/campaigns/partners/posts/{id}/apply", "post"): {"201", "403", "404", "409", "422"},
    ("/api/campaigns/partners/applications", "get"): {"422"},
    ("/api/campaigns/partners/applications/{id}/decide", "post"): CHANGE,
    ("/api/campaigns/partners/mine", "get"): set(),
    ("/api/campaigns/partners/patrols", "get"): set(),
    ("/api/campaigns/partners/patrols", "post"): {"201", "403", "404", "422"},
    ("/api/campaigns/partners/patrols/{id}/report", "post"): CHANGE,
    # --- campaigns: 居民公约 ---
    ("/api/campaigns/conventions", "get"): {"422"},
    ("/api/campaigns/conventions/{id}", "get"): READ,
    # 201 with the signature; 409 when the household has signed already
    ("/api/campaigns/conventions/{id}/sign", "post"): {"201", "403", "404", "409", "422"},
    ("/api/campaigns/conventions/{id}/rates", "get"): {"403", "404", "422"},
}
API_PATHS = {path for path, _ in API_OPERATIONS}


class Links(HTMLParser):
    """Every URL a page asks the browser to fetch or follow."""

    def __init__(self) -> None:
        super().__init__()
        self.urls: list[tuple[str, str, str]] = []
        self.scripts = 0

    def handle_starttag(self, tag, attrs):
        self.scripts += tag == "script"
        for name, value in attrs:
            if name in {"src", "href", "action", "srcset", "data"} and value is not None:
                self.urls.append((tag, name, value))


def test_openapi_json_lists_every_path(client, db):
    response = client.get("/api/openapi.json")
    assert response.status_code == 200
    schema = json.loads(response.content)
    assert schema["openapi"].startswith("3.")
    assert set(schema["paths"]) == API_PATHS
    documented = {(path, method) for path, ops in schema["paths"].items() for method in ops}
    assert documented == set(API_OPERATIONS)
    for (path, method), statuses in API_OPERATIONS.items():
        operation = schema["paths"][path][method]
        expected = {"401"} | statuses | ({"200"} if "201" not in statuses else set())
        assert set(operation["responses"]) == expected, (path, method)
        schemes = {name for req in operation["security"] for name in req}
        assert schemes == {"BearerToken", "HeaderToken", "SessionAuth"}, (path, method)
    security = schema["components"]["securitySchemes"]
    assert security["BearerToken"] == {"type": "http", "scheme": "bearer"}
    assert security["HeaderToken"] == {"type": "apiKey", "in": "header", "name": "X-API-Key"}
    assert security["SessionAuth"]["in"] == "cookie"
    household = schema["components"]["schemas"]["HouseholdOut"]["properties"]
    assert {"type": "string"} in household["floor_area"]["anyOf"]
    assert "number" not in json.dumps(household["floor_area"])
    page = schema["components"]["schemas"]["HouseholdPage"]["properties"]
    assert {"items", "next_cursor"} <= set(page)


def test_docs_page_is_local_html(client, db):
    response = client.get("/api/docs")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/html")
    html = response.content.decode()
    for path in API_PATHS:
        assert path in html
    assert "X-API-Key" in html and "/api/openapi.json" in html
    parser = Links()
    parser.feed(html)
    assert parser.urls, "the page links at least its stylesheet and the schema"
    for tag, attr, url in parser.urls:
        # Same-site only: no scheme, no protocol-relative //host, nothing from a CDN.
        assert url.startswith(("/", "#")) and not url.startswith("//"), (tag, attr, url)
        if tag == "link" and attr == "href":
            assert url.startswith(settings.STATIC_URL), url
    assert "cdn" not in html.lower()
    assert parser.scripts == 0  # drawn on the server: readable without JavaScript
