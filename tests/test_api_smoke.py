import pytest

from tests.conftest import bearer, make_token, make_user

pytestmark = pytest.mark.both_databases


def test_organizer_creates_an_event_and_reads_it_back(client):
    user = make_user()
    token = make_token(user)
    response = client.post(
        "/api/v1/events",
        json={
            "name": "TECOM Conf Hangzhou",
            "starts_at": "2027-06-18T09:00:00+08:00",
            "ends_at": "2027-06-18T18:00:00+08:00",
            "timezone": "Asia/Shanghai",
            "capacity": 400,
        },
        headers=bearer(token),
    )
    assert response.status_code == 201, response.json
    body = response.json
    assert body["slug"] == "tecom-conf-hangzhou"
    assert body["starts_at"] == "2027-06-18T09:00:00+08:00"
    assert [t["name"] for t in body["ticket_types"]] == ["General admission"]
    assert body["ticket_types"][0]["remaining"] == 400
    got = client.get("/api/v1/events/tecom-conf-hangzhou", headers=bearer(token))
    assert got.status_code == 200 and got.json["status"] == "draft"
    assert client.get("/api/v1/events/tecom-conf-hangzhou").status_code == 404
