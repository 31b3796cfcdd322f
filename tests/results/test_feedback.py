"""The city's voice on innovation templates: any citizen with a verified account supports and
comments during public feedback (not only participants), each with their voice recorded;
moderators hide comments; the gate holds in the services and the views, in every phase."""

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse
from django.utils import timezone

from helpathon.evaluation.models import JuryMember
from helpathon.live.models import LiveEvent
from helpathon.results import services, voices
from helpathon.results.models import TemplateComment, TemplateSupport, Voice
from tests.factories import make_user

HTMX = {"HTTP_HX_REQUEST": "true"}


@pytest.fixture(autouse=True)
def _english_pages(client):
    client.cookies["django_language"] = "en"


@pytest.fixture
def unverified(db):
    return make_user("unverified@example.org", display_name="Uwe Unverified", verified=False)


@pytest.fixture
def juror(edition, organizer):
    user = make_user("juror@example.org", display_name="Jana Juror")
    JuryMember.objects.create(edition=edition, user=user, appointed_by=organizer, appointed_at=timezone.now())
    return user


@pytest.fixture
def moderator(edition):
    user = make_user("moderator@example.org", display_name="Moritz Moderator")
    edition.moderators.add(user)
    return user


@pytest.fixture
def cast(visitor, unverified, citizen, participant, juror):
    return {"visitor": visitor, "unverified": unverified, "citizen": citizen, "participant": participant,
            "juror": juror}


def _urls(template):
    args = [template.edition.slug, template.pk]
    return {
        "page": reverse("results:template", args=args),
        "support": reverse("results:support", args=args),
        "comment": reverse("results:comment", args=args),
    }


def _client_for(client, user):
    if user.is_authenticated:
        client.force_login(user)
    return client


# --- the gate, as a matrix ---------------------------------------------------------------------

ALLOWED_IN_PUBLIC_FEEDBACK = {"visitor": False, "unverified": False, "citizen": True, "participant": True,
                              "juror": True}


@pytest.mark.parametrize("phase", ["public_feedback", "prototyping", "results"])
@pytest.mark.parametrize("who", ["visitor", "unverified", "citizen", "participant", "juror"])
def test_it_gates_feedback_in_the_services(template, cast, go_to, who, phase):
    if phase != "public_feedback":
        go_to(phase)
    user = cast[who]
    allowed = phase == "public_feedback" and ALLOWED_IN_PUBLIC_FEEDBACK[who]
    for write in (
        lambda: services.template_support(actor=user, template=template),
        lambda: services.template_unsupport(actor=user, template=template),
        lambda: services.template_comment(actor=user, template=template, body="Bitte umsetzen!"),
    ):
        if allowed:
            write()
        else:
            with pytest.raises(PermissionDenied):
                write()
    assert TemplateComment.objects.filter(template=template).count() == (1 if allowed else 0)


@pytest.mark.parametrize("phase", ["public_feedback", "prototyping", "results"])
@pytest.mark.parametrize("who", ["visitor", "unverified", "citizen", "participant", "juror"])
def test_it_gates_feedback_in_the_views(client, template, cast, go_to, who, phase):
    if phase != "public_feedback":
        go_to(phase)
    urls = _urls(template)
    client = _client_for(client, cast[who])
    allowed = phase == "public_feedback" and ALLOWED_IN_PUBLIC_FEEDBACK[who]

    support = client.post(urls["support"], {"action": "add"})
    comment = client.post(urls["comment"], {"body": "Bitte umsetzen!"})
    htmx_support = client.post(urls["support"], {"action": "withdraw"}, **HTMX)

    if allowed:
        assert support.status_code == 302 and support["Location"].endswith("#city-voice")
        assert comment.status_code == 302
        assert htmx_support.status_code == 200
        assert not TemplateSupport.objects.filter(template=template).exists()  # withdrawn again
        assert TemplateComment.objects.filter(template=template).count() == 1
        return
    assert support.status_code == 403 and comment.status_code == 403
    # htmx swaps only 2xx answers: the refusal comes as the block with its message.
    assert htmx_support.status_code == 200
    assert 'id="city-voice"' in htmx_support.content.decode()
    assert not TemplateSupport.objects.exists() and not TemplateComment.objects.exists()
    page = support.content.decode()
    if phase == "prototyping":
        assert "Public feedback opens on" in page
    elif phase == "results":
        assert "Public feedback has ended." in page
    elif who == "visitor":
        assert "Please log in to support and comment." in page
        assert reverse("account_login") in page and reverse("account_signup") in page
        assert "any citizen with a verified account can, not only participants" in page
    else:
        assert "Please confirm your email address" in page


