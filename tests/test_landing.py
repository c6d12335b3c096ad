"""`/`: a small page for people, linking the API docs, the browsable API and the admin."""

from __future__ import annotations

import re


def test_the_landing_page_links_the_docs_the_browsable_api_and_the_admin(api):
    response = api.get("/")
    assert response.status_code == 200
    assert response.headers["Content-Type"].startswith("text/html")
    links = set(re.findall(r'href="([^"?]+)', response.text))
    assert {"/api/docs", "/timesheets", "/admin/", "/favicon.ico"} <= links
    for link in links:
        assert api.get(link).status_code in (200, 401), link  # the API asks for a token


def test_the_favicon_is_served_so_browsers_log_no_not_found(api, caplog):
    response = api.get("/favicon.ico")
    assert response.status_code == 200
    assert response.content[:4] == b"\x00\x00\x01\x00"  # an ICO file
    assert "Not Found" not in caplog.text


def test_the_admins_view_site_link_leads_to_it(admin_client):
    admin = admin_client.get("/admin/").content.decode()
    assert re.search(r'<a href="/">View site</a>', admin)
    assert admin_client.get("/").status_code == 200
