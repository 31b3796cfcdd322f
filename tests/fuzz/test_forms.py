"""Every form of the product, posted through its real view with arbitrary input: text of any
Unicode (NUL, right-to-left marks, emoji, combining marks, very long), lists where one value is
expected, odd files, and raw bodies in a wrong or unknown charset. The answer is a page with the
form's errors (200), a redirect (302), or a clear refusal (400, 403, 404, 409, 422, 429), never
a server error.

The forms are found by their class (`grep -rn "class .*Form" helpathon`); FORMS maps each to
the view that handles it and to who posts it, and a test checks that no form is left out.
Bounded and derandomized: EXAMPLES inputs per form, the same every run.
"""

import re
import subprocess
from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse
from hypothesis import HealthCheck, given
from hypothesis import settings as hypothesis_settings
from hypothesis import strategies as st

from helpathon.evaluation import services as evaluation_services
from helpathon.moderation import services as moderation_services
from tests.fuzz.world import open_phase

pytestmark = pytest.mark.django_db

EXAMPLES = 10
ALLOWED = {200, 302, 400, 403, 404, 405, 409, 422, 429}
ROOT = Path(__file__).resolve().parents[2]

# Text as people (and scripts) send it: any Unicode but lone surrogates (a browser cannot send
# them; they are tried as raw bytes below), and the awkward characters on purpose.
ODD = ["", " ", "\x00", "a\x00b", "\u202e\u202dabc", "\u200f\u200e", "👩‍👩‍👧‍👦🏳️‍🌈", "e\u0301" * 50, "\ufeff",
       "\r\n\r\n", "<script>window.__xss=1</script>", "{{ 7*7 }}", "%s%n%x", "' OR 1=1 --", "9" * 40,
       "-1", "0", "2147483648", "1e309", "NaN", "https://", "javascript:alert(1)", "\ud7ff\ue000\uffff"]
TEXT = st.one_of(
    st.sampled_from(ODD),
    st.text(st.characters(exclude_categories=("Cs",)), max_size=60),
    st.builds(lambda s, n: s * n, st.text(st.characters(exclude_categories=("Cs",)), min_size=1, max_size=4),
              st.sampled_from([500, 5_001, 70_000])),
)
VALUE = st.one_of(TEXT, TEXT, st.lists(TEXT, max_size=3))
CHARSETS = ["utf-8", "latin-1", "utf-16", "x-no-such-charset", "shift_jis"]