def test_it_shows_the_controls_only_to_those_who_may(client, template, citizen):
    urls = _urls(template)
    page = client.get(urls["page"]).content.decode()
    assert 'id="city-voice"' in page
    assert urls["support"] not in page and urls["comment"] not in page
    assert "any citizen with a verified account can, not only participants" in page
    client.force_login(citizen)
    page = client.get(urls["page"]).content.decode()
    assert f'action="{urls["support"]}"' in page and f'action="{urls["comment"]}"' in page
    assert "Your comment is shown with your display name and your voice: Citizen." in page


def test_it_tells_when_public_feedback_opens(client, template, go_to, citizen):
    go_to("jury")
    client.force_login(citizen)
    page = client.get(_urls(template)["page"]).content.decode()
    assert "Public feedback opens on" in page
    assert _urls(template)["support"] not in page


# --- supports ----------------------------------------------------------------------------------


def test_it_supports_idempotently_and_withdraws(client, template, citizen):
    client.force_login(citizen)
    url = _urls(template)["support"]
    client.post(url, {"action": "add"})
    client.post(url, {"action": "add"})
    assert TemplateSupport.objects.filter(template=template, user=citizen).count() == 1
    assert voices.summary(template)["supports_total"] == 1
    assert LiveEvent.objects.filter(type="template.feedback").count() == 1  # the repeat changed nothing
    response = client.post(url, {"action": "withdraw"}, **HTMX)
    assert response.status_code == 200
    assert not TemplateSupport.objects.filter(template=template).exists()
    html = response.content.decode()
    assert 'aria-pressed="false"' in html and "0 supports" in html
    client.post(url, {"action": "withdraw"})  # withdrawing twice is fine too
    assert not TemplateSupport.objects.exists()


def test_it_answers_htmx_with_the_pressed_button(client, template, citizen):
    client.force_login(citizen)
    response = client.post(_urls(template)["support"], {"action": "add"}, **HTMX)
    html = response.content.decode()
    assert response.status_code == 200
    assert 'aria-pressed="true"' in html and "1 support (yours included)" in html
    assert 'name="action" value="withdraw"' in html


def test_it_refuses_an_unknown_action(client, template, citizen):
    client.force_login(citizen)
    response = client.post(_urls(template)["support"], {"action": "explode"})
    assert response.status_code == 400
    assert "Please choose whether to support" in response.content.decode()


def test_it_records_the_voice(template, citizen, participant, juror):
    for user in (citizen, participant, juror):
        services.template_support(actor=user, template=template)
        services.template_comment(actor=user, template=template, body=f"Meinung von {user.display_name}")
    assert dict(TemplateSupport.objects.values_list("user__email", "voice")) == {
        "citizen@example.org": Voice.CITIZEN, "participant@example.org": Voice.PARTICIPANT,
        "juror@example.org": Voice.JURY,
    }
    assert set(TemplateComment.objects.values_list("voice", flat=True)) == set(Voice.values)
    summary = voices.summary(template)
    assert summary["supports_total"] == 3 and summary["comments_total"] == 3
    assert all(summary[voice] == {"supports": 1, "comments": 1} for voice in Voice.values)


