import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from helpathon.editions.models import Edition, PhaseChange
from tests.factories import make_edition

pytestmark = pytest.mark.django_db


def _query_count(client, url) -> int:
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(url)
    assert response.status_code == 200
    return len(ctx.captured_queries)


def test_it_lists_current_upcoming_and_past_editions(client):
    from datetime import timedelta

    make_edition(slug="soon", title="Bald")
    make_edition(slug="long-ago", title="Früher", starts_in=timedelta(days=-30), registration_open=False)
    make_edition(slug="hidden", title="Entwurf", status=Edition.Status.DRAFT)
    response = client.get("/")
    html = response.content.decode()
    assert response.status_code == 200
    assert "Bald" in html and "Früher" in html
    assert "Entwurf" not in html
    assert html.index("Bald") < html.index("Früher")  # upcoming before the archive


def test_it_speaks_german_by_default_and_english_on_request(client, edition):
    html = client.get(edition.get_absolute_url(), HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert '<html lang="de">' in html
    client.post("/i18n/setlang/", {"language": "en", "next": "/"})
    html = client.get(edition.get_absolute_url()).content.decode()
    assert '<html lang="en">' in html


def test_it_shows_the_edition_with_challenges_questions_and_agenda(client, edition):
    response = client.get(edition.get_absolute_url())
    html = response.content.decode()
    assert edition.title in html
    for challenge in edition.challenges.all():
        assert challenge.title in html
        for question in challenge.question_list:
            assert question in html
    for phase in edition.phases.all():
        assert phase.display_title in html
    assert "Wirtschaftsförderung Test" in html


def test_it_highlights_the_current_phase_and_counts_down(client):
    from datetime import timedelta

    edition = make_edition(
        slug="running", starts_in=timedelta(hours=-1), duration=timedelta(hours=4), phase_kinds=["ideation", "evaluation"]
    )
    phase = edition.phases.get(kind="ideation")
    html = client.get(edition.get_absolute_url()).content.decode()
    assert 'aria-current="step"' in html
    assert 'role="timer" data-countdown="' in html
    # The highlighted item is the ideation phase.
    current = html.split('aria-current="step"')[1].split("</li>")[0]
    assert phase.display_title in current


def test_it_shows_a_held_phase_without_a_countdown(client, edition):
    edition.phase_override = edition.phases.get(kind="ideation")
    edition.save()
    html = client.get(edition.get_absolute_url()).content.decode()
    assert 'aria-current="step"' in html
    assert "data-countdown" not in html


def test_it_hides_drafts_from_everyone_but_their_organizers(client, organizer, stranger_organizer):
    draft = make_edition(slug="draft", status=Edition.Status.DRAFT)
    assert client.get(draft.get_absolute_url()).status_code == 404
    client.force_login(stranger_organizer)
    assert client.get(draft.get_absolute_url()).status_code == 404
    draft.organizers.add(organizer)
    client.force_login(organizer)
    assert client.get(draft.get_absolute_url()).status_code == 200


def test_it_shows_a_challenge_page(client, edition):
    challenge = edition.challenges.first()
    response = client.get(challenge.get_absolute_url())
    assert response.status_code == 200
    assert challenge.question_list[0] in response.content.decode()
    assert client.get(f"/editions/{edition.slug}/challenges/nope/").status_code == 404


def test_it_never_shows_email_addresses_publicly(client, edition, participant, organizer, citizen):
    urls = ["/", edition.get_absolute_url(), edition.challenges.first().get_absolute_url()]
    for viewer in (None, citizen):
        if viewer:
            client.force_login(viewer)
        for url in urls:
            html = client.get(url).content.decode()
            assert participant.email not in html
            assert organizer.email not in html


def test_it_keeps_the_edition_page_query_count_flat(client, edition, citizen):
    from tests.factories import make_user
    from helpathon.registrations.models import Registration
    from django.utils import timezone

    client.force_login(citizen)
    url = edition.get_absolute_url()
    client.get(url)  # warm up session and caches
    few = _query_count(client, url)
    now = timezone.now()
    for index in range(30):
        user = make_user(f"p{index}@example.org")
        Registration.objects.create(
            edition=edition, user=user, status="confirmed", sector="science", role="student", consent_at=now
        )
    assert _query_count(client, url) == few
    # Sessions, user, edition + challenges + phases + partners, registration box: a fixed handful.
    assert few <= 14


def test_it_keeps_the_home_page_query_count_flat(client):
    from datetime import timedelta

    make_edition(slug="e0")
    few = _query_count(client, "/")
    for index in range(1, 12):
        make_edition(slug=f"e{index}", starts_in=timedelta(days=index * 10))
    assert _query_count(client, "/") == few


def test_it_lets_the_organizer_switch_phases_and_records_it(client, edition, organizer):
    client.force_login(organizer)
    url = reverse("editions:phase_control", kwargs={"slug": edition.slug})
    response = client.post(url, {"command": "next"})
    assert response.status_code == 302
    edition.refresh_from_db()
    assert edition.phase_override.kind == "registration"
    client.post(url, {"command": "set", "phase": edition.phases.get(kind="ideation").pk})
    edition.refresh_from_db()
    assert edition.phase_override.kind == "ideation"
    client.post(url, {"command": "clock"})
    edition.refresh_from_db()
    assert edition.phase_override is None
    changes = list(PhaseChange.objects.filter(edition=edition).order_by("pk"))
    assert [(c.to_phase.kind if c.to_phase else None, c.manual) for c in changes] == [
        ("registration", True),
        ("ideation", True),
        (None, False),
    ]
    assert all(c.changed_by == organizer for c in changes)
    html = client.get(edition.get_absolute_url()).content.decode()
    assert "organizer-panel" in html


@pytest.mark.parametrize("who", ["visitor", "citizen", "participant", "stranger_organizer"])
def test_it_forbids_phase_switching_to_everyone_else(client, edition, who, request):
    user = request.getfixturevalue(who)
    if who != "visitor":
        client.force_login(user)
    url = reverse("editions:phase_control", kwargs={"slug": edition.slug})
    response = client.post(url, {"command": "next"})
    assert response.status_code in {302, 403, 404}
    if who == "visitor":
        assert "/accounts/login/" in response["Location"]
    edition.refresh_from_db()
    assert edition.phase_override is None
    assert not PhaseChange.objects.exists()
    assert "organizer-panel" not in client.get(edition.get_absolute_url()).content.decode()


def test_it_answers_bad_phase_commands_with_a_message_not_an_error(client, edition, organizer):
    client.force_login(organizer)
    url = reverse("editions:phase_control", kwargs={"slug": edition.slug})
    for data in ({"command": "set", "phase": "abc"}, {"command": "set"}, {"command": "explode"}, {}):
        response = client.post(url, data, follow=True)
        assert response.status_code == 200
        assert b"message-error" in response.content
    assert not PhaseChange.objects.exists()


def test_it_sends_security_headers_and_a_strict_csp(client):
    response = client.get("/")
    csp = response["Content-Security-Policy"]
    assert "default-src 'self'" in csp
    assert "script-src 'self'" in csp
    assert "frame-ancestors 'none'" in csp
    assert response["X-Frame-Options"] == "DENY"
    assert response["X-Content-Type-Options"] == "nosniff"


def test_it_loads_no_third_party_assets(client, edition):
    import re

    html = client.get(edition.get_absolute_url()).content.decode()
    for src in re.findall(r'(?:src|href)="([^"]+)"', html):
        assert not src.startswith(("http://", "https://", "//")) or "wirtschaftsfoerderung" in src or src.startswith(
            "http://testserver"
        ), src
