"""Moderation pages: the report forms, the queue, hide / restore / dismiss."""

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from helpathon.ideas.services import comment_create, idea_create
from helpathon.moderation import views
from helpathon.moderation.models import ModerationAction, Report
from helpathon.moderation.services import content_hide, report_create
from tests.factories import make_user

pytestmark = pytest.mark.django_db

REASON = "Beleidigt andere Teilnehmende."


def _url(name, edition, pk=None):
    kwargs = {"slug": edition.slug} if pk is None else {"slug": edition.slug, "pk": pk}
    return reverse(f"moderation:{name}", kwargs=kwargs)


def _ideas(edition, author, n):
    challenge = edition.challenges.first()
    return [idea_create(actor=author, challenge=challenge, title=f"Idee Nummer {i}") for i in range(n)]


# --- reporting ------------------------------------------------------------------------------


def test_it_sends_visitors_to_the_login_first(client, idea):
    for url in (_url("report_idea", idea.edition, idea.pk), _url("queue", idea.edition)):
        response = client.get(url)
        assert response.status_code == 302
        assert response["Location"].startswith("/accounts/login/")
    response = client.post(_url("report_idea", idea.edition, idea.pk), {"reason": REASON})
    assert response.status_code == 302
    assert not Report.objects.exists()


def test_it_reports_an_idea_and_goes_back_to_it(client, idea, citizen):
    client.force_login(citizen)
    url = _url("report_idea", idea.edition, idea.pk)
    page = client.get(url)
    assert page.status_code == 200
    html = page.content.decode()
    assert 'name="csrfmiddlewaretoken"' in html
    assert '<label for="id_reason">' in html
    assert idea.title in html
    response = client.post(url, {"reason": "Das ist Werbung."})
    assert response.status_code == 302
    assert response["Location"] == idea.get_absolute_url()
    report = Report.objects.get()
    assert (report.idea, report.reporter, report.reason) == (idea, citizen, "Das ist Werbung.")


def test_it_reports_a_comment_and_goes_back_to_it(client, comment, citizen):
    client.force_login(citizen)
    response = client.post(_url("report_comment", comment.idea.edition, comment.pk), {"reason": REASON})
    assert response.status_code == 302
    assert response["Location"] == f"{comment.idea.get_absolute_url()}#comment-{comment.pk}"
    assert Report.objects.get().comment == comment


def test_it_explains_a_duplicate_report(client, idea, citizen):
    client.force_login(citizen)
    url = _url("report_idea", idea.edition, idea.pk)
    client.post(url, {"reason": REASON})
    response = client.post(url, {"reason": "Noch einmal."})
    assert response.status_code == 200
    assert 'role="alert"' in response.content.decode()
    assert Report.objects.count() == 1


@pytest.mark.parametrize("data", [{}, {"reason": ""}, {"reason": "x"}, {"reason": "x" * 5000}, {"reason": "\x00"}])
def test_it_answers_a_bad_reason_with_a_form_error(client, idea, citizen, data):
    client.force_login(citizen)
    response = client.post(_url("report_idea", idea.edition, idea.pk), data)
    assert response.status_code in {200, 400}
    assert 'class="field-error"' in response.content.decode() or response.status_code == 400
    assert not Report.objects.exists()


def test_it_limits_how_often_a_person_reports(client, ideation, participant, citizen, monkeypatch):
    monkeypatch.setattr(views, "REPORT_RATE_LIMIT", "2/h")
    ideas = _ideas(ideation, participant, 3)
    client.force_login(citizen)
    for idea in ideas[:2]:
        assert client.post(_url("report_idea", ideation, idea.pk), {"reason": REASON}).status_code == 302
    response = client.post(_url("report_idea", ideation, ideas[2].pk), {"reason": REASON})
    assert response.status_code == 429
    html = response.content.decode()
    assert "wait" in html or "warten" in html
    assert 'name="reason"' in html  # the form is shown again, with the text kept
    assert REASON in html
    assert Report.objects.count() == 2
    # Someone else is not held back.
    other = make_user("other@example.org")
    client.force_login(other)
    assert client.post(_url("report_idea", ideation, ideas[2].pk), {"reason": REASON}).status_code == 302


