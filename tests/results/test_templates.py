"""Innovation templates: made once prototyping is over, and their pages (the edition's results
page and one template's page) — public, naming only those who agreed, with a fixed number of
queries."""

import io

import pytest
from django.urls import reverse

from helpathon.evaluation import services as evaluation_services
from helpathon.results.models import FollowUp, InnovationTemplate
from helpathon.results.selectors import template_detail
from helpathon.results.services import template_status_set, templates_ensure
from helpathon.teams import services as team_services
from helpathon.teams.models import Membership
from tests.factories import make_user

SEEDED_EMAILS = (
    "participant@example.org", "mia.member@example.org", "ida.author@example.org", "organizer@example.org",
)


def _page(client, template, **kwargs):
    return client.get(reverse("results:template", kwargs={"slug": template.edition.slug, "pk": template.pk}), **kwargs)


def _list(client, edition):
    return client.get(reverse("results:list", kwargs={"slug": edition.slug}))


# --- when templates are made -----------------------------------------------------------------


def test_it_makes_no_template_while_prototyping(submitted_team, edition):
    assert team_services.prototype_of(submitted_team).status == "submitted"
    assert templates_ensure(edition=edition) == []
    assert not InnovationTemplate.objects.filter(edition=edition).exists()


def test_it_makes_the_template_when_the_agenda_moves_past_prototyping(submitted_team, go_to, edition):
    go_to("pitches")
    template = InnovationTemplate.objects.get(prototype__team=submitted_team)
    assert template.status == FollowUp.RECEIVED
    assert template.prototype_version == team_services.prototype_of(submitted_team).version
    assert template.challenge == submitted_team.challenge


def test_making_templates_twice_is_idempotent(template, edition):
    assert templates_ensure(edition=edition) == []
    assert templates_ensure(edition=edition) == []
    assert InnovationTemplate.objects.filter(edition=edition).count() == 1
    assert template.status_changes.count() == 1


# --- the template's page ---------------------------------------------------------------------


def test_it_shows_the_sections_in_their_order(client, template):
    response = _page(client, template, HTTP_COOKIE="django_language=en")
    assert response.status_code == 200
    html = response.content.decode()
    order = [html.index(text) for text in (
        "Lieferverkehr verstopft die Innenstadt.", "Händler und Kundschaft am Markt.",
        "Drei Lastenrad-Hubs mit Buchungssystem.", "2030 liefert der Markt emissionsfrei.",
        "Standorte mit dem Tiefbauamt prüfen.",
    )]
    assert order == sorted(order)
    assert "Die Radler" in html
    assert "Received" in html


def test_it_shows_the_lineage_with_links(client, template, lineage):
    html = _page(client, template).content.decode()
    root, child = lineage
    assert "Lastenräder leihen" in html and "Lastenrad-Hubs am Markt" in html
    assert root.get_absolute_url() in html and child.get_absolute_url() in html


def test_each_idea_appears_once_in_the_lineage(template):
    # Both founding ideas are on the team; the root appears once, as a founding idea.
    detail = template_detail(template)
    titles = [node.title for node in detail.lineage_flat]
    assert sorted(titles) == ["Lastenrad-Hubs am Markt", "Lastenräder leihen"]


def test_the_lineage_reaches_ideas_the_founding_ideas_build_on(
    edition, go_to, participant, member, idea_author, organizer
):
    from helpathon.ideas import services as idea_services

    go_to("ideation")
    challenge = edition.challenges.first()
    grandparent = idea_services.idea_create(actor=idea_author, challenge=challenge, title="Quartiersbus", body="Ein Bus.")
    parent = idea_services.idea_create(actor=member, challenge=challenge, title="Rufbus am Abend", body="Auf Abruf.",
                                       builds_on=[grandparent])
    duplicate = idea_services.idea_create(actor=participant, challenge=challenge, title="Abendbus", body="Doppelt.")
    edition.moderators.add(organizer)
    idea_services.idea_merge(actor=organizer, idea=duplicate, target=parent)
    founding = idea_services.idea_create(actor=participant, challenge=challenge, title="Rufbus-App", body="Eine App.",
                                         builds_on=[parent])
    go_to("team_building")
    team = team_services.team_found(actor=participant, challenge=challenge, name="Bus Crew", ideas=[founding])
    go_to("prototyping")
    prototype = team_services.prototype_of(team)
    team_services.prototype_save(actor=participant, team=team, base_version=prototype.version, sections={
        "problem": "Abends fährt kein Bus.", "solution": "Ein Rufbus.", "future_scenario": "Alle kommen heim.",
    })
    team_services.prototype_submit(actor=participant, team=team)
    go_to("pitches")
    detail = template_detail(InnovationTemplate.objects.get(prototype__team=team))
    tree = detail.lineage
    assert [n.title for n in tree] == ["Rufbus-App"]
    assert [(n.title, n.relation) for n in tree[0].children] == [("Rufbus am Abend", "builds_on")]
    grand = {(n.title, n.relation) for n in tree[0].children[0].children}
    assert grand == {("Quartiersbus", "builds_on"), ("Abendbus", "merged_into")}
    # Authors by their results name: Ida did not agree to be named, Mia did.
    authors = {n.title: n.author for n in detail.lineage_flat}
    assert authors["Rufbus am Abend"] == "Mia Member"
    assert authors["Quartiersbus"] != "Ida Author" and authors["Quartiersbus"].startswith("Participant ")