# form class -> (URL name, URL kwargs from the setup, who posts, the phase the edition is held in)
FORMS = {
    "AnnouncementForm": ("editions:announcement_create", ["slug"], "organizer", "ideation"),
    "PrototypeForm": ("teams:prototype_edit", ["slug", "team"], "participant", "prototyping"),
    "ImageForm": ("teams:prototype_image_add", ["slug", "team"], "participant", "prototyping"),
    "PitchForm": ("teams:prototype_pitch_set", ["slug", "team"], "participant", "prototyping"),
    "TeamFoundForm": ("teams:new", ["slug"], "participant", "team_building"),
    "TeamEditForm": ("teams:edit", ["slug", "team"], "participant", "team_building"),
    "JoinForm": ("teams:join", ["slug", "team"], "author", "team_building"),
    "InviteForm": ("teams:invite", ["slug", "team"], "participant", "team_building"),
    "HandOverForm": ("teams:hand_over", ["slug", "team"], "participant", "team_building"),
    "MentorForm": ("teams:mentor", ["slug", "team"], "organizer", "team_building"),
    "RoomForm": ("teams:room", ["slug", "team"], "participant", "team_building"),
    "NotesForm": ("teams:notes", ["slug", "team"], "participant", "team_building"),
    "SeekerForm": ("teams:looking", ["slug"], "author", "team_building"),
    "BoardFilterForm": ("teams:board", ["slug"], "participant", "team_building"),
    "teams.SettingsForm": ("teams:settings", ["slug"], "organizer", "team_building"),
    "RatingForm": ("evaluation:rate", ["slug", "idea"], "participant", "evaluation"),
    "OutcomeForm": ("evaluation:compare_answer", ["slug", "challenge_slug", "comparison_pk"], "participant",
                    "evaluation"),
    "AppointForm": ("evaluation:jury", ["slug"], "organizer", "evaluation"),
    "AssignForm": ("evaluation:jury_assign", ["slug", "member_pk"], "organizer", "evaluation"),
    "evaluation.SettingsForm": ("evaluation:settings", ["slug"], "organizer", "evaluation"),
    "ReportForm": ("moderation:report_idea", ["slug", "idea"], "participant", "ideation"),
    "DecisionForm": ("moderation:hide_idea", ["slug", "idea"], "organizer", "ideation"),
    "DismissForm": ("moderation:dismiss_report", ["slug", "report"], "organizer", "ideation"),
    "RegistrationForm": ("registrations:register", ["slug"], "citizen", "ideation"),
    "TemplateCommentForm": ("results:comment", ["slug", "template"], "citizen", "public_feedback"),
    "CommentHideForm": ("results:comment_hide", ["slug", "template_comment"], "organizer", "public_feedback"),
    "TemplateStatusForm": ("results:status", ["slug", "template"], "organizer", "public_feedback"),
    "IdeaForm": ("ideas:create", ["slug"], "participant", "ideation"),
    "FilterForm": ("ideas:list", ["slug"], "visitor", "ideation"),
    "CommentForm": ("ideas:comment", ["slug", "idea"], "participant", "ideation"),
    "MergeForm": ("ideas:merge", ["slug", "idea"], "organizer", "ideation"),
    "StatusForm": ("ideas:status", ["slug", "idea"], "organizer", "ideation"),
    "SignupForm": ("account_signup", [], "visitor", "ideation"),
    "ProfileForm": ("accounts:profile", [], "citizen", "ideation"),
    "AccountDeleteForm": ("accounts:delete", [], "citizen", "ideation"),
    "MailingForm": ("console:mailings", ["slug"], "organizer", "ideation"),
    "EditionCreateForm": ("console:edition_create", [], "organizer", "ideation"),
    "ChallengeForm": ("console:edition_create", [], "organizer", "ideation"),
    "EditionEditForm": ("console:edition_edit", ["slug"], "organizer", "ideation"),
    "EditionCopyForm": ("console:edition_copy", ["slug"], "organizer", "ideation"),
    "RegistrationFilterForm": ("console:registrations", ["slug"], "organizer", "ideation"),
    "EditionFieldsForm": ("console:edition_edit", ["slug"], "organizer", "ideation"),
}
# Django admin's own forms (the user admin) are Django's, tested by Django; left out.
NOT_HERE = {"UserCreationForm", "UserEditForm"}
# Forms read from the query string (filters): fuzzed with GET.
GET_FORMS = {"BoardFilterForm", "FilterForm", "RegistrationFilterForm"}
# Field names the forms do not declare statically (built per edition, or formset prefixes).
EXTRA_FIELDS = {
    "RatingForm": ["usefulness", "feasibility", "novelty", "impact", "value"],
    "ChallengeForm": ["challenges-TOTAL_FORMS", "challenges-INITIAL_FORMS", "challenges-0-title",
                      "challenges-0-description"],
    "EditionCreateForm": ["challenges-TOTAL_FORMS", "challenges-INITIAL_FORMS"],
}
TRIED: dict[str, int] = {}


def _form_classes() -> dict[str, type]:
    """Every form class in the app, by name ("app.Name" where two apps share a name)."""
    import importlib

    found: dict[str, list] = {}
    listing = subprocess.run(["grep", "-rln", "--include=*.py", r"class .*Form\b", "helpathon"], cwd=ROOT,
                             capture_output=True, text=True, check=True).stdout.split()
    for path in listing:
        module = importlib.import_module(path.removesuffix(".py").replace("/", "."))
        for name in re.findall(r"^class (\w*Form\w*)\(", Path(ROOT / path).read_text(), re.M):
            found.setdefault(name, []).append((path.split("/")[1], getattr(module, name)))
    return {
        (name if len(places) == 1 else f"{app}.{name}"): cls
        for name, places in found.items() for app, cls in places
    }