def test_it_hides_hidden_content_from_the_report_form(client, idea, comment, citizen, organizer):
    content_hide(actor=organizer, comment=comment, reason=REASON)
    client.force_login(citizen)
    assert client.get(_url("report_comment", idea.edition, comment.pk)).status_code == 404
    content_hide(actor=organizer, idea=idea, reason=REASON)
    assert client.get(_url("report_idea", idea.edition, idea.pk)).status_code == 404


def test_it_answers_unknown_and_foreign_ids_with_not_found(client, idea, citizen, stranger_organizer):
    client.force_login(citizen)
    from helpathon.editions.models import Edition

    other = Edition.objects.get(slug="other-edition")
    assert client.get(_url("report_idea", other, idea.pk)).status_code == 404
    assert client.get(_url("report_idea", idea.edition, 999999)).status_code == 404
    assert client.get(_url("report_comment", idea.edition, 999999)).status_code == 404
    assert client.get(f"/editions/{idea.edition.slug}/ideas/99999999999999999999999/report/").status_code == 404


def test_it_refuses_unverified_accounts(client, idea):
    client.force_login(make_user("unverified@example.org", verified=False))
    assert client.post(_url("report_idea", idea.edition, idea.pk), {"reason": REASON}).status_code == 403
    assert not Report.objects.exists()


def test_it_requires_csrf_tokens(idea, citizen, organizer):
    client = Client(enforce_csrf_checks=True)
    client.force_login(citizen)
    assert client.post(_url("report_idea", idea.edition, idea.pk), {"reason": REASON}).status_code == 403
    client.force_login(organizer)
    assert client.post(_url("hide_idea", idea.edition, idea.pk), {"reason": REASON}).status_code == 403
    assert not Report.objects.exists() and not ModerationAction.objects.exists()


# --- the queue --------------------------------------------------------------------------------


@pytest.mark.parametrize("who", ["organizer", "moderator"])
def test_it_shows_the_queue_to_moderators(client, idea, comment, citizen, request, who):
    report_create(actor=citizen, idea=idea, reason="Das ist Werbung.")
    report_create(actor=citizen, comment=comment, reason="Beleidigend.")
    client.force_login(request.getfixturevalue(who))
    response = client.get(_url("queue", idea.edition))
    assert response.status_code == 200
    html = response.content.decode()
    assert "Das ist Werbung." in html and "Beleidigend." in html
    assert _url("hide_idea", idea.edition, idea.pk) in html
    assert _url("hide_comment", idea.edition, comment.pk) in html
    assert citizen.email not in html


@pytest.mark.parametrize("who", ["citizen", "participant", "stranger_organizer"])
def test_it_answers_everyone_else_with_not_found(client, idea, request, who):
    client.force_login(request.getfixturevalue(who))
    edition = idea.edition
    assert client.get(_url("queue", edition)).status_code == 404
    for name in ("hide_idea", "restore_idea"):
        assert client.get(_url(name, edition, idea.pk)).status_code == 404
        assert client.post(_url(name, edition, idea.pk), {"reason": REASON}).status_code == 404
    idea.refresh_from_db()
    assert idea.hidden_at is None


def test_it_shows_the_queue_in_a_fixed_number_of_queries(
    client, ideation, participant, citizen, commenter, organizer
):
    def queries_for(n):
        Report.objects.all().delete()
        for idea in _ideas(ideation, participant, n):
            report_create(actor=citizen, idea=idea, reason=REASON)
            comment = comment_create(actor=commenter, idea=idea, body="Ein Kommentar.")
            report_create(actor=citizen, comment=comment, reason=REASON)
            gone = comment_create(actor=commenter, idea=idea, body="Weg.")
            content_hide(actor=organizer, comment=gone, reason=REASON)
        content_hide(actor=organizer, idea=idea, reason=REASON)
        client.force_login(organizer)
        with CaptureQueriesContext(connection) as captured:
            response = client.get(_url("queue", ideation))
        assert response.status_code == 200
        return len(captured)

    few, many = queries_for(3), queries_for(30)
    # 1 session, 2 user, 3-6 edition with challenges, phases and partners, 7 the organizer
    # check, 8 open reports with their targets, 9 hidden ideas, 10 hidden comments,
    # 11-13 the three counts, 14 the live banner's current announcements — however long the
    # queue.
    assert few == many == 14, (few, many)


