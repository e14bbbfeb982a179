def test_health(client, db):
    response = client.get("/api/v1/health")
    assert response.status_code == 200
    assert response.json()["status"] == "ok"


def test_public_home_is_chinese(client, db):
    response = client.get("/")
    assert response.status_code == 200
    assert 'lang="zh-Hans"' in response.content.decode()


def test_every_page_names_an_icon_that_is_served(client, db):
    """Without one the browser asks for /favicon.ico on every first page: a 404."""
    import re

    html = client.get("/").content.decode()
    icon = re.search(r'<link rel="icon"[^>]*href="([^"]+)"', html)
    assert icon, "no <link rel=icon>"
    assert client.get(icon.group(1)).status_code == 200
