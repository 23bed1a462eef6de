"""The audit log reads every event the ledger writes (keys such as "photos" name no field),
in words: the kind and the keys by their labels, never as codes (issue 16)."""


def test_audit_page_and_home_read_the_events_of_a_resolved_case(client, ledger):
    ledger.new_case("resolved")
    client.force_login(ledger.staff_a)
    audit = client.get("/audit/")
    assert audit.status_code == 200
    page = audit.content.decode()
    assert "办结" in page and ">cases.resolve_case<" not in page
    home = client.get("/")
    assert home.status_code == 200
    page = home.content.decode()
    assert "照片数：" in page  # the registered label of the "photos" count
    assert "photos：" not in page
