import re

import pytest
from django.core.cache import cache
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from helpathon.editions.services import phase_set
from helpathon.ideas import services
from helpathon.ideas.models import Comment, Idea, IdeaVersion
from helpathon.registrations.models import Registration
from tests.factories import make_user

pytestmark = pytest.mark.django_db

XSS = '<script>alert("x")</script><img src=x onerror=alert(1)>'


def _queries(client, url, *, cached: bool = False) -> int:
    """Queries of one request; by default with cold caches, so that the cost of building the
    page is measured (the fragment cache would hide an N+1)."""
    if not cached:
        cache.clear()
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(url)
    assert response.status_code == 200, response.status_code
    return len(ctx.captured_queries)


def _participant(edition, email):
    user = make_user(email)
    now = timezone.now()
    Registration.objects.create(edition=edition, user=user, status="confirmed", sector="science", role="student",
                                consent_at=now)
    return user


def _bulk_ideas(edition, author, n, start=0):
    now = timezone.now()
    challenge = edition.challenges.first()
    return Idea.objects.bulk_create([
        Idea(edition=edition, challenge=challenge, author=author, title=f"Idee Nummer {start + i}", body="Text",
             body_html="<p>Text</p>", created_at=now, updated_at=now, support_count=i % 7, comment_count=i % 5)
        for i in range(n)
    ])


@pytest.mark.parametrize("sort", ["new", "supported", "discussed", "random"])
def test_it_keeps_the_list_query_count_flat(client, ideation, participant, make_idea, sort):
    make_idea(tags=["verkehr"])
    _bulk_ideas(ideation, participant, 4)
    url = f"/editions/{ideation.slug}/ideas/?sort={sort}"
    client.get(url)
    few = _queries(client, url)
    _bulk_ideas(ideation, participant, 495, start=10)
    assert _queries(client, url) == few
    # Edition with its program (4), ideas: count + page + tags, the tag filter list, the page
    # cache's key (event numbers, the clock's dates); no more.
    assert few <= 12


def test_it_keeps_the_challenge_list_and_detail_query_counts_flat(client, ideation, participant, make_idea):
    idea = make_idea()
    other = _participant(ideation, "other@example.org")
    services.comment_create(actor=other, idea=idea, body="Gute Idee")
    challenge = ideation.challenges.first()
    list_url = f"/editions/{ideation.slug}/challenges/{challenge.slug}/ideas/"
    client.force_login(other)
    client.get(idea.get_absolute_url())
    few_list, few_detail = _queries(client, list_url), _queries(client, idea.get_absolute_url())
    for i in range(30):
        services.comment_create(actor=other, idea=idea, body=f"Kommentar {i}")
        make_idea(title=f"Weitere Idee {i}", builds_on=[idea])
    assert _queries(client, list_url) == few_list
    assert _queries(client, idea.get_absolute_url()) == few_detail


def test_it_serves_the_list_from_its_cache_until_the_edition_changes(client, ideation, participant, make_idea):
    make_idea("Erste Idee")
    url = f"/editions/{ideation.slug}/ideas/"
    cold = _queries(client, url)
    warm = _queries(client, url, cached=True)
    assert warm < cold
    make_idea("Zweite Idee")  # writes a live event, so the cached page is stale
    assert "Zweite Idee" in client.get(url).content.decode()


def test_it_filters_sorts_and_paginates(client, ideation, participant, make_idea):
    a = make_idea("Ampel an der Kreuzung", tags=["ampel"])
    b = make_idea("Fahrradständer am Markt", tags=["parken"])
    Idea.objects.filter(pk=b.pk).update(support_count=9)
    html = client.get(f"/editions/{ideation.slug}/ideas/?tag=ampel").content.decode()
    assert a.title in html and b.title not in html
    html = client.get(f"/editions/{ideation.slug}/ideas/?sort=supported").content.decode()
    assert html.index(b.title) < html.index(a.title)
    _bulk_ideas(ideation, participant, 30)
    page2 = client.get(f"/editions/{ideation.slug}/ideas/?page=2").content.decode()
    assert "Seite 2 von 2" in page2 or "Page 2 of 2" in page2


def test_it_shuffles_stably_for_a_seed(client, ideation, participant):
    _bulk_ideas(ideation, participant, 40)
    url = f"/editions/{ideation.slug}/ideas/?sort=random&seed=123"
    first = re.findall(r"Idee Nummer \d+", client.get(url).content.decode())
    again = re.findall(r"Idee Nummer \d+", client.get(url).content.decode())
    other = re.findall(r"Idee Nummer \d+", client.get(url.replace("123", "999")).content.decode())
    assert first == again
    assert first != other
    newest = re.findall(r"Idee Nummer \d+", client.get(f"/editions/{ideation.slug}/ideas/").content.decode())
    assert first != newest


