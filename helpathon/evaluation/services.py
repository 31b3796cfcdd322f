"""All evaluation writes: supports, ratings, pairwise comparisons, the jury and the settings.

Each service validates, asks `may()`, changes, and records a live event in the same
transaction. Live events carry aggregates only (counts), never who evaluated what.

Concurrency: the writes of one person in one edition are serialized on their registration
row, a juror's scores on their jury seat (`SELECT … FOR UPDATE` on PostgreSQL; SQLite's
immediate transactions serialize all writes), so a budget holds however many requests arrive
at once. Lock order: the person's row, then ideas and scores, then RankingState, and the
edition's LiveCursor (`publish`) last.
"""

from dataclasses import dataclass
from datetime import timedelta

import numpy as np
from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import F, Q
from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext as _

from helpathon.editions.models import Challenge, Edition
from helpathon.editions.phases import Action
from helpathon.editions.rules import may
from helpathon.evaluation import ranking, selectors, targets
from helpathon.evaluation.models import (
    Comparison,
    Criterion,
    EvaluationSettings,
    IdeaScore,
    JuryMember,
    Panel,
    RankingState,
    Rating,
    Support,
    TargetKind,
    VoterReliability,
)
from helpathon.ideas.models import Idea
from helpathon.live.services import publish
from helpathon.evaluation.selectors import Budget, budget_of, evaluation_settings
from helpathon.registrations.services import confirmed_place_lock


class BudgetExhausted(ValidationError):
    """Every support of the budget is in use."""


@dataclass(frozen=True)
class SupportState:
    idea_id: int
    supported: bool
    supports: int
    budget: Budget


# --- settings and criteria -------------------------------------------------------------------


def criteria_ensure_defaults(*, edition: Edition) -> None:
    """Give an edition the four default criteria if it has none. Idempotent; safe under
    concurrency (the unique key decides)."""
    if Criterion.objects.filter(edition=edition).exists():
        return
    Criterion.objects.bulk_create(selectors.default_criteria(edition), ignore_conflicts=True)


# --- supports --------------------------------------------------------------------------------


def _lock_juror(edition_id: int, user) -> JuryMember:
    """Lock the person's seat on the jury, as `confirmed_place_lock` does their registration."""
    member = JuryMember.objects.select_for_update().filter(edition_id=edition_id, user=user).first()
    if member is None:
        raise PermissionDenied
    return member


def _support_changed(idea: Idea) -> int:
    count = Idea.objects.filter(pk=idea.pk).values_list("support_count", flat=True).get()
    rankings_mark_dirty(challenge_id=idea.challenge_id)  # before publish(): see rankings_mark_dirty
    publish(
        edition_id=idea.edition_id, type="support.changed",
        payload={"idea": idea.pk, "challenge": idea.challenge_id, "supports": count},
    )
    return count


def support_add(*, actor, idea: Idea) -> SupportState:
    """Support an idea with one dot of the budget. Supporting twice changes nothing."""
    if not may(actor, Action.SUPPORT, idea):
        raise PermissionDenied
    gone = ValidationError(_("This idea can no longer be supported."))
    if idea.hidden_at is not None or idea.status == Idea.Status.MERGED:
        raise gone
    config = evaluation_settings(idea.edition)
    with transaction.atomic():
        confirmed_place_lock(edition_id=idea.edition_id, user=actor)
        # Decide on the locked row: a merge (which locks it too) or a hiding in between wins.
        current = Idea.objects.select_for_update().filter(pk=idea.pk).values_list("hidden_at", "status").first()
        if current is None or current[0] is not None or current[1] == Idea.Status.MERGED:
            raise gone
        if Support.objects.filter(idea=idea, user=actor).exists():
            count = Idea.objects.filter(pk=idea.pk).values_list("support_count", flat=True).get()
            return SupportState(idea.pk, True, count, budget_of(user=actor, challenge=idea.challenge, config=config))
        budget = budget_of(user=actor, challenge=idea.challenge, config=config)
        if budget.remaining <= 0:
            if budget.scope == EvaluationSettings.BudgetScope.EDITION:
                message = _("You have used all %(n)d supports of this edition. Withdraw one to support another idea.")
            else:
                message = _("You have used all %(n)d supports of this challenge. Withdraw one to support another idea.")
            raise BudgetExhausted(message % {"n": budget.total})
        Support.objects.create(
            edition_id=idea.edition_id, challenge_id=idea.challenge_id, idea=idea, user=actor, created_at=timezone.now()
        )
        Idea.objects.filter(pk=idea.pk).update(support_count=F("support_count") + 1)
        count = _support_changed(idea)
    return SupportState(idea.pk, True, count, Budget(budget.total, budget.used + 1, budget.scope))