def test_it_names_only_members_who_agreed(client, template):
    html = _page(client, template, HTTP_COOKIE="django_language=en").content.decode()
    assert "Mia Member" in html
    assert "Paul Participant" not in html
    assert "and 1 more member" in html


def test_mentors_are_listed_apart(client, template, edition, submitted_team):
    mentor = make_user("mentor@example.org", display_name="Mona Mentor", named_in_results=True)
    Membership.objects.create(team=submitted_team, user=mentor, role=Membership.Role.MENTOR,
                              joined_at=submitted_team.created_at)
    detail = template_detail(template)
    assert detail.team.names == ["Mia Member"]
    assert detail.team.mentors == ["Mona Mentor"]
    html = _page(client, template, HTTP_COOKIE="django_language=en").content.decode()
    assert "Mentors" in html and "Mona Mentor" in html


def test_it_shows_no_email_of_any_seeded_user(client, template):
    html = _page(client, template).content.decode() + _list(client, template.edition).content.decode()
    for email in SEEDED_EMAILS:
        assert email not in html
    assert "@example.org" not in html


def test_it_shows_the_status_and_statement(client, template, organizer):
    template_status_set(actor=organizer, template=template, status=FollowUp.UNDER_REVIEW,
                        statement="Das Tiefbauamt prüft die Standorte.")
    html = _page(client, template, HTTP_COOKIE="django_language=en").content.decode()
    assert "Under review" in html
    assert "Das Tiefbauamt prüft die Standorte." in html
    assert "What became of it" in html


def test_it_shows_the_jury_score_when_the_jury_rated_prototypes(client, template, edition, go_to, organizer):
    from helpathon.editions.models import Edition
    from helpathon.evaluation import targets
    from helpathon.evaluation.models import Criterion

    def fresh_edition():
        return Edition.objects.get(pk=edition.pk)

    evaluation_services.settings_update(actor=organizer, edition=fresh_edition(), jury_rates="prototype")
    juror = make_user("juror@example.org", display_name="Jule Juror")
    evaluation_services.jury_appoint(actor=organizer, edition=fresh_edition(), user=juror)
    evaluation_services.criteria_ensure_defaults(edition=edition)
    go_to("jury")
    keys = list(Criterion.objects.filter(edition=edition, for_jury=True).values_list("key", flat=True))
    target = targets.target_get(edition=fresh_edition(), kind="prototype", pk=template.prototype_id)
    evaluation_services.rating_set(actor=juror, kind="prototype", target=target, panel="jury",
                                   values={key: 4 for key in keys})
    go_to("results")
    detail = template_detail(InnovationTemplate.objects.select_related("prototype__team", "edition").get(pk=template.pk))
    assert detail.evaluation.public
    assert detail.evaluation.jury.raters == 1
    assert detail.evaluation.jury.score == pytest.approx(4.0)
    html = _page(client, template, HTTP_COOKIE="django_language=en").content.decode()
    assert "4.0 of 5" in html
    assert "Jule Juror" not in html


def test_it_shows_the_feedback_summary(client, template, citizen):
    from helpathon.results.services import template_comment, template_support

    template_support(actor=citizen, template=template)
    template_comment(actor=citizen, template=template, body="Bitte auch am Hafen!")
    detail = template_detail(template)
    assert detail.feedback["citizen"] == {"supports": 1, "comments": 1}
    assert detail.feedback["supports_total"] == 1
    html = _page(client, template, HTTP_COOKIE="django_language=en").content.decode()
    assert "Citizens" in html


