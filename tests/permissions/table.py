"""The declared permission table: for every page and API endpoint, what each role gets in each
phase, for GET and for its write method.

Each route names a rule per method. A rule is a function (role, phase) -> expected outcome, built
from the few shapes below. The phase rules are written out here on their own, from what each
phase of a helpathon is for (the same intent as tests/editions/test_rules.py); they deliberately
neither call `may()` nor read `editions.phases.PHASE_ACTIONS`, so a wrong rule in the app shows
up as a mismatch here.

Outcomes:
  "200"      the page or resource
  "redirect" a 3xx that is not the login page (the page sends people on)
  "login"    302 to the login page (also allauth's and the admin's)
  "401"      the API's "sign in first"
  "403" "404" "405" "400"  refused (404 where existence is private), wrong method, bad token
  "ok"       a write that got past the permission check: 2xx, a 3xx that is not the login, or
             400/409/422 for input or state the minimal request does not satisfy
  "done" / "not done"  for a write whose page answers a refusal with a redirect or a form
             (so the status says nothing): whether its change was made, seen in the database
  "any"      third-party pages whose answer is not ours to declare: anything but a 5xx
"""

from collections.abc import Callable
from dataclasses import dataclass, field

ROLES = ("visitor", "citizen", "participant", "member", "juror", "moderator", "stranger", "organizer")
PHASES = (
    "registration", "kickoff", "ideation", "evaluation", "team_building", "prototyping", "pitches", "jury",
    "public_feedback", "results",
)
# All ten phases are declared. The walk asks a phase-gated route in the phases where it is open
# and in the one before and the one after (as adhocracy4's rule tests do), and a route that does
# not depend on the phase in SAMPLE_PHASES: a walk of everything in every phase costs minutes.
SAMPLE_PHASES = ("prototyping",)

SIGNED_IN = frozenset(ROLES) - {"visitor"}  # every account in the cast has a verified address
PARTICIPANTS = frozenset({"participant", "member"})  # a confirmed place (member: leads the team)
MODERATORS = frozenset({"moderator", "organizer"})
ORGANIZERS = frozenset({"organizer"})
GROUP_ORGANIZERS = frozenset({"organizer", "stranger"})  # in the organizers' group (console home)

# When each participation action is open, by the purpose of each phase.
WHEN = {
    "submit_idea": {"ideation"},
    "edit_idea": {"ideation"},
    "comment": {"ideation", "evaluation", "team_building", "prototyping"},
    "support": {"evaluation"},
    "rate": {"evaluation"},
    "compare": {"evaluation"},
    "create_team": {"team_building"},
    "join_team": {"team_building", "prototyping"},
    "edit_prototype": {"prototyping"},
    "submit_prototype": {"prototyping"},
    "jury_score": {"jury"},
    "public_feedback": {"public_feedback"},
}

Rule = Callable[[str, str], str]


@dataclass(frozen=True)
class R:
    """One rule: who gets `ok`, in which phases (None: all), the others `refuse`; the visitor
    gets `anon` (None: like any other role not in `who`)."""

    who: frozenset
    ok: str = "200"
    refuse: str = "404"
    anon: str | None = "login"
    when: frozenset | None = None
    # Roles that get a different answer: {role: outcome} (e.g. already registered → redirect).
    special: tuple = ()
    # What the roles in `who` get outside `when` (None: `refuse`), where that answer differs
    # from the one for outsiders (e.g. a private object: 404 for others, 403 off-phase).
    off_phase: str | None = None

    @property
    def phased(self) -> bool:
        return self.when is not None

    def __call__(self, role: str, phase: str) -> str:
        if role == "visitor" and self.anon is not None:
            return self.anon
        special = dict(self.special)
        if role in special:
            return special[role]
        if role in self.who and (self.when is None or phase in self.when):
            return self.ok
        if role in self.who and self.off_phase is not None:
            return self.off_phase
        return self.refuse


def public(ok: str = "200") -> R:
    return R(frozenset(ROLES), ok=ok, anon=None)


def signed_in(ok: str = "200", anon: str = "login", **kw) -> R:
    return R(SIGNED_IN, ok=ok, anon=anon, **kw)


def only(who, ok="200", refuse="404", anon="login", **kw) -> R:
    return R(frozenset(who), ok=ok, refuse=refuse, anon=anon, **kw)


