"""The risk register through the API: a supplier's tool reads the risks the city shared with
its supplier, never one the city keeps to itself, nor another supplier's."""

from tests.factories import make_risk


def test_a_supplier_s_tool_reads_only_the_risks_shared_with_it(
    client, contract_a, contract_b, procurement, contact_a, token_for, bearer
):
    shared = make_risk(contract_a, procurement, title="Shared", shared_with_supplier=True)
    kept = make_risk(contract_a, procurement, title="City only", likelihood=5, impact=5)
    theirs = make_risk(contract_b, procurement, title="Beta's", shared_with_supplier=True)

    contact = bearer(token_for(contact_a))
    listed = client.get("/api/v1/risks", headers=contact).json()["items"]
    assert [risk["title"] for risk in listed] == ["Shared"]
    assert listed[0]["score"] == 12 and listed[0]["owner_name"]
    assert client.get(f"/api/v1/risks/{kept.pk}", headers=contact).status_code == 404
    assert client.get(f"/api/v1/risks/{theirs.pk}", headers=contact).status_code == 404

    city = bearer(token_for(procurement))
    titles = {risk["title"] for risk in client.get("/api/v1/risks", headers=city).json()["items"]}
    assert titles == {"Shared", "City only", "Beta's"}
    one = client.get(f"/api/v1/risks/{shared.pk}", headers=city).json()
    assert one["shared_with_supplier"] is True and one["supplier_id"] == contract_a.supplier_id