def support_withdraw(*, actor, idea: Idea) -> SupportState:
    """Take a support back; the dot returns to the budget. Withdrawing twice changes nothing."""
    if not may(actor, Action.SUPPORT, idea):
        raise PermissionDenied
    config = evaluation_settings(idea.edition)
    with transaction.atomic():
        confirmed_place_lock(edition_id=idea.edition_id, user=actor)
        Idea.objects.select_for_update().filter(pk=idea.pk).first()  # serialize with a merge
        deleted, _rows = Support.objects.filter(idea=idea, user=actor).delete()
        if deleted:
            Idea.objects.filter(pk=idea.pk, support_count__gt=0).update(support_count=F("support_count") - 1)
            count = _support_changed(idea)
        else:
            count = Idea.objects.filter(pk=idea.pk).values_list("support_count", flat=True).get()
    return SupportState(idea.pk, False, count, budget_of(user=actor, challenge=idea.challenge, config=config))


def supports_follow_merge(idea: Idea, target: Idea) -> None:
    """Hook of `ideas.services.idea_merge` (inside its transaction): a merged idea's supports
    move to the target, except for people who support the target already (their dot returns
    to their budget) and for the target's author (nobody supports their own idea). Both counts
    are recounted from the rows; the target's new count goes live if any support moved."""
    moved = Support.objects.filter(idea=idea).exists()
    already = Support.objects.filter(idea=target).values("user_id")
    Support.objects.filter(idea=idea).filter(Q(user_id__in=already) | Q(user_id=target.author_id)).delete()
    Support.objects.filter(idea=idea).update(idea=target, challenge_id=target.challenge_id)
    for changed in (idea, target):
        Idea.objects.filter(pk=changed.pk).update(support_count=Support.objects.filter(idea_id=changed.pk).count())
    rankings_mark_dirty(challenge_id=idea.challenge_id)  # the merged idea leaves its rankings
    if moved:
        _support_changed(target)


# --- ratings ---------------------------------------------------------------------------------


def _panel_rules(panel: str) -> tuple[str, str]:
    """(the action that gates it, the settings field naming what it rates)."""
    if panel == Panel.JURY:
        return Action.JURY_SCORE, "jury_rates"
    if panel == Panel.PARTICIPANTS:
        return Action.RATE, "participants_rate"
    raise ValueError(panel)


def juror_covers(*, user, challenge: Challenge) -> bool:
    """Is `user` a juror of the challenge's edition assigned to it (no assignment: all)?"""
    member = JuryMember.objects.filter(edition_id=challenge.edition_id, user=user).first()
    if member is None:
        return False
    return selectors.member_covers(set(member.challenges.values_list("pk", flat=True)), challenge.pk)


def may_rate(*, user, kind: str, target, panel: str) -> bool:
    """May `user` rate `target` as `panel` now: role, phase, what the panel rates in this
    edition, own work, and for jurors their assignment."""
    action, field = _panel_rules(panel)
    edition = target.edition
    if getattr(evaluation_settings(edition), field) != kind:
        return False
    if not may(user, action, target) or user.pk in targets.owners_of(kind, target):
        return False
    if panel == Panel.JURY and not juror_covers(user=user, challenge=target.challenge):
        return False
    return targets.is_evaluable(kind, target)


