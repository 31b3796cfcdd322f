"""Rank changes, live: a vote queues a recompute after commit, and the recompute announces
"ranking.changed" for each ranking whose top changed, only while rankings are public. And
`live.events.coalesce`, which lets a stream drop superseded events of a burst.

Tasks run on the spot in tests (conftest); here RANKINGS_AUTO is on with no delay, and
commits are simulated with `django_capture_on_commit_callbacks(execute=True)`.
"""

from types import SimpleNamespace

import pytest

from helpathon.evaluation import services
from helpathon.evaluation.models import Panel, RankingState
from helpathon.ideas.services import idea_merge
from helpathon.live.events import coalesce
from helpathon.live.models import LiveEvent


@pytest.fixture(autouse=True)
def _live_rankings(settings):
    settings.RANKINGS_AUTO = True
    settings.RANKINGS_DELAY_SECONDS = 0


@pytest.fixture
def public(evaluation, organizer):
    """Evaluation open, rankings shown meanwhile."""
    services.settings_update(actor=organizer, edition=evaluation, rankings_while_open=True)
    return evaluation


@pytest.fixture
def voters(make_participant):
    return [make_participant(f"Voter {i}") for i in range(4)]


@pytest.fixture
def commit(django_capture_on_commit_callbacks):
    """commit(write, ...) runs a service and then what it left for after the commit."""

    def run(write, **kwargs):
        with django_capture_on_commit_callbacks(execute=True):
            return write(**kwargs)

    return run


def _announced(edition) -> list[dict]:
    return [e.payload for e in LiveEvent.objects.filter(edition=edition, type="ranking.changed").order_by("seq")]


def _order(ideas, *indexes) -> list[int]:
    return [ideas[i].pk for i in indexes]


def test_it_announces_every_ranking_the_first_time(public, voters, ideas, commit):
    challenge = ideas[0].challenge_id

    commit(services.support_add, actor=voters[0], idea=ideas[2])

    assert _announced(public) == [
        {"challenge": challenge, "method": "supports", "top": _order(ideas, 2, 0, 1, 3, 4, 5)},
        {"challenge": challenge, "method": "rating", "top": _order(ideas, 0, 1, 2, 3, 4, 5)},
        {"challenge": challenge, "method": "pairwise", "top": _order(ideas, 0, 1, 2, 3, 4, 5)},
    ]


def test_it_announces_a_new_top_of_the_supports_ranking(public, voters, ideas, commit):
    commit(services.support_add, actor=voters[0], idea=ideas[0])
    before = len(_announced(public))

    commit(services.support_add, actor=voters[1], idea=ideas[3])

    assert _announced(public)[before:] == [
        {"challenge": ideas[0].challenge_id, "method": "supports", "top": _order(ideas, 0, 3, 1, 2, 4, 5)}
    ]


def test_it_announces_nothing_when_the_top_stays_the_same(public, voters, ideas, commit):
    commit(services.support_add, actor=voters[0], idea=ideas[0])
    before = len(_announced(public))

    commit(services.support_add, actor=voters[1], idea=ideas[0])

    assert len(_announced(public)) == before
    assert LiveEvent.objects.filter(edition=public, type="support.changed").count() == 2


def test_it_announces_a_new_top_of_the_rating_ranking(public, voters, ideas, commit):
    commit(services.support_add, actor=voters[0], idea=ideas[0])
    before = len(_announced(public))

    commit(
        services.rating_set, actor=voters[1], kind="idea", target=ideas[4], panel=Panel.PARTICIPANTS,
        values={"impact": 5},
    )

    assert [(e["method"], e["top"][0]) for e in _announced(public)[before:]] == [("rating", ideas[4].pk)]


def test_it_announces_a_change_in_another_challenge_for_that_challenge(public, voters, ideas, commit):
    commit(services.support_add, actor=voters[0], idea=ideas[7])

    assert {e["challenge"] for e in _announced(public)} == {ideas[7].challenge_id}
    assert _announced(public)[0]["top"] == _order(ideas, 7, 6)