def phase(action: str, who=PARTICIPANTS, ok="ok", refuse="403", anon="login", **kw) -> R:
    return R(frozenset(who), ok=ok, refuse=refuse, anon=anon, when=frozenset(WHEN[action]), **kw)


# The answer for a method a route does not take: the login decorator answers visitors first.
def no_method(login: bool) -> R:
    return R(frozenset(ROLES), ok="405", anon="login" if login else None)


ANY = R(frozenset(ROLES), ok="any", anon=None)


@dataclass(frozen=True)
class Route:
    get: R | None  # None: 405
    write: R | None = None  # None: 405
    method: str = "post"
    login: bool = False  # behind login_required: visitors get the login for every method
    args: dict = field(default_factory=dict)  # URL kwarg -> key in World.objects (or a literal via "=")
    data: dict = field(default_factory=dict)
    effect: str | None = None  # name of a fingerprint in test_walk.EFFECTS: writes judged by it
    walk: bool = True  # False: declared, not requested here (see the route's comment)
    slow: bool = False  # a PDF: walked as the visitor and the organizer only

    def expected(self, method: str, role: str, phase_: str) -> str:
        rule = self.get if method == "get" else self.write
        if rule is None:
            return no_method(self.login)(role, phase_)
        return rule(role, phase_)

    @property
    def phased(self) -> bool:
        return any(rule is not None and rule.phased for rule in (self.get, self.write))

    def walk_phases(self) -> set[str]:
        if not self.phased:
            return set(SAMPLE_PHASES)
        out = set()
        for rule in (self.get, self.write):
            if rule is not None and rule.when:
                indexes = [PHASES.index(p) for p in rule.when]
                out |= set(rule.when)
                out |= {PHASES[i] for i in (min(indexes) - 1, max(indexes) + 1) if 0 <= i < len(PHASES)}
        return out


S = {"slug": "slug"}
IDEA = {**S, "pk": "idea"}
OWN_IDEA = {**S, "pk": "own_idea"}
TEAM = {**S, "pk": "team"}
SHOWN_TEAM = {**S, "pk": "other_team"}
TEMPLATE = {**S, "pk": "template"}
CHALLENGE = {**S, "challenge_slug": "challenge_slug"}
L = dict(login=True)  # login_required

SECTIONS = {"problem": "Zu viele Autos", "solution": "Räder", "future_scenario": "Ruhe"}