def _rating_value(value) -> int | None:
    """1-5 from an int or a form's string; None for anything else (booleans included)."""
    if isinstance(value, bool):
        return None
    if isinstance(value, str) and value.strip().isdigit() and len(value.strip()) == 1:
        value = int(value.strip())
    return value if isinstance(value, int) and 1 <= value <= 5 else None


def rating_set(*, actor, kind: str, target, panel: str, values: dict) -> dict[str, int]:
    """Rate a target on the criteria of its panel: `values` maps criterion keys to 1-5, or to
    None to take a rating back. Criteria left out stay as they are. Returns the person's
    ratings of the target afterwards."""
    if not may_rate(user=actor, kind=kind, target=target, panel=panel):
        raise PermissionDenied
    edition = target.edition
    criteria_ensure_defaults(edition=edition)
    field = "for_jury" if panel == Panel.JURY else "for_participants"
    criteria = {c.key: c for c in Criterion.objects.filter(edition=edition, **{field: True})}
    if not isinstance(values, dict):
        raise ValidationError(_("Please rate at least one criterion."))
    errors, cleaned = {}, {}
    for key, value in values.items():
        if key not in criteria:
            errors[str(key)[:40]] = _("There is no such criterion.")
        elif value is None or value == "":
            cleaned[key] = None
        elif (number := _rating_value(value)) is None:
            errors[key] = _("Please choose a value from 1 to 5.")
        else:
            cleaned[key] = number
    if errors:
        raise ValidationError(errors)
    if not cleaned:
        raise ValidationError(_("Please rate at least one criterion."))
    now = timezone.now()
    with transaction.atomic():
        if panel == Panel.PARTICIPANTS:
            confirmed_place_lock(edition_id=edition.pk, user=actor)
        else:
            _lock_juror(edition.pk, actor)
        mine = Rating.objects.filter(rater=actor, panel=panel, target_kind=kind, target_id=target.pk)
        for key, value in cleaned.items():
            if value is None:
                mine.filter(criterion=criteria[key]).delete()
            elif not mine.filter(criterion=criteria[key]).update(value=value, updated_at=now):
                Rating.objects.create(
                    edition=edition, challenge_id=target.challenge_id, criterion=criteria[key], target_kind=kind,
                    target_id=target.pk, panel=panel, rater=actor, value=value, created_at=now, updated_at=now,
                )
        if panel == Panel.PARTICIPANTS:
            # Public: how many people have rated it, never who or how.
            raters = (
                Rating.objects.filter(panel=panel, target_kind=kind, target_id=target.pk)
                .values("rater_id").distinct().count()
            )
            rankings_mark_dirty(challenge_id=target.challenge_id)
            publish(
                edition_id=edition.pk, type="rating.changed",
                payload={"target_kind": kind, "target": target.pk, "challenge": target.challenge_id, "raters": raters},
            )
        return dict(mine.values_list("criterion__key", "value"))


# --- pairwise comparison ---------------------------------------------------------------------


def _access_comparison(*, actor, pk: int) -> Comparison:
    """The actor's own comparison, or 404 (the same for someone else's and a missing one)."""
    comparison = Comparison.objects.select_related("challenge__edition", "left", "right").filter(pk=pk).first()
    if comparison is None or not actor.is_authenticated or comparison.voter_id != actor.pk:
        raise Http404
    return comparison


def comparison_get(*, actor, pk: int) -> Comparison:
    return _access_comparison(actor=actor, pk=pk)


def _eligible(challenge: Challenge) -> list[tuple[int, int]]:
    """(idea id, author id) of the challenge's ideas that can be compared."""
    return list(targets.targets_of(challenge, TargetKind.IDEA).order_by("pk").values_list("pk", "author_id"))