def test_it_shows_the_voices_side_by_side(client, template, citizen, participant, juror):
    services.template_support(actor=citizen, template=template)
    services.template_support(actor=participant, template=template)
    services.template_comment(actor=juror, template=template, body="Aus Sicht der Jury: gut.")
    page = client.get(_urls(template)["page"]).content.decode()
    table = page[page.index('id="voices-table"'):]
    table = table[:table.index("</table>")]
    assert table.count('<th scope="row">') == 3 and table.count('<th scope="col"') == 4
    rows = [r.split("</tr>")[0] for r in table.split('<th scope="row">')[1:]]
    assert rows[0].startswith("Citizens") and '<td class="num">1</td>\n          <td class="num">0</td>' in rows[0]
    assert rows[1].startswith("Participants") and '<td class="num">1</td>\n          <td class="num">0</td>' in rows[1]
    assert rows[2].startswith("Jury") and '<td class="num">0</td>\n          <td class="num">1</td>' in rows[2]
    assert '<span class="badge badge-voice badge-voice-jury">Jury</span>' in page


# --- comments ----------------------------------------------------------------------------------


def test_it_publishes_a_comment_with_the_author_and_voice(client, template, participant):
    client.force_login(participant)
    response = client.post(_urls(template)["comment"], {"body": "Wir machen weiter!\nZeile zwei."}, **HTMX)
    assert response.status_code == 200
    html = response.content.decode()
    assert "Paul Participant" in html and "badge-voice-participant" in html
    assert "Wir machen weiter!<br>Zeile zwei." in html
    assert "participant@example.org" not in html
    assert "Your comment has been published." in html


@pytest.mark.parametrize("htmx", [False, True])
@pytest.mark.parametrize("body, error", [
    ("   ", "Please write your comment."),
    ("x" * 3001, "Please keep your comment to 3000 characters (it has 3001)."),
])
def test_it_shows_comment_errors_and_keeps_the_text(client, template, citizen, body, error, htmx):
    client.force_login(citizen)
    response = client.post(_urls(template)["comment"], {"body": body}, **(HTMX if htmx else {}))
    assert response.status_code == (200 if htmx else 400)
    html = response.content.decode()
    assert error in html
    assert 'aria-invalid="true"' in html
    if body.strip():
        assert body in html  # what was typed comes back in the form
    assert not TemplateComment.objects.exists()


def test_it_refuses_empty_comments_in_the_service(template, citizen):
    with pytest.raises(ValidationError):
        services.template_comment(actor=citizen, template=template, body=" \x00 ")
    with pytest.raises(ValidationError):
        services.template_comment(actor=citizen, template=template, body="x" * 3001)


# --- hiding ------------------------------------------------------------------------------------


@pytest.fixture
def comment(template, citizen):
    return services.template_comment(actor=citizen, template=template, body="Unsachlicher Kommentar")


def _hide_url(comment):
    return reverse("results:comment_hide", args=[comment.template.edition.slug, comment.pk])


@pytest.mark.parametrize("who", ["moderator", "organizer"])
def test_it_lets_moderators_hide_a_comment(client, template, comment, who, moderator, organizer):
    client.force_login({"moderator": moderator, "organizer": organizer}[who])
    page = client.get(_urls(template)["page"]).content.decode()
    assert f'action="{_hide_url(comment)}"' in page
    response = client.post(_hide_url(comment), {"reason": "Beleidigend"})
    assert response.status_code == 302
    comment.refresh_from_db()
    assert comment.hidden_at is not None and comment.hidden_reason == "Beleidigend"
    assert voices.summary(template)["comments_total"] == 0
    # Moderators still see it as evidence; the public does not.
    assert "Beleidigend" in client.get(_urls(template)["page"]).content.decode()
    client.logout()
    assert "Unsachlicher Kommentar" not in client.get(_urls(template)["page"]).content.decode()


def test_it_requires_a_reason_to_hide(client, comment, moderator):
    client.force_login(moderator)
    response = client.post(_hide_url(comment), {"reason": "  "}, **HTMX)
    assert response.status_code == 200
    assert "Please give a reason." in response.content.decode()
    response = client.post(_hide_url(comment), {"reason": ""})
    assert response.status_code == 400
    comment.refresh_from_db()
    assert comment.hidden_at is None