@pytest.mark.parametrize("query", ["?page=abc", "?sort=evil", "?status=nope", "?seed=-5", "?challenge=nope", "?q=%00"])
def test_it_tolerates_broken_filters(client, ideation, query):
    assert client.get(f"/editions/{ideation.slug}/ideas/{query}").status_code == 200


def test_it_lets_a_participant_submit_an_idea(client, ideation, participant):
    client.force_login(participant)
    challenge = ideation.challenges.first()
    response = client.post(f"/editions/{ideation.slug}/ideas/new/", {
        "challenge": challenge.pk, "title": "Lastenräder leihen", "body": "Für den *Einkauf*.", "tags": "Rad, Handel",
    })
    idea = Idea.objects.get()
    assert response.status_code == 302 and response["Location"] == idea.get_absolute_url()
    assert sorted(idea.tags.values_list("name", flat=True)) == ["handel", "rad"]
    assert "<em>Einkauf</em>" in client.get(idea.get_absolute_url()).content.decode()


def test_it_keeps_the_draft_when_validation_fails(client, ideation, participant):
    client.force_login(participant)
    body = "Ein langer Text, der nicht verloren gehen darf."
    response = client.post(f"/editions/{ideation.slug}/ideas/new/", {"title": "x", "body": body, "builds_on": "99999"})
    html = response.content.decode()
    assert response.status_code == 200
    assert body in html
    assert "notice-error" in html
    assert not Idea.objects.exists()


def test_it_refuses_ideas_outside_ideation(client, edition, participant):
    client.force_login(participant)
    response = client.get(f"/editions/{edition.slug}/ideas/new/")
    assert response.status_code == 403
    response = client.post(f"/editions/{edition.slug}/ideas/new/", {"challenge": edition.challenges.first().pk, "title": "Nope"})
    assert response.status_code == 403
    assert not Idea.objects.exists()


def test_it_sends_visitors_to_log_in_before_submitting(client, ideation):
    response = client.get(f"/editions/{ideation.slug}/ideas/new/")
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]


def test_it_edits_with_history_and_diff(client, ideation, participant, make_idea):
    idea = make_idea("Parkhaus für Räder", "Erste Fassung.")
    client.force_login(participant)
    response = client.post(f"/editions/{ideation.slug}/ideas/{idea.pk}/edit/", {
        "title": "Parkhaus für Fahrräder", "body": "Zweite Fassung mit mehr Details.", "tags": "",
        "base_version": 1, "note": "genauer",
    })
    assert response.status_code == 302
    assert IdeaVersion.objects.filter(idea=idea).count() == 2
    html = client.get(f"/editions/{ideation.slug}/ideas/{idea.pk}/history/").content.decode()
    assert re.search(r"<del>(<span[^>]*>[^<]*</span>)?Räder</del>", html)
    assert re.search(r"<ins>(<span[^>]*>[^<]*</span>)?Fahrräder</ins>", html)
    assert "genauer" in html


def test_it_shows_a_conflict_instead_of_overwriting(client, ideation, participant, make_idea):
    idea = make_idea("Bänke am Hafen", "Original.")
    services.idea_update(actor=participant, idea=idea, title="Bänke am Hafen", body="Von jemand anderem geändert.",
                         base_version=1)
    client.force_login(participant)
    response = client.post(f"/editions/{ideation.slug}/ideas/{idea.pk}/edit/", {
        "title": "Bänke am Hafen", "body": "Meine Änderung.", "tags": "", "base_version": 1,
    })
    html = response.content.decode()
    assert response.status_code == 200
    assert "Von jemand anderem geändert." in html and "Meine Änderung." in html
    idea.refresh_from_db()
    assert idea.body == "Von jemand anderem geändert." and idea.version == 2


def test_it_forbids_editing_someone_elses_idea(client, ideation, make_idea):
    idea = make_idea()
    other = _participant(ideation, "other@example.org")
    client.force_login(other)
    assert client.get(f"/editions/{ideation.slug}/ideas/{idea.pk}/edit/").status_code == 403
    response = client.post(f"/editions/{ideation.slug}/ideas/{idea.pk}/edit/", {"title": "Gekapert", "base_version": 1})
    assert response.status_code == 403
    idea.refresh_from_db()
    assert idea.title != "Gekapert"