def pair_next(*, actor, challenge: Challenge, rng: np.random.Generator | None = None) -> Comparison | None:
    """The pair this person should compare next in the challenge, chosen to learn the most
    (`ranking.choose_pair`), or None when there is nothing (left) to compare. An unanswered
    pair is shown again until answered or skipped, so reloading cannot fish for other pairs."""
    if not may(actor, Action.COMPARE, challenge):
        raise PermissionDenied
    with transaction.atomic():
        confirmed_place_lock(edition_id=challenge.edition_id, user=actor)
        eligible = _eligible(challenge)
        ids = [pk for pk, _author in eligible]
        pending = (
            Comparison.objects.filter(voter=actor, challenge=challenge, outcome="")
            .select_related("left", "right").order_by("-pk").first()
        )
        if pending is not None:
            if pending.left_id in ids and pending.right_id in ids:
                return pending
            # One of the two was hidden or merged meanwhile: the pair is void.
            pending.delete()
        index = {pk: i for i, pk in enumerate(ids)}
        scores = {s.idea_id: s for s in IdeaScore.objects.filter(idea_id__in=ids)}
        mu = np.array([scores[pk].mu if pk in scores else ranking.PRIOR_MU for pk in ids], dtype=float)
        sigma2 = np.array([scores[pk].sigma2 if pk in scores else ranking.PRIOR_SIGMA2 for pk in ids], dtype=float)
        counts = np.array([scores[pk].comparisons if pk in scores else 0 for pk in ids], dtype=float)
        blocked = np.array([author == actor.pk for _pk, author in eligible], dtype=bool)
        seen = set()
        for left, right in Comparison.objects.filter(voter=actor, challenge=challenge).exclude(outcome="").values_list(
            "left_id", "right_id"
        ):
            if left in index and right in index:
                seen.add((min(index[left], index[right]), max(index[left], index[right])))
        reliability = VoterReliability.objects.filter(edition_id=challenge.edition_id, voter=actor).first()
        voter = ranking.Reliability(reliability.alpha, reliability.beta) if reliability else ranking.Reliability()
        rng = rng or np.random.default_rng()
        pair = ranking.choose_pair(
            mu, sigma2, counts, voter, rng=rng, seen=seen, blocked=blocked,
            epsilon=settings.PAIRWISE_EPSILON,
        )
        if pair is None:
            return None
        first, second = (ids[pair[0]], ids[pair[1]])
        if rng.random() < 0.5:  # which side an idea appears on must not favour it
            first, second = second, first
        return Comparison.objects.create(
            edition_id=challenge.edition_id, challenge=challenge, voter=actor, left_id=first, right_id=second,
            shown_at=timezone.now(),
        )


def _score_row(idea_id: int, challenge_id: int) -> IdeaScore:
    IdeaScore.objects.get_or_create(idea_id=idea_id, defaults={"challenge_id": challenge_id})
    return IdeaScore.objects.select_for_update().get(idea_id=idea_id)


