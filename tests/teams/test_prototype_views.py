"""The prototype pages: reading a draft or a submitted prototype per role, editing with a
conflict and autosave, images and pitch slides (checked and served safely), submitting and
reopening, the history and the public gallery."""

import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image

from helpathon.accounts.models import User
from helpathon.editions.services import phase_set
from helpathon.teams import services
from helpathon.teams.models import Prototype, PrototypeDraft, PrototypeImage

pytestmark = pytest.mark.django_db

HTMX = {"HTTP_HX_REQUEST": "true"}
FULL = {"problem": "Zu viele Autos.", "solution": "Ein **Lastenrad** für alle.", "future_scenario": "Ruhige Straßen."}


@pytest.fixture(autouse=True)
def _english_pages(client, settings, tmp_path):
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    settings.MEDIA_ROOT = str(tmp_path)


def _fresh(user):
    # Roles are cached on user objects; a phase change or a new membership needs a fresh one.
    return User.objects.get(pk=user.pk)


def _url(team, suffix=""):
    return f"/editions/{team.edition.slug}/teams/{team.pk}/prototype/{suffix}"


def _html(response) -> str:
    return response.content.decode()


def _form(prototype_sections=None, *, base=0, **extra):
    data = {"base_version": base, "pitch_url": "", "note": ""}
    data.update(prototype_sections or {})
    data.update(extra)
    return data


def _png(width=4, height=3) -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (width, height), (200, 30, 30)).save(out, format="PNG")
    return out.getvalue()


@pytest.fixture
def member(team, make_participant, participant):
    user = make_participant("Mia Member")
    request = services.join_request_create(actor=user, team=team)
    services.join_request_decide(actor=participant, request=request, accept=True)
    return user


@pytest.fixture
def mentor(team, organizer, make_participant):
    user = make_participant("Max Mentor")
    services.mentor_appoint(actor=organizer, team=team, user=user)
    return user


@pytest.fixture
def outsider(make_participant):
    return make_participant("Otto Outsider")


@pytest.fixture
def prototyping(edition, organizer, team, member, mentor):
    phase_set(actor=organizer, edition=edition, phase=edition.phases.get(kind="prototyping"))
    edition.refresh_from_db()
    team.edition.refresh_from_db()
    return edition


@pytest.fixture
def draft(prototyping, team, participant):
    """Version 1, saved by the lead, not submitted."""
    return services.prototype_save(
        actor=_fresh(participant), team=team, base_version=0, sections={"problem": "Geheimer Entwurf"}
    )


@pytest.fixture
def submitted(prototyping, team, participant):
    lead = _fresh(participant)
    services.prototype_save(actor=lead, team=team, base_version=0, sections=FULL)
    return services.prototype_submit(actor=lead, team=team)


def _as(client, user):
    if user is not None:
        client.force_login(user)


def _cast(request, name):
    return None if name == "visitor" else request.getfixturevalue(name)


# --- reading -----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("who", "status"),
    [("visitor", 404), ("outsider", 404), ("participant", 200), ("member", 200), ("mentor", 200), ("organizer", 200)],
)
def test_it_shows_a_draft_only_to_the_team_its_mentors_and_organizers(client, request, draft, team, who, status):
    _as(client, _cast(request, who))
    response = client.get(_url(team))
    assert response.status_code == status
    if status == 200:
        assert "Geheimer Entwurf" in _html(response)
        assert "Draft" in _html(response)


@pytest.mark.parametrize("who", ["visitor", "outsider"])
def test_it_shows_a_submitted_prototype_to_everyone_with_rendered_markdown(client, request, submitted, team, who):
    _as(client, _cast(request, who))
    page = _html(client.get(_url(team)))
    assert "<strong>Lastenrad</strong>" in page
    assert "**Lastenrad**" not in page
    for heading in ("Problem", "Solution", "Future scenario"):
        assert f">{heading}</h2>" in page
    # Once submitted, sections the team left empty are left out.
    for heading in ("Target group", "Risks"):
        assert f">{heading}</h2>" not in page
    assert "Not filled in yet." not in page
    assert "badge-submitted" in page
    assert "Version 1" in page