def test_every_form_is_fuzzed():
    assert set(_form_classes()) - NOT_HERE == set(FORMS)


@pytest.fixture
def setup(world, organizer, participant, citizen):
    edition = world.edition
    open_phase(world, organizer, "evaluation")
    author = world.people["author"]
    challenge = world.ideas[0].challenge
    comparison = evaluation_services.pair_next(actor=participant, challenge=challenge)
    member = evaluation_services.jury_appoint(actor=organizer, edition=edition, user=author)
    open_phase(world, organizer, "ideation")
    report = moderation_services.report_create(actor=participant, idea=world.ideas[1], reason="Das ist Spam hier.")
    return {
        "world": world,
        "users": {"organizer": organizer, "participant": participant, "citizen": citizen, "author": author},
        "kwargs": {
            "slug": edition.slug, "team": world.team.pk, "idea": world.ideas[0].pk,
            "challenge_slug": challenge.slug, "comparison_pk": comparison.pk if comparison else 1,
            "member_pk": member.pk, "report": report.pk, "template": world.template.pk,
            "template_comment": world.template.comments.first().pk,
        },
    }


def _url(name: str, keys: list[str], kwargs: dict) -> str:
    names = {"team": "pk", "idea": "pk", "report": "pk", "template": "pk", "template_comment": "comment_pk"}
    return reverse(name, kwargs={names.get(key, key): kwargs[key] for key in keys})


def _fields(form_name: str) -> list[str]:
    cls = _form_classes()[form_name]
    return [*cls.base_fields, *EXTRA_FIELDS.get(form_name, [])] or ["value"]


def _file(data: bytes, name: str) -> SimpleUploadedFile:
    return SimpleUploadedFile(name, data, content_type="application/octet-stream")


@pytest.mark.parametrize("form_name", sorted(FORMS))
def test_form_never_fails_with_a_server_error(form_name, setup, settings):
    settings.RATELIMIT_ENABLE = False
    url_name, keys, who, phase = FORMS[form_name]
    open_phase(setup["world"], setup["users"]["organizer"], phase)
    client = Client(raise_request_exception=False)
    client.cookies["django_language"] = "en"
    if who != "visitor":
        client.force_login(setup["users"][who])
    url = _url(url_name, keys, setup["kwargs"])
    fields = _fields(form_name)
    data_strategy = st.fixed_dictionaries({}, optional={name: VALUE for name in fields})
    files = st.one_of(
        st.none(),
        st.builds(_file, st.binary(max_size=2_000), st.sampled_from(["x.png", "x.pdf", "../../etc/passwd", "ü\x00.jpg"])),
    )

    @given(data=data_strategy, upload=files, raw=st.binary(max_size=500), charset=st.sampled_from(CHARSETS),
           as_raw=st.booleans())
    @hypothesis_settings(max_examples=EXAMPLES, deadline=None, derandomize=True, database=None,
                         suppress_health_check=list(HealthCheck))
    def post(data, upload, raw, charset, as_raw):
        TRIED[form_name] = TRIED.get(form_name, 0) + 1
        if form_name in GET_FORMS:
            query = {k: (v[0] if isinstance(v, list) and v else v or "") for k, v in data.items()}
            response = client.get(url, {k: v.replace("\x00", "%00") for k, v in query.items()})
        elif as_raw:
            # Bytes that are not what the header says (or a charset nobody knows).
            body = b"&".join(name.encode() + b"=" + raw for name in fields)
            response = client.generic("POST", url, body,
                                      content_type=f"application/x-www-form-urlencoded; charset={charset}")
        else:
            if upload is not None:
                data = {**data, "image": upload, "pdf": upload, "file": upload}
            response = client.post(url, data)
        assert response.status_code in ALLOWED, (form_name, url, response.status_code, data)

    post()