def comparison_answer(*, actor, pk: int, outcome: str) -> Comparison:
    """Answer a pair this person was shown: "left", "right", "tie" (can't decide) or "skip".
    A pick updates both ideas' beliefs and the voter's reliability (Crowd-BT); "can't decide"
    counts as compared without moving either; a skip only frees the person for the next pair."""
    comparison = _access_comparison(actor=actor, pk=pk)
    if outcome not in Comparison.Outcome.values:
        raise ValidationError({"outcome": _("Please choose one of the two ideas, “can't decide” or “skip”.")})
    if not may(actor, Action.COMPARE, comparison.challenge):
        raise PermissionDenied
    pair = {comparison.left_id, comparison.right_id}
    if not comparison.outcome and targets.targets_of(comparison.challenge, TargetKind.IDEA).filter(pk__in=pair).count() < 2:
        # One of the two was hidden or merged since the pair was shown: the pair is void.
        comparison.delete()
        raise ValidationError({"outcome": _("This pair is no longer available: one of the ideas was hidden or merged.")})
    with transaction.atomic():
        confirmed_place_lock(edition_id=comparison.edition_id, user=actor)
        comparison = Comparison.objects.select_for_update().get(pk=comparison.pk)
        if comparison.outcome:
            if comparison.outcome == outcome:
                return comparison  # a double click
            raise ValidationError({"outcome": _("You have answered this pair already.")})
        comparison.outcome, comparison.answered_at = outcome, timezone.now()
        comparison.save(update_fields=["outcome", "answered_at"])
        if outcome == Comparison.Outcome.SKIP:
            return comparison
        # Lock in id order, so that two answers about the same ideas cannot deadlock.
        rows = {pk: _score_row(pk, comparison.challenge_id) for pk in sorted((comparison.left_id, comparison.right_id))}
        if outcome in (Comparison.Outcome.LEFT, Comparison.Outcome.RIGHT):
            winner_id, loser_id = (
                (comparison.left_id, comparison.right_id) if outcome == Comparison.Outcome.LEFT
                else (comparison.right_id, comparison.left_id)
            )
            VoterReliability.objects.get_or_create(
                edition_id=comparison.edition_id, voter=actor,
                defaults={"alpha": ranking.ALPHA_PRIOR, "beta": ranking.BETA_PRIOR},
            )
            voter_row = VoterReliability.objects.select_for_update().get(edition_id=comparison.edition_id, voter=actor)
            winner, loser, voter = ranking.crowd_bt_update(
                ranking.Belief(rows[winner_id].mu, rows[winner_id].sigma2),
                ranking.Belief(rows[loser_id].mu, rows[loser_id].sigma2),
                ranking.Reliability(voter_row.alpha, voter_row.beta),
            )
            rows[winner_id].mu, rows[winner_id].sigma2 = winner.mu, winner.sigma2
            rows[loser_id].mu, rows[loser_id].sigma2 = loser.mu, loser.sigma2
            voter_row.alpha, voter_row.beta, voter_row.votes = voter.alpha, voter.beta, voter_row.votes + 1
            voter_row.save(update_fields=["alpha", "beta", "votes"])
        for row in rows.values():
            row.comparisons += 1
            row.save(update_fields=["mu", "sigma2", "comparisons"])
        answered = Comparison.objects.filter(challenge_id=comparison.challenge_id).exclude(
            outcome__in=["", Comparison.Outcome.SKIP]
        ).count()
        rankings_mark_dirty(challenge_id=comparison.challenge_id)
        publish(
            edition_id=comparison.edition_id, type="comparison.recorded",
            payload={"challenge": comparison.challenge_id, "comparisons": answered},
        )
    return comparison


# --- the jury --------------------------------------------------------------------------------


def jury_appoint(*, actor, edition: Edition, user, challenges=()) -> JuryMember:
    """Appoint `user` to the edition's jury (or change their assigned challenges)."""
    if not may(actor, Action.MANAGE_EDITION, edition):
        raise PermissionDenied
    challenges = list(challenges)
    if any(c.edition_id != edition.pk for c in challenges):
        raise ValidationError({"challenges": _("Assign only challenges of this edition.")})
    with transaction.atomic():
        member, _created = JuryMember.objects.get_or_create(
            edition=edition, user=user, defaults={"appointed_by": actor, "appointed_at": timezone.now()}
        )
        member.challenges.set(challenges)
    return member


def jury_dismiss(*, actor, member: JuryMember) -> None:
    """Remove a juror. Their scores stay, for the record, but no longer count."""
    if not may(actor, Action.MANAGE_EDITION, member.edition):
        raise PermissionDenied
    member.delete()


def settings_update(*, actor, edition: Edition, **fields) -> EvaluationSettings:
    if not may(actor, Action.MANAGE_EDITION, edition):
        raise PermissionDenied
    config = evaluation_settings(edition)
    settable = {f.name for f in EvaluationSettings._meta.concrete_fields} - {"edition"}
    unknown = set(fields) - settable
    if unknown:
        raise TypeError(f"settings_update() got unknown settings {sorted(unknown)}")
    for name, value in fields.items():
        setattr(config, name, value)
    config.full_clean()
    for name in ("participants_rate", "jury_rates"):
        if not targets.is_registered(getattr(config, name)):
            # Prototypes can be rated once the teams app provides them.
            raise ValidationError({name: _("There is nothing of this kind to rate yet.")})
    config.save()
    return config


# --- live rank changes -----------------------------------------------------------------------


