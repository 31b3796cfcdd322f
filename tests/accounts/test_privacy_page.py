"""The privacy notice (/privacy/): structured, in both languages, naming the controller from
the settings and linking to the person's rights."""

import re

import pytest
from django.test import Client

pytestmark = pytest.mark.django_db

URL = "/privacy/"
SECTIONS = ("responsible", "data", "legal-bases", "visibility", "results", "retention", "cookies", "third-parties",
            "rights")


def page(language: str = "en") -> str:
    client = Client()
    client.cookies["django_language"] = language
    response = client.get(URL)
    assert response.status_code == 200
    return response.content.decode()


def test_it_has_a_table_of_contents_whose_links_all_land():
    html = page()
    targets = re.findall(r'<a href="#([\w-]+)">', html)
    assert targets == list(SECTIONS)
    for section in SECTIONS:
        assert re.search(rf'<h2 id="{section}">', html), section


def test_its_headings_go_down_one_level_at_a_time():
    levels = [int(n) for n in re.findall(r"<h([1-6])[ >]", page().split('<main', 1)[1])]
    assert levels[0] == 1 and levels.count(1) == 1
    assert all(b - a <= 1 for a, b in zip(levels, levels[1:]))


def test_it_names_the_legal_bases_the_rights_and_the_cookies():
    html = page()
    for text in ("Art. 6(1)(a)", "Art. 6(1)(b)", "Art. 6(1)(e)", "Art. 15", "Art. 16", "Art. 17", "Art. 21",
                 "Art. 77", "sessionid", "csrftoken", "django_language", "pseudonym"):
        assert text in html, text
    assert 'href="/profile/data.json"' in html and 'href="/profile/delete/"' in html and 'href="/profile/"' in html
    assert '<th scope="col">' in html and '<th scope="row">' in html


def test_it_names_the_operator_and_contact_from_the_settings(settings):
    settings.OPERATOR = "Stadt Musterstadt\nRathausplatz 1\n12345 Musterstadt"
    settings.CONTACT_EMAIL = "datenschutz@musterstadt.example"
    html = page()
    assert "Stadt Musterstadt<br>Rathausplatz 1<br>12345 Musterstadt" in html
    assert 'href="mailto:datenschutz@musterstadt.example"' in html


def test_without_settings_it_says_the_operator_must_be_named(settings):
    settings.OPERATOR, settings.CONTACT_EMAIL = "", ""
    assert "The operator enters its name and postal address here." in page()


def test_it_is_german_by_default():
    html = page("de")
    assert '<html lang="de"' in html
    assert "<h2 id=\"rights\">" in html


def test_it_loads_nothing_from_other_sites():
    html = page()
    assert not re.search(r'<(script|link|img|iframe)[^>]+(src|href)="https?://', html)
