"""`/`: a small page for people, linking the API docs, the browsable API and the admin."""

from __future__ import annotations

import re


def test_the_landing_page_links_the_docs_the_browsable_api_and_the_admin(api):
    response = api.get("/")
    assert response.status_code == 200
    assert response.headers["Content-Type"].startswith("text/html")
    links = set(re.findall(r'href="([^"?]+)', response.text))
    assert {"/api/docs", "/timesheets", "/admin/"} <= links
    for link in links:
        assert api.get(link).status_code in (200, 401), link  # the API asks for a token


def test_the_admins_view_site_link_leads_to_it(admin_client):
    admin = admin_client.get("/admin/").content.decode()
    assert re.search(r'<a href="/">View site</a>', admin)
    assert admin_client.get("/").status_code == 200
