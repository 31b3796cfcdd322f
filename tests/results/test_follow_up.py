"""Follow-up: organizers of the edition (only they) record what became of a template, with a
public statement and a date that is not in the future; the history is kept; the team hears
of each change of status by email, each member in their own language, unless they switched
such mail off; the public "what became of it" page groups the templates by status."""

from datetime import timedelta

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse
from django.utils import timezone

from helpathon.live.models import LiveEvent
from helpathon.results import services
from helpathon.results.models import FollowUp, InnovationTemplate, StatusChange
from helpathon.teams.models import Membership
from tests.factories import make_user

HTMX = {"HTTP_HX_REQUEST": "true"}


@pytest.fixture(autouse=True)
def _english_pages(client):
    client.cookies["django_language"] = "en"


def _status_url(template):
    return reverse("results:status", args=[template.edition.slug, template.pk])


def _page(template):
    return reverse("results:template", args=[template.edition.slug, template.pk])


def _follow_up(edition):
    return reverse("results:follow_up", args=[edition.slug])


# --- the workflow ------------------------------------------------------------------------------


def test_it_lets_the_organizer_set_the_status(client, template, organizer):
    client.force_login(organizer)
    page = client.get(_page(template)).content.decode()
    assert f'action="{_status_url(template)}"' in page
    yesterday = timezone.localdate() - timedelta(days=1)
    response = client.post(_status_url(template), {
        "status": FollowUp.UNDER_REVIEW, "statement": "Das Tiefbauamt prüft die Standorte.",
        "status_date": yesterday.isoformat(),
    })
    assert response.status_code == 302 and response["Location"].endswith("#template-status")
    template.refresh_from_db()
    assert (template.status, template.statement, template.status_date) == (
        FollowUp.UNDER_REVIEW, "Das Tiefbauamt prüft die Standorte.", yesterday)
    assert LiveEvent.objects.filter(type="template.status_changed", payload__status="under_review").exists()


def test_it_keeps_the_history_newest_first(client, template, organizer):
    client.force_login(organizer)
    client.post(_status_url(template), {"status": "under_review", "statement": "Wird geprüft."})
    response = client.post(_status_url(template), {"status": "being_implemented", "statement": "Es geht los."},
                           **HTMX)
    assert response.status_code == 200
    html = response.content.decode()
    assert "The status has been saved." in html
    assert list(template.status_changes.order_by("-changed_at", "-pk").values_list("status", flat=True)) == [
        "being_implemented", "under_review", "received"]
    history = html[html.index('class="status-history"'):]
    assert history.index("Being implemented") < history.index("Under review") < history.index("Received")
    assert "Es geht los." in html


def test_it_defaults_the_date_to_today(template, organizer):
    services.template_status_set(actor=organizer, template=template, status="under_review", statement="")
    template.refresh_from_db()
    assert template.status_date == timezone.localdate()


@pytest.mark.parametrize("htmx", [False, True])
def test_it_refuses_a_date_in_the_future(client, template, organizer, htmx):
    client.force_login(organizer)
    tomorrow = timezone.localdate() + timedelta(days=1)
    response = client.post(_status_url(template), {
        "status": "implemented", "statement": "Fertig!", "status_date": tomorrow.isoformat(),
    }, **(HTMX if htmx else {}))
    assert response.status_code == (200 if htmx else 400)
    html = response.content.decode()
    assert "The date cannot lie in the future." in html
    assert "Fertig!" in html  # the statement stays in the form
    template.refresh_from_db()
    assert template.status == "received" and template.status_changes.count() == 1
    with pytest.raises(ValidationError):
        services.template_status_set(actor=organizer, template=template, status="implemented", statement="",
                                     status_date=tomorrow)


@pytest.mark.parametrize("data, error", [
    ({"status": "done", "statement": ""}, "Select a valid choice"),
    ({"status": "implemented", "statement": "", "status_date": "31.02.2024"}, "Please enter a valid date."),
    ({"status": "implemented", "statement": "x" * 5001}, "Please keep the statement to 5000 characters."),
])
def test_it_shows_bad_input_in_the_form(client, template, organizer, data, error):
    client.force_login(organizer)
    response = client.post(_status_url(template), data)
    assert response.status_code == 400
    assert error in response.content.decode()
    assert InnovationTemplate.objects.get(pk=template.pk).status == "received"


@pytest.mark.parametrize("who", ["visitor", "citizen", "participant", "stranger_organizer"])
def test_it_refuses_the_status_to_others(client, template, who, visitor, citizen, participant, stranger_organizer):
    user = {"visitor": visitor, "citizen": citizen, "participant": participant,
            "stranger_organizer": stranger_organizer}[who]
    if user.is_authenticated:
        client.force_login(user)
        with pytest.raises(PermissionDenied):
            services.template_status_set(actor=user, template=template, status="implemented", statement="")
    response = client.post(_status_url(template), {"status": "implemented", "statement": "Hack"})
    assert response.status_code == 403
    assert client.post(_status_url(template), {"status": "nonsense"}).status_code == 403
    assert _status_url(template) not in client.get(_page(template)).content.decode()
    template.refresh_from_db()
    assert template.status == "received" and template.status_changes.count() == 1


def test_the_status_route_is_not_for_reading(client, template, organizer):
    client.force_login(organizer)
    assert client.get(_status_url(template)).status_code == 405


# --- the team hears of it ----------------------------------------------------------------------