def test_it_links_the_prototype_from_the_team_page_for_everyone_once_submitted(client, submitted, team):
    page = _html(client.get(f"/editions/{team.edition.slug}/teams/{team.pk}/"))
    assert _url(team) in page


def test_it_does_not_link_a_draft_from_the_team_page_for_the_public(client, draft, team):
    page = _html(client.get(f"/editions/{team.edition.slug}/teams/{team.pk}/"))
    assert _url(team) not in page
    assert "has not submitted its prototype yet" in page


# --- who may edit ------------------------------------------------------------------------------


@pytest.mark.parametrize(("who", "status"), [("mentor", 403), ("organizer", 403), ("outsider", 404)])
def test_it_lets_only_members_open_the_editor(client, request, draft, team, who, status):
    _as(client, _cast(request, who))
    assert client.get(_url(team, "edit/")).status_code == status


@pytest.mark.parametrize(("who", "status"), [("mentor", 403), ("outsider", 404)])
def test_it_refuses_saves_from_others(client, request, draft, team, who, status):
    _as(client, _cast(request, who))
    response = client.post(_url(team, "edit/"), _form({"problem": "Übernahme"}, base=1))
    assert response.status_code == status
    assert Prototype.objects.get(team=team).problem == "Geheimer Entwurf"


def test_it_refuses_editing_outside_the_prototyping_phase(client, team, member):
    client.force_login(member)
    response = client.get(_url(team, "edit/"))
    assert response.status_code == 403
    assert "only during the prototyping phase" in _html(response)


def test_it_saves_the_sections_through_the_form(client, prototyping, team, member):
    client.force_login(member)
    page = client.get(_url(team, "edit/"))
    assert 'name="base_version" value="0"' in _html(page)
    response = client.post(_url(team, "edit/"), _form(FULL, note="Erster Wurf", pitch_url="https://video.example.org/p"))
    assert response.status_code == 302
    prototype = Prototype.objects.get(team=team)
    assert (prototype.version, prototype.solution, prototype.pitch_url) == (1, FULL["solution"], "https://video.example.org/p")
    assert prototype.versions.get().note == "Erster Wurf"


def test_it_shows_a_service_error_at_the_pitch_link(client, prototyping, team, member):
    client.force_login(member)
    response = client.post(_url(team, "edit/"), _form(FULL, pitch_url="javascript:alert(1)"))
    assert response.status_code == 400
    assert "Please give an https:// address." in _html(response)
    assert "Lastenrad" in _html(response)  # what was typed is still there


# --- the conflict ------------------------------------------------------------------------------


def test_it_shows_both_texts_when_someone_saved_in_between_and_saves_on_purpose_again(
    client, prototyping, team, participant, member
):
    lead_client = client.__class__()
    lead_client.force_login(participant)
    lead_client.post(_url(team, "edit/"), _form({"problem": "Text von Paul"}, base=0))
    client.force_login(member)
    response = client.post(_url(team, "edit/"), _form({"problem": "Text von Mia"}, base=0))
    assert response.status_code == 409
    page = _html(response)
    assert "Someone else saved the prototype" in page
    assert "Text von Paul" in page  # the saved text, read-only
    assert "Saved by Paul Participant" in page
    assert ">\nText von Mia</textarea>" in page  # the person's own text, editable
    assert 'name="base_version" value="1"' in page
    assert Prototype.objects.get(team=team).problem == "Text von Paul"

    again = client.post(_url(team, "edit/"), _form({"problem": "Text von Mia und Paul"}, base=1))
    assert again.status_code == 302
    prototype = Prototype.objects.get(team=team)
    assert (prototype.version, prototype.problem) == (2, "Text von Mia und Paul")