def test_it_announces_both_challenges_when_an_idea_is_merged_into_another(public, organizer, voters, ideas, commit):
    for voter in voters[:2]:
        commit(services.support_add, actor=voter, idea=ideas[0])
    commit(services.support_add, actor=voters[2], idea=ideas[6])
    before = len(_announced(public))

    commit(idea_merge, actor=organizer, idea=ideas[0], target=ideas[7])

    changed = {(e["challenge"], e["method"]): e["top"] for e in _announced(public)[before:]}
    first, second = ideas[0].challenge_id, ideas[6].challenge_id
    assert changed[(first, "supports")] == _order(ideas, 1, 2, 3, 4, 5)
    assert changed[(second, "supports")] == _order(ideas, 7, 6)  # two supports moved to idea 8


def test_it_announces_nothing_while_rankings_are_hidden(evaluation, voters, ideas, commit):
    for voter in voters:
        commit(services.support_add, actor=voter, idea=ideas[3])

    assert _announced(evaluation) == []
    assert LiveEvent.objects.filter(edition=evaluation, type="support.changed").count() == 4


def test_it_announces_nothing_when_live_rankings_are_off(public, voters, ideas, commit, settings):
    settings.RANKINGS_AUTO = False

    commit(services.support_add, actor=voters[0], idea=ideas[3])

    assert _announced(public) == []


@pytest.fixture
def recomputes():
    """The challenges of the ranking recomputes queued while the test runs."""
    from django_tasks.signals import task_enqueued

    seen = []

    def record(sender, task_result, **kwargs):
        if task_result.task.name == "announce_rankings":
            seen.append(task_result.args[0])

    task_enqueued.connect(record)
    yield seen
    task_enqueued.disconnect(record)


def test_it_queues_one_recompute_for_a_burst(public, voters, ideas, recomputes, django_capture_on_commit_callbacks):
    # The supports commit together (one transaction here): the first queues the recompute,
    # the others find it queued.
    with django_capture_on_commit_callbacks(execute=True):
        for voter in voters[:3]:
            services.support_add(actor=voter, idea=ideas[5])

    assert recomputes == [ideas[5].challenge_id]