# --- deciding ---------------------------------------------------------------------------------


def test_it_hides_an_idea_through_the_confirm_form(
    client, idea, citizen, moderator, django_capture_on_commit_callbacks
):
    report_create(actor=citizen, idea=idea, reason="Das ist Werbung.")
    client.force_login(moderator)
    url = _url("hide_idea", idea.edition, idea.pk)
    page = client.get(url)
    assert page.status_code == 200
    assert "Das ist Werbung." in page.content.decode()
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(url, {"reason": "Werbung für eine Firma."})
    assert response.status_code == 302
    assert response["Location"] == _url("queue", idea.edition)
    idea.refresh_from_db()
    assert idea.hidden_at is not None
    assert Report.objects.get().status == Report.Status.HIDDEN
    queue = client.get(response["Location"]).content.decode()
    assert _url("restore_idea", idea.edition, idea.pk) in queue


def test_it_restores_an_idea_through_the_confirm_form(client, idea, organizer):
    content_hide(actor=organizer, idea=idea, reason=REASON)
    client.force_login(organizer)
    url = _url("restore_idea", idea.edition, idea.pk)
    assert REASON in client.get(url).content.decode()
    response = client.post(url, {"reason": "Doch in Ordnung."})
    assert response.status_code == 302
    idea.refresh_from_db()
    assert idea.hidden_at is None


def test_it_hides_and_restores_a_comment(client, idea, comment, organizer):
    client.force_login(organizer)
    assert client.post(_url("hide_comment", idea.edition, comment.pk), {"reason": REASON}).status_code == 302
    idea.refresh_from_db()
    assert idea.comment_count == 0
    assert client.post(_url("restore_comment", idea.edition, comment.pk), {"reason": REASON}).status_code == 302
    idea.refresh_from_db()
    assert idea.comment_count == 1


def test_it_explains_why_it_cannot_hide_twice(client, idea, organizer):
    content_hide(actor=organizer, idea=idea, reason=REASON)
    client.force_login(organizer)
    response = client.post(_url("hide_idea", idea.edition, idea.pk), {"reason": REASON})
    assert response.status_code == 200
    assert 'role="alert"' in response.content.decode()
    assert ModerationAction.objects.count() == 1


def test_it_wants_a_reason_to_hide(client, idea, organizer):
    client.force_login(organizer)
    response = client.post(_url("hide_idea", idea.edition, idea.pk), {"reason": ""})
    assert response.status_code == 200
    assert 'class="field-error"' in response.content.decode()
    idea.refresh_from_db()
    assert idea.hidden_at is None


def test_it_dismisses_a_report(client, idea, citizen, moderator):
    report = report_create(actor=citizen, idea=idea, reason=REASON)
    client.force_login(moderator)
    url = _url("dismiss_report", idea.edition, report.pk)
    assert client.get(url).status_code == 200
    response = client.post(url, {"reason": "Kein Verstoß."})
    assert response.status_code == 302
    report.refresh_from_db()
    assert report.status == Report.Status.DISMISSED
    # A second try explains itself instead of failing.
    response = client.post(url, {"reason": "Kein Verstoß."})
    assert response.status_code == 200


@pytest.mark.parametrize("who", ["organizer", "moderator", "citizen", "participant"])
def test_it_never_answers_junk_with_a_server_error(client, idea, comment, request, who):
    client.force_login(request.getfixturevalue(who))
    edition = idea.edition
    urls = [
        _url("report_idea", edition, idea.pk), _url("report_comment", edition, comment.pk), _url("queue", edition),
        _url("hide_idea", edition, idea.pk), _url("restore_idea", edition, idea.pk),
        _url("hide_comment", edition, comment.pk), _url("restore_comment", edition, comment.pk),
        _url("dismiss_report", edition, 1), _url("hide_idea", edition, 10**30),
    ]
    junk = [{}, {"reason": "x" * 50000}, {"reason": ["a", "b"]}, {"reason": "\u202e" * 100}, {"reason": "\x00abc"}]
    for url in urls:
        assert client.get(url + "?reason=%00").status_code < 500, url
        for data in junk:
            assert client.post(url, data).status_code < 500, (url, data)