@pytest.fixture
def team_languages(template, participant, member):
    """Paul reads English, Mia German; Max (a member too) switched such mail off."""
    participant.language = "en"
    participant.save(update_fields=["language"])
    member.language = "de"
    member.save(update_fields=["language"])
    quiet = make_user("max.quiet@example.org", display_name="Max Quiet", email_template_status=False)
    Membership.objects.create(team=template.prototype.team, user=quiet, role=Membership.Role.MEMBER,
                              joined_at=timezone.now())
    return participant, member, quiet


def test_it_mails_every_member_in_their_language(template, organizer, team_languages, mailoutbox,
                                                 django_capture_on_commit_callbacks):
    paul, mia, _max = team_languages
    with django_capture_on_commit_callbacks(execute=True):
        services.template_status_set(actor=organizer, template=template, status="being_implemented",
                                     statement="Die Stadt setzt zwei Hubs um.")
    assert sorted(m.to[0] for m in mailoutbox) == [mia.email, paul.email]
    mails = {m.to[0]: m for m in mailoutbox}
    english, german = mails[paul.email], mails[mia.email]
    assert english.subject == "“Die Radler”: Being implemented"
    assert english.body.startswith("Hello Paul Participant,")
    assert german.body.startswith("Guten Tag Mia Member,")
    for mail in (english, german):
        assert "Die Stadt setzt zwei Hubs um." in mail.body
        assert template.get_absolute_url() in mail.body
        unsubscribe = mail.extra_headers["List-Unsubscribe"]
        assert unsubscribe.startswith("<http") and unsubscribe.strip("<>") in mail.body
        assert mail.extra_headers["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"


def test_it_mails_through_the_page_too(client, template, organizer, team_languages, mailoutbox,
                                       django_capture_on_commit_callbacks):
    client.force_login(organizer)
    with django_capture_on_commit_callbacks(execute=True):
        client.post(_status_url(template), {"status": "not_pursued", "statement": "Leider zu teuer."})
    assert len(mailoutbox) == 2


def test_it_sends_no_mail_when_only_the_statement_changes(template, organizer, team_languages, mailoutbox,
                                                          django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        services.template_status_set(actor=organizer, template=template, status="received",
                                     statement="Eingegangen, danke!")
    assert mailoutbox == []
    template.refresh_from_db()
    assert template.statement == "Eingegangen, danke!"
    assert template.status_changes.count() == 2  # the new statement is in the history


def test_it_sends_nothing_before_commit_or_for_nothing_new(template, organizer, team_languages, mailoutbox,
                                                          django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        services.template_status_set(actor=organizer, template=template, status="implemented", statement="")
    assert mailoutbox == [] and len(callbacks) >= 1
    for callback in callbacks:
        callback()
    assert len(mailoutbox) == 2
    with django_capture_on_commit_callbacks(execute=True):
        services.template_status_set(actor=organizer, template=template, status="implemented", statement="",
                                     status_date=timezone.localdate())
    assert len(mailoutbox) == 2
    assert StatusChange.objects.filter(template=template).count() == 2


# --- the public page ---------------------------------------------------------------------------


def test_the_follow_up_page_groups_templates_by_status(client, template, organizer):
    services.template_status_set(actor=organizer, template=template, status="being_implemented",
                                 statement="Zwei Hubs kommen 2026.")
    response = client.get(_follow_up(template.edition))
    assert response.status_code == 200
    html = response.content.decode()
    assert "<h1>What became of it</h1>" in html
    counts = html[html.index('id="follow-up-counts"'):html.index("</dl>")]
    assert "<dt>Being implemented</dt><dd>1</dd>" in counts and "<dt>Received</dt><dd>0</dd>" in counts
    group = html[html.index('id="follow-up-being_implemented"'):]
    assert "Zwei Hubs kommen 2026." in group and f'href="{_page(template)}"' in group
    assert 'id="follow-up-received"' not in html  # empty groups only count
    table = html[html.index('id="follow-up-voices-table"'):]
    assert '<th scope="colgroup" colspan="2">Citizens</th>' in table and 'scope="row"' in table
    assert "@example.org" not in html


def test_the_follow_up_page_without_templates(client, edition):
    response = client.get(_follow_up(edition))
    assert response.status_code == 200
    assert "There are no innovation templates yet" in response.content.decode()


def test_the_follow_up_page_of_a_draft_is_private(client, edition):
    edition.status = "draft"
    edition.save(update_fields=["status"])
    assert client.get(_follow_up(edition)).status_code == 404


def test_the_follow_up_page_costs_the_same_for_more_templates(client, template, edition, organizer, go_to,
                                                             django_assert_max_num_queries):
    with django_assert_max_num_queries(40) as one:
        client.get(_follow_up(edition))
    baseline = len(one)  # read now: the next request clears Django's query log
    # Four more templates, as if four more teams had submitted (rows made directly: the
    # agenda has moved past prototyping already).
    for n in range(4):
        team = InnovationTemplate.objects.get(pk=template.pk).prototype.team
        team.pk, team.id, team.name = None, None, f"Team {n}"
        team.save()
        prototype = InnovationTemplate.objects.get(pk=template.pk).prototype
        prototype.pk, prototype.id, prototype.team = None, None, team
        prototype.save()
        made = InnovationTemplate.objects.create(
            prototype=prototype, edition=edition, challenge=template.challenge, prototype_version=1,
            status=FollowUp.UNDER_REVIEW, statement=f"Statement {n}", status_date=timezone.localdate(),
            created_at=timezone.now(),
        )
    assert InnovationTemplate.objects.filter(edition=edition).count() == 5
    with django_assert_max_num_queries(baseline):
        html = client.get(_follow_up(edition)).content.decode()
    assert html.count('class="card follow-up-card"') == 5
