"""A supplier's tool reads the governance model of its contracts through the API: each level's
mandate, response time and role holders on both sides, and the forums; of a joint forum only
its own contracts, and nothing of another supplier's."""

from tests.factories import make_forum


def test_a_supplier_s_tool_reads_its_governance_model_and_forums(
    client, contract_a, contract_b, procurement, contact_a, token_for, bearer
):
    joint = make_forum([contract_a, contract_b], procurement, name="Joint operations")
    theirs = make_forum([contract_b], procurement, name="Beta operations")
    tool = bearer(token_for(contact_a))

    levels = client.get("/api/v1/governance-levels", headers=tool).json()["items"]
    assert {level["contract_id"] for level in levels} == {contract_a.pk}
    assert {level["level"] for level in levels} == {"business", "contract", "operational"}
    operational = next(level for level in levels if level["level"] == "operational")
    assert {holder["side"] for holder in operational["role_holders"]} == {"buyer", "supplier"}
    assert operational["mandate"] and operational["response_days"] > 0
    b_level = contract_b.governance_levels.first()
    assert client.get(f"/api/v1/governance-levels/{b_level.pk}", headers=tool).status_code == 404

    forums = client.get("/api/v1/forums", headers=tool).json()["items"]
    assert [(forum["name"], forum["contract_ids"]) for forum in forums] == [
        ("Joint operations", [contract_a.pk])
    ]
    assert client.get(f"/api/v1/forums/{joint.pk}", headers=tool).status_code == 200
    assert client.get(f"/api/v1/forums/{theirs.pk}", headers=tool).status_code == 404