def rankings_mark_dirty(*, challenge_id: int) -> None:
    """Call inside an evaluation write, *before* its `publish()`. Queues one delayed recompute
    of the challenge's rankings after commit unless one is queued already, so bursts coalesce.

    Lock order: this locks the challenge's RankingState row and `publish()` the edition's
    LiveCursor; `rankings_announce` holds the first while publishing, so a writer that took
    the cursor first could deadlock with it (PostgreSQL aborts one of the two)."""
    if not settings.RANKINGS_AUTO:
        return
    RankingState.objects.get_or_create(challenge_id=challenge_id)
    if RankingState.objects.filter(challenge_id=challenge_id, queued=False).update(queued=True):
        transaction.on_commit(lambda: _enqueue(challenge_id))


# Changes elsewhere that can change what rankings show: a phase change (rankings become
# public when evaluation ends), an idea hidden or restored by moderation.
RANKING_EVENTS = frozenset({"phase.changed", "idea.hidden", "idea.restored"})


def rankings_follow_events(event) -> None:
    """`live.services.on_published` hook (after commit): queue a recompute of every challenge
    of the edition when one of RANKING_EVENTS happened, so that the new rankings are
    announced. Other apps need not know about rankings."""
    if not settings.RANKINGS_AUTO or event.type not in RANKING_EVENTS:
        return
    with transaction.atomic():
        for challenge_id in Challenge.objects.filter(edition_id=event.edition_id).values_list("pk", flat=True):
            if event.type == "phase.changed":
                # A recompute may be queued for the end of the phase, which has just moved.
                RankingState.objects.filter(challenge_id=challenge_id).update(queued=False)
            rankings_mark_dirty(challenge_id=challenge_id)


def _enqueue(challenge_id: int, *, at=None) -> None:
    from helpathon.evaluation.tasks import announce_rankings

    delay = settings.RANKINGS_DELAY_SECONDS
    if at is None and delay:
        at = timezone.now() + timedelta(seconds=delay)
    if at is not None:
        announce_rankings.using(run_after=at).enqueue(challenge_id)
    else:
        announce_rankings.enqueue(challenge_id)


def _look_again_when_voting_ends(challenge: Challenge) -> bool:
    """Rankings are hidden while voting is open. When the agenda follows the clock, no event
    marks the end of voting; so queue one more recompute for the end of the current phase.
    Only with a task backend that can defer work (the database backend can). Returns whether
    one was queued."""
    from helpathon.editions.agenda import agenda_for
    from helpathon.evaluation.tasks import announce_rankings

    current = agenda_for(challenge.edition).current
    if current is None or not announce_rankings.get_backend().supports_defer:
        return False
    RankingState.objects.filter(challenge_id=challenge.pk).update(queued=True)
    ends = current.ends_at + timedelta(seconds=1)
    transaction.on_commit(lambda: _enqueue(challenge.pk, at=ends))
    return True


TOP = 10


def rankings_announce(*, challenge_id: int) -> list[str]:
    """Recompute the challenge's rankings and announce, live, each ranking whose top changed
    — only while rankings are public. Returns the methods announced."""
    RankingState.objects.update_or_create(challenge_id=challenge_id, defaults={"queued": False})
    challenge = Challenge.objects.select_related("edition").filter(pk=challenge_id).first()
    if challenge is None:
        return []
    if not selectors.rankings_public(challenge.edition):
        _look_again_when_voting_ends(challenge)
        return []
    rankings = selectors.challenge_rankings(challenge)
    tops = {method: [row.idea.pk for row in rows[:TOP]] for method, rows in rankings.by_method().items()}
    announced = []
    with transaction.atomic():
        state = RankingState.objects.select_for_update().get(challenge_id=challenge_id)
        for method, top in tops.items():
            if state.tops.get(method) != top:
                publish(
                    edition_id=challenge.edition_id, type="ranking.changed",
                    payload={"challenge": challenge_id, "method": method, "top": top},
                )
                announced.append(method)
        state.tops, state.computed_at = tops, timezone.now()
        state.save(update_fields=["tops", "computed_at"])
    return announced