def test_it_takes_the_saved_text_in_a_conflict_where_only_the_others_changed_a_section(
    client, prototyping, team, participant, member
):
    services.prototype_save(actor=_fresh(participant), team=team, base_version=0, sections={"risks": "Regen"})
    client.force_login(member)
    response = client.post(_url(team, "edit/"), _form({"problem": "Mias Problem", "risks": ""}, base=0))
    page = _html(response)
    assert response.status_code == 409
    assert ">\nRegen</textarea>" in page  # taken over, not shown as a conflict
    assert ">\nMias Problem</textarea>" in page
    assert '<fieldset class="conflict' not in page  # neither section was changed by both


def test_it_keeps_the_conflicting_text_as_the_persons_draft(client, prototyping, team, participant, member):
    services.prototype_save(actor=_fresh(participant), team=team, base_version=0, sections={"problem": "Pauls"})
    client.force_login(member)
    client.post(_url(team, "edit/"), _form({"problem": "Mias"}, base=0))
    assert PrototypeDraft.objects.get(user=member).sections["problem"] == "Mias"


# --- autosave ----------------------------------------------------------------------------------


def test_it_autosaves_a_draft_with_htmx(client, prototyping, team, member):
    client.force_login(member)
    response = client.post(_url(team, "draft/"), _form({"problem": "Halb fertig"}), **HTMX)
    assert response.status_code == 200
    assert "Draft saved at" in _html(response)
    assert PrototypeDraft.objects.get(user=member).sections["problem"] == "Halb fertig"


def test_it_offers_to_restore_a_newer_draft_and_prefills_it(client, prototyping, team, member):
    client.force_login(member)
    client.post(_url(team, "draft/"), _form({"problem": "Halb fertig"}), **HTMX)
    page = _html(client.get(_url(team, "edit/")))
    assert "Restore your unsaved draft from" in page
    assert "Halb fertig" not in page
    restored = _html(client.get(_url(team, "edit/"), {"draft": "restore"}))
    assert ">\nHalb fertig</textarea>" in restored


def test_it_discards_a_draft(client, prototyping, team, member):
    client.force_login(member)
    client.post(_url(team, "draft/"), _form({"problem": "Halb fertig"}), **HTMX)
    response = client.post(_url(team, "draft/"), {"discard": "1"})
    assert response.status_code == 302
    assert not PrototypeDraft.objects.filter(user=member).exists()
    assert "Restore your unsaved draft" not in _html(client.get(_url(team, "edit/")))


def test_it_does_not_keep_a_draft_for_a_mentor(client, prototyping, team, mentor):
    client.force_login(mentor)
    response = client.post(_url(team, "draft/"), _form({"problem": "Vom Mentor"}), **HTMX)
    assert "could not be kept" in _html(response)
    assert not PrototypeDraft.objects.exists()


# --- images and slides -------------------------------------------------------------------------


def _upload_image(client, team, data: bytes, name="sketch.png", alt="Skizze der Startseite"):
    return client.post(_url(team, "images/"), {"image": SimpleUploadedFile(name, data, content_type="image/png"), "alt": alt})


def test_it_uploads_a_png_and_serves_it_with_safe_headers(client, prototyping, team, member):
    client.force_login(member)
    assert _upload_image(client, team, _png()).status_code == 302
    image = PrototypeImage.objects.get()
    assert (image.width, image.height, image.alt) == (4, 3, "Skizze der Startseite")
    response = client.get(_url(team, f"images/{image.pk}/"))
    assert response.status_code == 200
    assert response["Content-Type"] == "image/png"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Content-Disposition"].startswith("inline")
    assert response["Content-Security-Policy"] == "sandbox"
    assert b"".join(response.streaming_content).startswith(b"\x89PNG")
    page = _html(client.get(_url(team)))
    assert 'alt="Skizze der Startseite"' in page


def test_it_refuses_a_script_renamed_to_png(client, prototyping, team, member):
    client.force_login(member)
    response = _upload_image(client, team, b"<script>alert(1)</script>", name="evil.png")
    assert response.status_code == 400
    assert "This file is not an image we can read" in _html(response)
    assert not PrototypeImage.objects.exists()


def test_it_refuses_an_image_with_too_many_pixels(client, settings, prototyping, team, member):
    settings.PROTOTYPE_IMAGE_MAX_PIXELS = 100
    client.force_login(member)
    response = _upload_image(client, team, _png(20, 20))
    assert response.status_code == 400
    assert "too many pixels" in _html(response)
    assert not PrototypeImage.objects.exists()