@pytest.mark.parametrize("who", ["visitor", "citizen", "participant", "juror", "stranger_organizer"])
def test_it_refuses_hiding_to_others(client, comment, cast, stranger_organizer, who):
    user = stranger_organizer if who == "stranger_organizer" else cast[who]
    client = _client_for(client, user)
    assert client.post(_hide_url(comment), {"reason": "Weg damit"}).status_code == 403
    assert client.post(_hide_url(comment), {"reason": "Weg damit"}, **HTMX).status_code == 403
    if user.is_authenticated:
        with pytest.raises(PermissionDenied):
            services.template_comment_hide(actor=user, comment=comment, reason="Weg damit")
    comment.refresh_from_db()
    assert comment.hidden_at is None
    page = client.get(_urls(comment.template)["page"]).content.decode()
    assert _hide_url(comment) not in page


def test_it_does_not_find_a_comment_of_another_edition(client, comment, stranger_organizer):
    client.force_login(stranger_organizer)
    url = reverse("results:comment_hide", args=["other-edition", comment.pk])
    assert client.post(url, {"reason": "x"}).status_code == 404


# --- the block costs a fixed number of queries -------------------------------------------------


def test_the_block_does_not_grow_with_comments(client, template, citizen, participant, juror,
                                               django_assert_max_num_queries):
    client.force_login(citizen)
    support = _urls(template)["support"]
    services.template_comment(actor=citizen, template=template, body="Eins")
    with django_assert_max_num_queries(40) as few:
        client.post(support, {"action": "add"}, **HTMX)
    baseline = len(few)  # read now: the next request clears Django's query log
    client.post(support, {"action": "withdraw"}, **HTMX)
    for user in (participant, juror):
        for n in range(5):
            services.template_comment(actor=user, template=template, body=f"Kommentar {n}")
    with django_assert_max_num_queries(baseline):
        response = client.post(support, {"action": "add"}, **HTMX)
    assert response.content.decode().count('class="comment template-comment"') == 11


# --- the evaluation beside the voices ----------------------------------------------------------


def test_it_shows_the_jury_score_and_participants_rating_of_the_prototype(
    client, template, edition, go_to, organizer, juror, idea_author
):
    from helpathon.evaluation import services as evaluation

    evaluation.settings_update(actor=organizer, edition=edition, jury_rates="prototype", participants_rate="prototype")
    edition.phase_actions_extra = {"jury": ["rate"]}
    edition.save(update_fields=["phase_actions_extra"])
    go_to("jury")  # refreshes `edition`, the one whose agenda the services read below
    prototype = template.prototype
    prototype.edition = edition
    evaluation.rating_set(actor=juror, kind="prototype", target=prototype, panel="jury",
                          values={"impact": 5, "feasibility": 4, "novelty": 4, "sustainability": 3})
    evaluation.rating_set(actor=idea_author, kind="prototype", target=prototype, panel="participants",
                          values={"impact": 2, "feasibility": 2, "novelty": 2, "sustainability": 2})
    # While participants may still rate, the ratings are not public.
    html = client.get(_urls(template)["page"]).content.decode()
    assert "Ratings are shown once the evaluation has ended." in html
    go_to("public_feedback")
    html = client.get(_urls(template)["page"]).content.decode()
    table = html[html.index('id="voices-table"'):]
    table = table[:table.index("</table>")]
    rows = [r.split("</tr>")[0] for r in table.split('<th scope="row">')[1:]]
    assert '<span class="num">2.0</span>' in rows[1] and "(1 rating)" in rows[1]  # participants
    assert '<span class="num">4.0</span>' in rows[2] and "(1 rating)" in rows[2]  # jury
    assert "no rating" in rows[0]  # citizens give supports and comments only
    follow_up = client.get(reverse("results:follow_up", args=[edition.slug])).content.decode()
    assert '<span class="num">2.0</span>' in follow_up and '<span class="num">4.0</span>' in follow_up