def test_it_shows_builds_on_and_built_upon_by(client, ideation, make_idea):
    base = make_idea("Grundidee")
    follow = make_idea("Weiterentwicklung", builds_on=[base])
    base_html = client.get(base.get_absolute_url()).content.decode()
    follow_html = client.get(follow.get_absolute_url()).content.decode()
    assert "Weiterentwicklung" in base_html
    assert "Grundidee" in follow_html


def test_it_runs_a_discussion_with_replies_edits_and_deletions(client, ideation, participant, make_idea):
    idea = make_idea()
    client.force_login(participant)
    url = f"/editions/{ideation.slug}/ideas/{idea.pk}/comments/"
    client.post(url, {"body": "Erster Gedanke"})
    root = Comment.objects.get()
    client.post(url, {"body": "Antwort", "parent": root.pk})
    reply = Comment.objects.exclude(pk=root.pk).get()
    assert reply.parent == root
    client.post(f"/editions/{ideation.slug}/comments/{root.pk}/edit/", {"body": "Erster Gedanke, präzisiert"})
    client.post(f"/editions/{ideation.slug}/comments/{root.pk}/delete/")
    html = client.get(idea.get_absolute_url()).content.decode()
    assert "Antwort" in html
    assert "präzisiert" not in html
    assert "comment-placeholder" in html


def test_it_keeps_a_comment_that_could_not_be_published(client, ideation, participant, make_idea, organizer):
    idea = make_idea()
    phase_set(actor=organizer, edition=ideation, phase=ideation.phases.get(kind="pitches"))
    client.force_login(participant)
    client.post(f"/editions/{ideation.slug}/ideas/{idea.pk}/comments/", {"body": "Zu spät, aber wichtig"})
    assert not Comment.objects.exists()
    # The detail page has no comment form in this phase, but the draft is not silently kept forever either.
    assert client.get(idea.get_absolute_url()).status_code == 200


def test_it_lets_a_moderator_merge_a_duplicate(client, ideation, organizer, make_idea):
    keep = make_idea("Fahrradständer am Bahnhof")
    duplicate = make_idea("Mehr Fahrradständer am Hauptbahnhof")
    client.force_login(organizer)
    response = client.post(f"/editions/{ideation.slug}/ideas/{duplicate.pk}/merge/", {"target": keep.pk})
    assert response.status_code == 302
    duplicate.refresh_from_db()
    assert duplicate.status == "merged" and duplicate.merged_into == keep
    html = client.get(duplicate.get_absolute_url()).content.decode()
    assert keep.get_absolute_url() in html
    assert duplicate.title in client.get(keep.get_absolute_url()).content.decode()


def test_it_hides_merge_and_status_from_participants(client, ideation, participant, make_idea):
    idea = make_idea()
    client.force_login(participant)
    assert client.get(f"/editions/{ideation.slug}/ideas/{idea.pk}/merge/").status_code == 404
    assert client.post(f"/editions/{ideation.slug}/ideas/{idea.pk}/status/", {"status": "archived"}).status_code == 404
    idea.refresh_from_db()
    assert idea.status == "open"


def test_it_changes_the_status(client, ideation, organizer, make_idea):
    idea = make_idea()
    client.force_login(organizer)
    client.post(f"/editions/{ideation.slug}/ideas/{idea.pk}/status/", {"status": "shortlisted"})
    idea.refresh_from_db()
    assert idea.status == "shortlisted"
    response = client.post(f"/editions/{ideation.slug}/ideas/{idea.pk}/status/", {"status": "merged"}, follow=True)
    assert b"message-error" in response.content


def test_it_shows_script_payloads_as_text(client, ideation, participant, make_idea):
    idea = make_idea(f"Titel {XSS}", f"Text {XSS}", tags=["<b>tag</b>"])
    services.comment_create(actor=participant, idea=idea, body=XSS)
    for url in (idea.get_absolute_url(), f"/editions/{ideation.slug}/ideas/"):
        html = client.get(url).content.decode()
        assert "<script>alert" not in html
        assert "onerror=alert" not in html.replace("onerror=alert(1)&gt;", "")
        assert "&lt;script&gt;" in html


def test_it_hides_hidden_ideas_from_the_public(client, ideation, make_idea):
    idea = make_idea()
    Idea.objects.filter(pk=idea.pk).update(hidden_at=timezone.now(), hidden_reason="Spam")
    assert client.get(idea.get_absolute_url()).status_code == 404
    assert idea.title not in client.get(f"/editions/{ideation.slug}/ideas/").content.decode()