def test_it_announces_a_burst_once_with_its_final_top(public, voters, ideas, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        services.support_add(actor=voters[0], idea=ideas[5])
        services.support_add(actor=voters[1], idea=ideas[4])
        services.support_add(actor=voters[2], idea=ideas[4])

    supports = [e for e in _announced(public) if e["method"] == "supports"]
    top = _order(ideas, 4, 5, 0, 1, 2, 3)
    assert supports == [{"challenge": ideas[0].challenge_id, "method": "supports", "top": top}]


def test_it_queues_a_new_recompute_after_the_last_one_ran(public, voters, ideas, recomputes, commit):
    commit(services.support_add, actor=voters[0], idea=ideas[5])

    commit(services.support_add, actor=voters[1], idea=ideas[4])

    assert recomputes == [ideas[5].challenge_id] * 2
    assert RankingState.objects.get(challenge_id=ideas[5].challenge_id).queued is False


# --- coalescing a burst --------------------------------------------------------------------------


def _event(type_: str, **payload):
    return SimpleNamespace(type=type_, payload=payload)


def test_it_keeps_only_the_newest_support_count_of_each_idea_in_log_order():
    events = [
        _event("support.changed", idea=1, challenge=7, supports=1),
        _event("support.changed", idea=2, challenge=7, supports=1),
        _event("support.changed", idea=1, challenge=7, supports=2),
        _event("support.changed", idea=3, challenge=7, supports=1),
        _event("support.changed", idea=2, challenge=7, supports=2),
    ]

    assert coalesce(events) == [events[2], events[3], events[4]]


def test_it_leaves_events_that_do_not_coalesce_alone():
    created = [_event("idea.created", idea=i, challenge=7, title="x") for i in (1, 1, 2)]
    events = [
        created[0],
        _event("support.changed", idea=1, challenge=7, supports=1),
        created[1],
        _event("support.changed", idea=1, challenge=7, supports=2),
        created[2],
    ]

    assert coalesce(events) == [created[0], created[1], events[3], created[2]]


def test_it_keeps_the_newest_ranking_of_each_method_and_challenge():
    events = [
        _event("ranking.changed", challenge=7, method="supports", top=[1, 2]),
        _event("ranking.changed", challenge=7, method="rating", top=[2, 1]),
        _event("ranking.changed", challenge=8, method="supports", top=[5]),
        _event("ranking.changed", challenge=7, method="supports", top=[2, 1]),
    ]

    assert coalesce(events) == events[1:]


def test_it_keeps_the_newest_rating_count_per_target_kind_and_target():
    events = [
        _event("rating.changed", target_kind="idea", target=1, challenge=7, raters=1),
        _event("rating.changed", target_kind="prototype", target=1, challenge=7, raters=1),
        _event("rating.changed", target_kind="idea", target=1, challenge=7, raters=2),
    ]

    assert coalesce(events) == events[1:]


def test_it_coalesces_nothing_of_an_empty_burst():
    assert coalesce([]) == []


def test_it_coalesces_the_events_the_services_wrote(evaluation, voters, ideas):
    for voter in voters[:3]:
        services.support_add(actor=voter, idea=ideas[0])
    services.support_add(actor=voters[3], idea=ideas[1])

    rows = list(LiveEvent.objects.filter(edition=evaluation).order_by("seq"))
    kept = [(e.payload["idea"], e.payload["supports"]) for e in coalesce(rows) if e.type == "support.changed"]

    assert kept == [(ideas[0].pk, 3), (ideas[1].pk, 1)]
    assert [e.type for e in coalesce(rows)].count("idea.created") == 8  # the ideas fixture's, all kept


def test_it_announces_the_rankings_when_evaluation_ends(evaluation, organizer, voters, ideas, commit):
    from helpathon.editions.services import phase_set

    commit(services.support_add, actor=voters[0], idea=ideas[2])
    assert _announced(evaluation) == []  # hidden while evaluation is open

    commit(phase_set, actor=organizer, edition=evaluation, phase=evaluation.phases.get(kind="team_building"))

    announced = {p["method"]: p for p in _announced(evaluation) if p["challenge"] == ideas[0].challenge_id}
    assert set(announced) == {"supports", "rating", "pairwise"}
    assert announced["supports"]["top"][0] == ideas[2].pk


def test_it_announces_a_new_top_when_moderation_hides_the_leader(public, organizer, voters, ideas, commit):
    from helpathon.moderation.services import content_hide

    commit(services.support_add, actor=voters[0], idea=ideas[2])
    commit(content_hide, actor=organizer, idea=ideas[2], reason="Werbung ohne Bezug zur Herausforderung.")

    supports = [p for p in _announced(public) if p["method"] == "supports" and p["challenge"] == ideas[0].challenge_id]
    assert ideas[2].pk in supports[0]["top"]
    assert ideas[2].pk not in supports[-1]["top"]


def test_it_looks_again_when_voting_ends_by_the_clock(evaluation, voters, ideas, settings, commit):
    """Hidden while evaluation is open, the rankings are announced when the phase ends: the
    recompute queues itself once more for the end of the current phase (no event marks the
    end when the agenda follows the clock). Seen with a task backend that can defer work."""
    from datetime import timedelta

    from django_tasks import task_backends

    from helpathon.editions.agenda import agenda_for

    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.dummy.DummyBackend"}}
    task_backends["default"].clear() if hasattr(task_backends["default"], "clear") else None
    backend = task_backends["default"]
    challenge = ideas[0].challenge_id
    commit(services.support_add, actor=voters[0], idea=ideas[2])

    commit(services.rankings_announce, challenge_id=challenge)

    ends = agenda_for(evaluation).current.ends_at
    deferred = [r for r in backend.results if r.task.run_after is not None]
    assert [(r.args, r.task.run_after) for r in deferred] == [([challenge], ends + timedelta(seconds=1))]
    assert RankingState.objects.get(challenge_id=challenge).queued is True
    assert _announced(evaluation) == []
