"""The audit log reads every event the ledger writes (keys such as "photos" name no field)."""


def test_audit_page_and_home_read_the_events_of_a_resolved_case(client, ledger):
    ledger.new_case("resolved")
    client.force_login(ledger.staff_a)
    audit = client.get("/audit/")
    assert audit.status_code == 200
    assert "cases.resolve_case" in audit.content.decode()
    home = client.get("/")
    assert home.status_code == 200
    assert "photos" in home.content.decode()  # shown under its own name