def test_visitors_see_it_in_german_by_default(client, template):
    response = _page(client, template)
    html = response.content.decode()
    assert '<html lang="de"' in html
    assert "Die Radler" in html


def test_it_is_404_for_a_missing_template(client, template):
    url = reverse("results:template", kwargs={"slug": template.edition.slug, "pk": template.pk + 100})
    assert client.get(url).status_code == 404


def test_a_draft_edition_is_404_for_visitors_and_participants(client, template, participant, organizer, password):
    edition = template.edition
    edition.status = "draft"
    edition.save(update_fields=["status"])
    urls = [
        reverse("results:list", kwargs={"slug": edition.slug}),
        reverse("results:template", kwargs={"slug": edition.slug, "pk": template.pk}),
        reverse("results:template_markdown", kwargs={"slug": edition.slug, "pk": template.pk}),
        reverse("results:template_json", kwargs={"slug": edition.slug, "pk": template.pk}),
        reverse("results:template_pdf", kwargs={"slug": edition.slug, "pk": template.pk}),
    ]
    for url in urls:
        assert client.get(url).status_code == 404
    client.force_login(participant)
    for url in urls[:2]:
        assert client.get(url).status_code == 404
    client.force_login(organizer)
    for url in urls[:2]:
        assert client.get(url).status_code == 200


# --- the results page --------------------------------------------------------------------------


def test_the_list_shows_a_card_per_template(client, template):
    html = _list(client, template.edition).content.decode()
    assert "Die Radler" in html
    assert template.challenge.title in html
    assert "Lieferverkehr verstopft die Innenstadt." in html
    assert reverse("results:template_pdf", kwargs={"slug": template.edition.slug, "pk": template.pk}) in html
    assert "Paul Participant" not in html


def test_the_list_is_empty_before_any_template(client, edition):
    response = _list(client, edition)
    assert response.status_code == 200


def _more_templates(edition, count):
    """`count` more submitted prototypes with templates (made directly: the agenda is past
    prototyping already)."""
    from django.utils import timezone

    from helpathon.teams.models import Prototype, Team

    challenge = edition.challenges.first()
    for index in range(count):
        lead = make_user(f"lead{index}@example.org", display_name=f"Lead {index}")
        team = Team.objects.create(edition=edition, challenge=challenge, name=f"Team {index}", created_by=lead,
                                   created_at=timezone.now())
        Membership.objects.create(team=team, user=lead, role=Membership.Role.LEAD, joined_at=timezone.now())
        Prototype.objects.create(team=team, edition=edition, challenge=challenge, problem=f"Problem {index}",
                                 solution="S", future_scenario="F", version=0, status="submitted",
                                 submitted_at=timezone.now(), updated_at=timezone.now())
    templates_ensure(edition=edition)


def test_the_list_takes_the_same_queries_for_1_and_5_templates(client, template, django_assert_max_num_queries):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    edition = template.edition
    _list(client, edition)  # warm caches
    with CaptureQueriesContext(connection) as one:
        assert _list(client, edition).status_code == 200
    _more_templates(edition, 4)
    assert InnovationTemplate.objects.filter(edition=edition).count() == 5
    with django_assert_max_num_queries(len(one.captured_queries)):
        html = _list(client, edition).content.decode()
    assert "Team 3" in html


# --- the demo data ---------------------------------------------------------------------------


def test_the_demo_results_are_seeded_once(db, django_capture_on_commit_callbacks):
    from django.core.management import call_command

    from helpathon.results.models import TemplateComment, TemplateSupport

    call_command("seed_demo", "--if-empty", stdout=io.StringIO())
    call_command("seed_demo_ideas", stdout=io.StringIO())
    for _run in range(2):
        with django_capture_on_commit_callbacks(execute=True):
            call_command("seed_demo_results", stdout=io.StringIO())
    templates = InnovationTemplate.objects.filter(edition__slug="leben-und-wirtschaft-im-quartier")
    assert templates.count() == 3
    assert {t.status for t in templates} == {"being_implemented", "implemented", "not_pursued"}
    assert all(t.statement for t in templates)
    assert TemplateSupport.objects.filter(template__in=templates).count() == 6
    assert TemplateComment.objects.filter(template__in=templates).count() == 4
