def test_health(client, db):
    response = client.get("/api/v1/health")
    assert response.status_code == 200
    assert response.json()["status"] == "ok"


def test_public_home_is_chinese(client, db):
    response = client.get("/")
    assert response.status_code == 200
    assert 'lang="zh-Hans"' in response.content.decode()