PAGES: dict[str, Route] = {
    # --- site --------------------------------------------------------------------------------
    "home": Route(public()),
    "health-live": Route(public()),
    "health-ready": Route(public()),
    "set_language": Route(ANY, ANY, data={"language": "de", "next": "/"}),
    # --- allauth (third party): its own answers; the pages about an account need one ----------
    "account_login": Route(ANY, ANY),
    "account_logout": Route(ANY, ANY),
    "account_inactive": Route(ANY),
    "account_signup": Route(ANY, ANY),
    "account_reauthenticate": Route(signed_in("any"), signed_in("any")),
    "account_email": Route(signed_in(), signed_in("ok")),
    "account_email_verification_sent": Route(ANY),
    "account_change_password": Route(signed_in("any"), signed_in("any")),
    "account_set_password": Route(signed_in("any"), signed_in("any")),
    "account_reset_password": Route(ANY, ANY),
    "account_confirm_login_code": Route(ANY, ANY),
    "account_confirm_email": Route(ANY, ANY, args={"key": "=no-such-key"}),
    "account_reset_password_from_key_done": Route(ANY),
    "account_reset_password_from_key": Route(ANY, ANY, args={"uidb36": "=zz", "key": "=no-such-key"}),
    "account_reset_password_done": Route(ANY),
    # --- accounts ------------------------------------------------------------------------------
    "accounts:profile": Route(signed_in(), signed_in("ok"), **L),
    "accounts:data_export": Route(signed_in(), **L),
    "accounts:delete": Route(signed_in(), signed_in("ok"), **L),  # no password given: the form again
    "accounts:privacy": Route(public()),
    # --- registrations ---------------------------------------------------------------------------
    "registrations:register": Route(
        signed_in(special=(("participant", "redirect"), ("member", "redirect"))),
        signed_in("ok"), args=S, **L,
    ),
    "registrations:cancel": Route(None, only(PARTICIPANTS, "ok"), args=S, **L),
    "registrations:resend": Route(None, only(PARTICIPANTS, "ok"), args=S, **L),
    "registrations:calendar": Route(only(PARTICIPANTS), args=S, **L),
    "registrations:confirm": Route(public(), public("400"), args={"token": "=not-a-token"}),
    "notifications:unsubscribe": Route(public(), public("ok"), args={"token": "unsubscribe_token"}),
    # --- editions --------------------------------------------------------------------------------
    "editions:detail": Route(public(), args=S),
    "editions:challenge": Route(public(), args=CHALLENGE),
    "editions:phase_control": Route(None, only(ORGANIZERS, "ok", "403"), args=S, data={"command": "next"}, **L),
    "editions:announcement_create": Route(None, only(ORGANIZERS, "ok", "403"), args=S, data={"text": "Hallo"}, **L),
    "editions:announcement_withdraw": Route(
        None, only(ORGANIZERS, "ok", "403"), args={**S, "pk": "announcement"}, **L),
    # --- ideas -----------------------------------------------------------------------------------
    "ideas:list": Route(public(), args=S),
    "ideas:challenge_list": Route(public(), args=CHALLENGE),
    "ideas:create": Route(phase("submit_idea", ok="200"), phase("submit_idea"), args=S, **L,
                          data={"challenge": "challenge_pk", "title": "Neue Idee", "body": "Text"}),
    "ideas:similar": Route(public(), args=S),
    "ideas:detail": Route(public(), args=IDEA),
    "ideas:history": Route(public(), args=IDEA),
    "ideas:edit": Route(phase("edit_idea", {"participant"}, ok="200"), phase("edit_idea", {"participant"}),
                        args=OWN_IDEA, data={"title": "Sitzbänke", "body": "Neu", "note": ""}, **L),
    "ideas:merge": Route(only(MODERATORS), only(MODERATORS, "ok"), args=IDEA, **L),
    "ideas:status": Route(None, only(MODERATORS, "ok"), args=IDEA, data={"status": "shortlisted"}, **L),
    # The comment form answers every refusal with the idea page again: judged by its effect.
    "ideas:comment": Route(None, phase("comment", ok="done", refuse="not done"), args=IDEA,
                           data={"body": "Ein Kommentar"}, effect="comments", **L),
    "ideas:comment_edit": Route(only({"participant"}, refuse="403"), only({"participant"}, "ok", "403"),
                                args={**S, "pk": "comment_own"}, data={"body": "Geändert"}, **L),
    "ideas:comment_delete": Route(None, only({"participant"}, "ok", "403"), args={**S, "pk": "comment_own"}, **L),
    "ideas:themes": Route(public(), args=S),
    # --- evaluation --------------------------------------------------------------------------------
    "evaluation:hub": Route(public(), args=S),
    "evaluation:challenge_hub": Route(public(), args=CHALLENGE),
    "evaluation:support": Route(None, phase("support"), args=IDEA, data={"action": "add"}, **L),
    "evaluation:rate": Route(phase("rate", ok="200"), phase("rate"), args=IDEA, **L),
    "evaluation:compare": Route(phase("compare", ok="200"), None, args=CHALLENGE, **L),
    "evaluation:compare_answer": Route(
        None, phase("compare", {"participant"}, refuse="404", off_phase="403"),
        args={**CHALLENGE, "comparison_pk": "comparison"}, data={"outcome": "left"}, **L),
    "evaluation:rankings": Route(public(), args=S),
    "evaluation:challenge_rankings": Route(public(), args=CHALLENGE),
    "evaluation:settings": Route(only(ORGANIZERS), only(ORGANIZERS, "ok"), args=S, **L),
    "evaluation:jury": Route(only(ORGANIZERS), only(ORGANIZERS, "ok"), args=S, **L),
    "evaluation:jury_assign": Route(None, only(ORGANIZERS, "ok"), args={**S, "member_pk": "jury_member"}, **L),
    "evaluation:jury_dismiss": Route(None, only(ORGANIZERS, "ok"), args={**S, "member_pk": "jury_member"}, **L),
    "evaluation:jury_score": Route(only({"juror"}), args=S, **L),
    "evaluation:jury_score_item": Route(
        None, phase("jury_score", {"juror"}, refuse="404", off_phase="403"),
        args={**S, "kind": "=idea", "pk": "idea"}, effect="jury_scores", **L),
    "evaluation:jury_export": Route(only(ORGANIZERS), args=S, **L),
    "evaluation:jury_results": Route(only(ORGANIZERS), args=S, **L),
    # --- teams -------------------------------------------------------------------------------------
    "teams:board": Route(public(), args=S),
    "teams:new": Route(phase("create_team", ok="200"), phase("create_team"), args=S, **L),
    "teams:looking": Route(only(PARTICIPANTS, refuse="403"), only(PARTICIPANTS, "ok", "403"), args=S, **L),
    "teams:settings": Route(only(ORGANIZERS), only(ORGANIZERS, "ok"), args=S, **L),
    "teams:detail": Route(public(), args=TEAM),
    "teams:edit": Route(only({"member"}, refuse="403"), phase("join_team", {"member"}), args=TEAM,
                        data={"name": "Die Schrauber", "description": "", "skills_needed": ""}, **L),
    "teams:join": Route(None, phase("join_team"), args=SHOWN_TEAM, data={"message": "Hallo"}, **L),
    # The form is checked before the phase (the service gates it): off-phase the lead sees a 400.
    "teams:invite": Route(None, phase("join_team", {"member"}, off_phase="400"), args=TEAM, **L),
    "teams:decide": Route(None, phase("join_team", {"member"}), args={**TEAM, "request_pk": "join_request"},
                          data={"accept": "0"}, **L),
    # The member leads the team: a lead hands over before leaving, so nobody leaves here.
    "teams:leave": Route(None, only((), "done", "not done"), args=TEAM, effect="memberships", **L),
    "teams:hand_over": Route(None, only({"member"}, "ok", "403"), args=TEAM, **L),
    # The private part: members, mentors and organizers (teams.selectors.may_see_private).
    "teams:notes": Route(None, only({"member", "organizer"}, "ok"), args=TEAM, data={"notes": "Notizen"}, **L),
    "teams:mentor": Route(None, only(ORGANIZERS, "ok"), args=TEAM, **L),
    "teams:room": Route(None, only(ORGANIZERS, "ok"), args=TEAM, data={"url": "https://meet.example.org/x"}, **L),
    "teams:gallery": Route(public(), args=S),
    # The member's team has a draft: members and organizers see it, everyone else a 404.
    "teams:prototype": Route(only({"member", "organizer"}, anon=None), args=TEAM),
    "teams:prototype_history": Route(only({"member", "organizer"}, anon=None), args=TEAM),
    "teams:prototype_edit": Route(
        phase("edit_prototype", {"member"}, ok="200", refuse="404", special=(("organizer", "403"),), off_phase="403"),
        phase("edit_prototype", {"member"}, refuse="404", special=(("organizer", "403"),), off_phase="403"),
        args=TEAM, data={"base_version": "prototype_version", **SECTIONS}, **L),
    "teams:prototype_draft": Route(
        None, phase("edit_prototype", {"member"}, refuse="404", special=(("organizer", "redirect"),),
                    off_phase="redirect"),
        args=TEAM, data={"base_version": "prototype_version", **SECTIONS}, **L),
    "teams:prototype_submit": Route(
        phase("submit_prototype", {"member"}, ok="200", refuse="404", special=(("organizer", "403"),), off_phase="403"),
        phase("submit_prototype", {"member"}, refuse="404", special=(("organizer", "403"),), off_phase="403"), args=TEAM, **L),
    "teams:prototype_reopen": Route(None, only(ORGANIZERS, "ok"), args=SHOWN_TEAM, **L),
    "teams:prototype_image_add": Route(
        None, phase("edit_prototype", {"member"}, refuse="404", special=(("organizer", "403"),), off_phase="403"), args=TEAM, **L),
    "teams:prototype_image_remove": Route(
        None, phase("edit_prototype", {"member"}, refuse="404", special=(("organizer", "403"),), off_phase="403"),
        args={**TEAM, "image_pk": "draft_image"}, **L),
    "teams:prototype_pitch_set": Route(
        None, phase("edit_prototype", {"member"}, refuse="404", special=(("organizer", "403"),), off_phase="403"), args=TEAM, **L),
    "teams:prototype_image": Route(public(), args={**SHOWN_TEAM, "image_pk": "shown_image"}),
    "teams:prototype_pitch": Route(public(), args=SHOWN_TEAM),
    # --- moderation --------------------------------------------------------------------------------
    "moderation:report_idea": Route(signed_in(), signed_in("ok"), args=IDEA,
                                    data={"reason": "Das ist beleidigend."}, **L),
    "moderation:report_comment": Route(signed_in(), signed_in("ok"), args={**S, "pk": "comment_other"},
                                       data={"reason": "Das ist beleidigend."}, **L),
    "moderation:queue": Route(only(MODERATORS), args=S, **L),
    "moderation:hide_idea": Route(only(MODERATORS), only(MODERATORS, "ok"), args=IDEA,
                                  data={"reason": "Beleidigend, bitte neu fassen."}, **L),
    "moderation:restore_idea": Route(only(MODERATORS), only(MODERATORS, "ok"), args=IDEA, **L),
    "moderation:hide_comment": Route(only(MODERATORS), only(MODERATORS, "ok"), args={**S, "pk": "comment_other"},
                                     data={"reason": "Beleidigend, bitte neu fassen."}, **L),
    "moderation:restore_comment": Route(only(MODERATORS), only(MODERATORS, "ok"),
                                        args={**S, "pk": "comment_other"}, **L),
    "moderation:dismiss_report": Route(only(MODERATORS), only(MODERATORS, "ok"), args={**S, "pk": "report"},
                                       data={"reason": "Kein Verstoß erkennbar."}, **L),
    # --- results -------------------------------------------------------------------------------------
    "results:list": Route(public(), args=S),
    "results:follow_up": Route(public(), args=S),
    "results:template": Route(public(), args=TEMPLATE),
    "results:template_markdown": Route(public(), args=TEMPLATE),
    "results:template_json": Route(public(), args=TEMPLATE),
    "results:template_pdf": Route(public(), args=TEMPLATE, slow=True),
    "results:support": Route(None, phase("public_feedback", SIGNED_IN, anon="403"), args=TEMPLATE,
                             data={"action": "add"}),
    "results:comment": Route(None, phase("public_feedback", SIGNED_IN, anon="403"), args=TEMPLATE,
                             data={"body": "Bitte bald umsetzen."}),
    "results:comment_hide": Route(None, only(MODERATORS, "ok", "403", anon="403"),
                                  args={**S, "comment_pk": "template_comment"}, data={"reason": "Beleidigend."}),
    "results:status": Route(None, only(ORGANIZERS, "ok", "403", anon="403"), args=TEMPLATE,
                            data={"status": "under_review", "note": ""}),
    "results:report": Route(public(), args=S),
    "results:report_pdf": Route(public(), args=S, slow=True),
    "results:open_data": Route(public(), args=S),
    "results:open_data_json": Route(public(), args=S),
    "results:open_data_csv": Route(public(), args=S),
    # --- console ---------------------------------------------------------------------------------------
    "console:home": Route(only(GROUP_ORGANIZERS, refuse="403"), **L),
    "console:edition_create": Route(only(GROUP_ORGANIZERS, refuse="403"), only(GROUP_ORGANIZERS, "ok", "403"), **L),
    "console:overview": Route(only(ORGANIZERS, refuse="403"), args=S, **L),
    "console:edition_copy": Route(only(ORGANIZERS, refuse="403"), only(ORGANIZERS, "ok", "403"), args=S, **L),
    "console:edition_edit": Route(only(ORGANIZERS, refuse="403"), only(ORGANIZERS, "ok", "403"), args=S, **L),
    "console:registrations": Route(only(ORGANIZERS, refuse="403"), args=S, **L),
    "console:check_in": Route(None, only(ORGANIZERS, "ok", "403"), args={**S, "pk": "registration"}, **L),
    "console:downloads": Route(only(ORGANIZERS, refuse="403"), args=S, **L),
    "console:mailings": Route(only(ORGANIZERS, refuse="403"), only(ORGANIZERS, "ok", "403"), args=S, **L),
    "console:mailing": Route(only(ORGANIZERS, refuse="403"), args={**S, "pk": "mailing"}, **L),
    "console:mailing_progress": Route(only(ORGANIZERS, refuse="403"), args={**S, "pk": "mailing"}, **L),
    # --- live ------------------------------------------------------------------------------------------
    "live:dashboard": Route(public(), args=S),
    "live:replay": Route(public(), args=S),
    "live:snapshot": Route(public(), args=S),
    "live:log": Route(public(), args=S),
    # An endless response: tests/live/test_stream.py asks it (also for drafts).
    "live:stream": Route(public(), args=S, walk=False),
    # --- the API's own pages -----------------------------------------------------------------------
    "api:openapi-json": Route(public()),
    "api:openapi-view": Route(public()),
    "api:api-root": Route(public("404")),
}

