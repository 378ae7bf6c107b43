"""Links are built on SITE_URL only: a request's Host or X-Forwarded-Host never reaches a
mailed link, unknown hosts get 400, and a reset link dies when the address changes."""

import re

import pytest
from conftest import PASSWORD, Api

SITE = "https://ginga.example"


def links_in(mail):
    return re.findall(r"https?://\S+", mail)


@pytest.mark.parametrize(
    "config_overrides",
    [{"SITE_URL": SITE, "MORE_TRUSTED_HOSTS": "internal.example,localhost", "PROXY_HOPS": 1}],
)
def test_mailed_links_follow_site_url_not_the_request(app, make_user, mails):
    make_user("ana")
    # a host the site does not serve: refused before anything is mailed
    for headers in (
        {"Host": "evil.example"},
        {"Host": "internal.example", "X-Forwarded-Host": "evil.example"},
        {"Host": "ginga.example", "X-Forwarded-Host": "evil.example:443"},
    ):
        api = Api(app.test_client())
        answer = api.post(
            "/api/v1/auth/password/forgot", {"email": "ana@example.com"}, headers=headers
        )
        assert answer.status_code == 400, headers
        assert "not trusted" in answer.get_json()["error"]["message"]
    assert mails("ana@example.com") == []
    # a host it serves that is not SITE_URL (a health checker's, a proxy's): links stay on SITE
    client = app.test_client()
    client.environ_base["HTTP_HOST"] = "internal.example"
    api = Api(client)
    answer = api.post("/api/v1/auth/password/forgot", {"email": "ana@example.com"})
    assert answer.status_code == 202
    answer = api.post(
        "/api/v1/auth/register",
        {"username": "bea", "email": "bea@example.com", "password": PASSWORD},
    )
    assert answer.status_code == 201, answer.get_json()
    invite = api.get("/api/v1/me/invite").get_json()
    sent = mails("ana@example.com") + mails("bea@example.com")
    found = [link for mail in sent for link in links_in(mail)] + [invite["url"]]
    assert sum("/password/reset/" in link or "/verify/" in link for link in found) == 2
    assert all(link == SITE or link.startswith(f"{SITE}/") for link in found), found


@pytest.mark.parametrize(
    "config_overrides", [{"SITE_URL": SITE, "MORE_TRUSTED_HOSTS": "localhost"}]
)
def test_share_links_on_pages_follow_site_url(app, client, make_round):
    round_ = make_round("open")
    page = client.get(f"/rounds/{round_.slug}", headers={"Host": "ginga.example"})
    assert page.status_code == 200
    og = re.search(rb'property="og:url" content="([^"]+)"', page.data).group(1).decode()
    assert og == f"{SITE}/rounds/{round_.slug}"
    assert client.get(f"/rounds/{round_.slug}", headers={"Host": "evil.example"}).status_code == 400


def test_a_reset_link_mailed_to_the_old_address_dies_with_the_change(api, make_user, mails):
    make_user("ana")
    api.post("/api/v1/auth/password/forgot", {"email": "ana@example.com"})
    token = links_in(mails("ana@example.com")[0])[0].rsplit("/", 1)[1]
    api.login("ana")
    moved = api.put("/api/v1/me/email", {"email": "ana@new.example", "password": PASSWORD})
    assert moved.status_code == 200, moved.get_json()
    answer = api.post("/api/v1/auth/password/reset", {"token": token, "password": "a new secret!"})
    assert answer.status_code == 400 and answer.get_json()["error"]["code"] == "invalid_token"
    api.post("/api/v1/auth/logout")
    Api(api.client).login("ana")  # the old password still works: nothing was changed


def test_trusted_hosts_come_from_site_url():
    from contest.config import trusted_hosts

    assert trusted_hosts("https://ginga.example, https://www.ginga.example") == [
        "ginga.example",
        "www.ginga.example",
    ]
    assert trusted_hosts("http://127.0.0.1:5000") == ["127.0.0.1", "[::1]", "localhost"]
    assert trusted_hosts("https://ginga.example", "10.0.0.5, lb.internal") == [
        "10.0.0.5",
        "ginga.example",
        "lb.internal",
    ]


@pytest.mark.parametrize("path", ["/", "/healthz", "/api/v1/rounds", "/login"])
def test_an_unknown_host_on_a_fresh_process_is_a_400(app, path):
    answer = app.test_client().get(path, headers={"Host": "ginga"})  # nothing built before
    assert answer.status_code == 400
    assert answer.get_json()["error"]["code"] == "bad_host"