def test_it_refuses_an_image_without_a_description(client, prototyping, team, member):
    client.force_login(member)
    response = _upload_image(client, team, _png(), alt="")
    assert response.status_code == 400
    assert not PrototypeImage.objects.exists()


def test_it_removes_an_image(client, prototyping, team, member):
    client.force_login(member)
    _upload_image(client, team, _png())
    image = PrototypeImage.objects.get()
    assert client.post(_url(team, f"images/{image.pk}/remove/")).status_code == 302
    assert not PrototypeImage.objects.exists()


def _pdf(*, script=False) -> bytes:
    from pypdf import PdfWriter
    from pypdf.actions import JavaScript

    writer = PdfWriter()
    writer.add_blank_page(width=200, height=200)
    if script:
        writer.add_open_action(JavaScript("app.alert(1)"))
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


def _upload_pdf(client, team, data):
    return client.post(_url(team, "pitch/"), {"pitch_pdf": SimpleUploadedFile("p.pdf", data, content_type="application/pdf")})


def test_it_refuses_a_pdf_with_javascript(client, prototyping, team, member):
    client.force_login(member)
    response = _upload_pdf(client, team, _pdf(script=True))
    assert response.status_code == 400
    assert "contains scripts or embedded files" in _html(response)
    assert not Prototype.objects.get(team=team).pitch_pdf


def test_it_serves_the_pitch_pdf_as_an_attachment(client, prototyping, team, member):
    client.force_login(member)
    assert _upload_pdf(client, team, _pdf()).status_code == 302
    response = client.get(_url(team, "pitch.pdf"))
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"].startswith("attachment")
    assert response["Content-Security-Policy"] == "sandbox"
    assert response["X-Content-Type-Options"] == "nosniff"


@pytest.mark.parametrize("who", ["visitor", "outsider"])
def test_it_does_not_serve_the_files_of_a_draft_to_outsiders(client, request, prototyping, team, member, who):
    client.force_login(member)
    _upload_image(client, team, _png())
    _upload_pdf(client, team, _pdf())
    image = PrototypeImage.objects.get()
    client.logout()
    _as(client, _cast(request, who))
    assert client.get(_url(team, f"images/{image.pk}/")).status_code == 404
    assert client.get(_url(team, "pitch.pdf")).status_code == 404


def test_it_serves_the_files_of_a_submitted_prototype_to_everyone(client, prototyping, team, member):
    client.force_login(member)
    _upload_image(client, team, _png())
    client.post(_url(team, "edit/"), _form(FULL))
    client.post(_url(team, "submit/"))
    client.logout()
    image = PrototypeImage.objects.get()
    assert client.get(_url(team, f"images/{image.pk}/")).status_code == 200


# --- submitting and reopening ------------------------------------------------------------------


def test_it_shows_a_confirmation_step_before_submitting(client, draft, team, member):
    client.force_login(member)
    page = _html(client.get(_url(team, "submit/")))
    assert "Yes, submit the prototype" in page
    assert Prototype.objects.get(team=team).status == Prototype.Status.DRAFT


def test_it_shows_missing_sections_when_submitting(client, draft, team, member):
    client.force_login(member)
    response = client.post(_url(team, "submit/"))
    assert response.status_code == 400
    page = _html(response)
    assert page.count("Please fill in this section before submitting.") == 2  # solution, future scenario
    assert 'id="id_solution_error"' in page
    assert Prototype.objects.get(team=team).status == Prototype.Status.DRAFT


def test_it_makes_a_submitted_prototype_read_only(client, prototyping, team, member):
    client.force_login(member)
    client.post(_url(team, "edit/"), _form(FULL))
    assert client.post(_url(team, "submit/")).status_code == 302
    assert Prototype.objects.get(team=team).status == Prototype.Status.SUBMITTED
    assert client.get(_url(team, "edit/")).status_code == 302
    page = _html(client.get(_url(team)))
    assert "has been submitted and is read-only" in page
    assert "Edit the prototype" not in page
    response = client.post(_url(team, "edit/"), _form({"problem": "Nachträglich"}, base=1))
    assert Prototype.objects.get(team=team).problem == FULL["problem"]
    assert response.status_code == 302


