"""What can be rated: a registry of target kinds, so that ratings, the jury and rankings work
for ideas now and for prototypes when the teams app registers them (`register`)."""

from collections.abc import Callable
from dataclasses import dataclass

from django.db.models import QuerySet
from django.http import Http404

from helpathon.editions.models import Challenge, Edition
from helpathon.evaluation.models import TargetKind


@dataclass(frozen=True)
class TargetType:
    kind: str
    # The edition's targets that may be evaluated now (visible, not merged…).
    queryset: Callable[[Edition], QuerySet]
    # The ids of the people whose own work a target is: they do not evaluate it.
    owners: Callable[[object], set[int]]


_REGISTRY: dict[str, TargetType] = {}


def register(target_type: TargetType) -> None:
    _REGISTRY[target_type.kind] = target_type


def target_type(kind: str) -> TargetType:
    try:
        return _REGISTRY[kind]
    except KeyError:
        raise Http404 from None


def is_registered(kind: str) -> bool:
    """Can targets of `kind` be evaluated in this installation (prototypes: once the teams
    app registers them)?"""
    return kind in _REGISTRY


def target_get(*, edition: Edition, kind: str, pk: int):
    """A target of the edition that may be evaluated, or 404 (the same for missing and hidden)."""
    obj = target_type(kind).queryset(edition).filter(pk=pk).first()
    if obj is None:
        raise Http404
    return obj


def is_evaluable(kind: str, obj) -> bool:
    """May `obj` (a target of `kind`) be evaluated now: still visible, not merged away…? Asks
    the database, so that a change since `obj` was loaded counts."""
    return target_type(kind).queryset(obj.edition).filter(pk=obj.pk).exists()


def targets_of(challenge: Challenge, kind: str) -> QuerySet:
    return target_type(kind).queryset(challenge.edition).filter(challenge=challenge)


def owners_of(kind: str, obj) -> set[int]:
    return target_type(kind).owners(obj)


def _evaluable_ideas(edition: Edition) -> QuerySet:
    from helpathon.ideas.models import Idea

    return (
        Idea.objects.filter(edition=edition, hidden_at__isnull=True)
        .exclude(status=Idea.Status.MERGED)
        .select_related("challenge", "author")
    )


register(TargetType(kind=TargetKind.IDEA, queryset=_evaluable_ideas, owners=lambda idea: {idea.author_id}))