# The admin: one rule for all its pages (staff only; its own login page for the rest).
ADMIN = Route(R(frozenset({"organizer", "stranger"}), ok="200", refuse="login", anon="login"))

API_AUTH = dict(anon="401")
ID_IDEA = {"slug": "slug", "id": "idea"}
ID_TEAM = {"slug": "slug", "id": "team"}

# API operations by operationId; the method is the one OpenAPI gives.
API: dict[str, Route] = {
    "editions_list": Route(public()),
    "editions_detail": Route(public(), args=S),
    "ideas_list": Route(public(), args=S),
    "ideas_detail": Route(public(), args=ID_IDEA),
    "ideas_create": Route(None, phase("submit_idea", **API_AUTH), args=S,
                          data={"challenge": "challenge_slug", "title": "Neue Idee", "body": "Text"}),
    "ideas_update": Route(None, phase("edit_idea", {"participant"}, **API_AUTH), args={**S, "id": "own_idea"},
                          data={"title": "Sitzbänke neu"}),
    "ideas_comment": Route(None, phase("comment", **API_AUTH), args=ID_IDEA, data={"body": "Ein Kommentar"}),
    "evaluation_budget": Route(signed_in(anon="401"), args={**S, "challenge": "challenge_slug"}),
    "evaluation_support": Route(None, phase("support", **API_AUTH), args=ID_IDEA),
    "evaluation_withdraw": Route(None, phase("support", **API_AUTH), args=ID_IDEA),
    "evaluation_criteria": Route(public(), args=S),
    "evaluation_rate": Route(None, phase("rate", **API_AUTH), args=ID_IDEA, data={"values": {}}),
    "evaluation_rating": Route(signed_in(anon="401"), args=ID_IDEA),
    "evaluation_pair_next": Route(None, phase("compare", **API_AUTH), args={**S, "challenge": "challenge_slug"}),
    "evaluation_compare": Route(None, phase("compare", {"participant"}, refuse="404", off_phase="403", **API_AUTH),
                                args={**S, "id": "comparison"}, data={"outcome": "left"}),
    "evaluation_rankings": Route(public(), args={**S, "challenge": "challenge_slug"}),
    "evaluation_jury_score": Route(None, phase("jury_score", {"juror"}, **API_AUTH),
                                   args={**S, "kind": "=idea", "id": "idea"}, data={"values": {}}),
    "evaluation_jury_progress": Route(only(ORGANIZERS, **API_AUTH), args=S),
    "teams_list": Route(public(), args=S),
    "teams_detail": Route(public(), args=ID_TEAM),
    "teams_create": Route(None, phase("create_team", **API_AUTH), args=S,
                          data={"challenge": "challenge_slug", "name": "Neues Team", "ideas": []}),
    "teams_update": Route(None, phase("join_team", {"member"}, **API_AUTH), args=ID_TEAM, data={"name": "Neu"}),
    "teams_request": Route(None, phase("join_team", **API_AUTH), args={**S, "id": "other_team"}, data={"message": ""}),
    # The invitee (a citizen without a place) is checked first: 422 for everyone signed in.
    "teams_invite": Route(None, phase("join_team", frozenset(), refuse="422", **API_AUTH), args=ID_TEAM,
                          data={"user": "citizen_pk"}),
    "teams_decide": Route(None, phase("join_team", {"member"}, refuse="404", off_phase="403", **API_AUTH), args={**S, "id": "join_request"},
                          data={"accept": False}),
    "teams_leave": Route(None, only({"member"}, "ok", "422", **API_AUTH), args=ID_TEAM),  # "not a member"
    "teams_notes": Route(None, only({"member", "organizer"}, "ok", "403", **API_AUTH), args=ID_TEAM, data={"notes": "Notizen"}),
    "prototypes_list": Route(public(), args=S),
    "prototypes_detail": Route(only({"member", "organizer"}, anon=None), args=ID_TEAM),
    "prototypes_save": Route(None, phase("edit_prototype", {"member"}, **API_AUTH), args=ID_TEAM,
                             data={"base_version": "prototype_version", "sections": SECTIONS}),
    "prototypes_submit": Route(None, phase("submit_prototype", {"member"}, **API_AUTH), args=ID_TEAM),
    "live_snapshot": Route(public(), args=S),
    "live_events": Route(public(), args=S),
    "templates_list": Route(public(), args=S),
    "templates_detail": Route(public(), args={"id": "template"}),
    "open_data": Route(public(), args=S),
}