def test_it_lets_organizers_reopen(client, submitted, team, organizer):
    client.force_login(organizer)
    page = _html(client.get(_url(team)))
    assert "Reopen for changes" in page
    assert client.post(_url(team, "reopen/")).status_code == 302
    assert Prototype.objects.get(team=team).status == Prototype.Status.DRAFT


@pytest.mark.parametrize("who", ["member", "mentor"])
def test_it_lets_nobody_else_reopen(client, request, submitted, team, who):
    client.force_login(request.getfixturevalue(who))
    assert "Reopen for changes" not in _html(client.get(_url(team)))
    assert client.post(_url(team, "reopen/")).status_code == 404
    assert Prototype.objects.get(team=team).status == Prototype.Status.SUBMITTED


# --- history -----------------------------------------------------------------------------------


def test_it_shows_versions_and_a_word_diff(client, draft, team, member):
    services.prototype_save(
        actor=_fresh(member), team=team, base_version=1, sections={"problem": "Geheimer neuer Entwurf"}, note="umgestellt"
    )
    client.force_login(member)
    page = _html(client.get(_url(team, "history/")))
    assert "Version 2" in page and "Version 1" in page
    assert "Mia Member" in page and "Paul Participant" in page
    assert "umgestellt" in page
    assert "</span>neuer</ins>" in page


def test_it_hides_the_history_of_a_draft_from_outsiders(client, draft, team, outsider):
    client.force_login(outsider)
    assert client.get(_url(team, "history/")).status_code == 404


# --- the gallery -------------------------------------------------------------------------------


def _teams(edition, ideas, make_participant, organizer, count):
    """`count` teams in team building, then prototyping with every other prototype submitted."""
    made = []
    for n in range(count):
        lead = make_participant(f"Lead {n}")
        made.append((lead, services.team_found(
            actor=lead, challenge=ideas[n % 2 * 3].challenge, name=f"Team {n}", ideas=[ideas[n % 2 * 3]],
            skills_needed="",
        )))
    phase_set(actor=organizer, edition=edition, phase=edition.phases.get(kind="prototyping"))
    for n, (lead, team) in enumerate(made):
        if n % 2 == 0:
            services.prototype_save(actor=_fresh(lead), team=team, base_version=0, sections=FULL)
            services.prototype_submit(actor=_fresh(lead), team=team)
    return [team for _lead, team in made]


@pytest.mark.parametrize("count", [2, 6])
def test_it_loads_the_gallery_in_the_same_number_of_queries_for_any_number_of_teams(
    client, team_building, ideas, make_participant, organizer, django_assert_num_queries, count
):
    _teams(team_building, ideas, make_participant, organizer, count)
    # edition + challenges + phases + partners (4), teams with challenge, prototype and members count (1),
    # the live banner's current announcements (1)
    with django_assert_num_queries(6):
        response = client.get(f"/editions/{team_building.slug}/prototypes/")
    assert response.status_code == 200
    page = _html(response)
    assert page.count('class="gallery-team"') == count
    assert page.count("prototype-card") == (count + 1) // 2
    assert "Ein Lastenrad für alle." in page


def test_it_filters_the_gallery_by_challenge(client, team_building, ideas, make_participant, organizer):
    _teams(team_building, ideas, make_participant, organizer, 4)
    second = ideas[3].challenge
    page = _html(client.get(f"/editions/{team_building.slug}/prototypes/", {"challenge": second.slug}))
    assert page.count('class="gallery-team"') == 2
    assert "Team 1" in page and "Team 0" not in page


def test_it_lists_no_draft_in_the_gallery(client, draft, team):
    page = _html(client.get(f"/editions/{team.edition.slug}/prototypes/"))
    assert "Geheimer Entwurf" not in page
    assert "not yet submitted" in page
