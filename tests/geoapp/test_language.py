import pytest

pytestmark = pytest.mark.django_db


def test_a_page_stays_vietnamese_when_the_browser_announces_english(client):
    response = client.get("/", headers={"accept-language": "en-US,en;q=0.9"})

    assert response.status_code == 200
    assert response.headers["Content-Language"] == "vi"


def test_a_page_is_english_once_the_visitor_chose_english(client):
    client.post("/i18n/setlang/", {"language": "en", "next": "/"})

    response = client.get("/", headers={"accept-language": "vi"})

    assert response.headers["Content-Language"] == "en"


def test_the_api_follows_accept_language(client):
    response = client.get(
        "/api/v1/areas/lookup/", {"lat": "x", "lon": "1"}, headers={"accept-language": "en"}
    )

    assert response.status_code == 400
    assert response.headers["Content-Language"] == "en"
    assert response.json()["detail"] == "Latitude (lat) must be a number, got “x”."
