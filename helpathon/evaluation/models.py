"""Evaluation: supports within a budget, criteria ratings (by participants and by the jury),
pairwise comparisons with their Crowd-BT state, and the jury.

Ratings point at a *target* by kind and id ("idea" now; the teams issue adds "prototype"), so
that one model, one service and one ranking serve both; `evaluation.targets` resolves them.
Every evaluation row keeps who and when, for audit; pages and the API show only aggregates.
"""

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _

from helpathon.editions.models import Challenge, Edition
from helpathon.ideas.models import Idea


class TargetKind(models.TextChoices):
    IDEA = "idea", _("Ideas")
    PROTOTYPE = "prototype", _("Prototypes")


class Panel(models.TextChoices):
    PARTICIPANTS = "participants", _("Participants")
    JURY = "jury", _("Jury")


class EvaluationSettings(models.Model):
    """How an edition evaluates. Missing settings mean the defaults below."""

    class BudgetScope(models.TextChoices):
        CHALLENGE = "challenge", _("per challenge")
        EDITION = "edition", _("per edition")

    edition = models.OneToOneField(
        Edition, on_delete=models.CASCADE, primary_key=True, related_name="evaluation_settings"
    )
    support_budget = models.PositiveSmallIntegerField(
        _("supports per person"), default=5, validators=[MinValueValidator(1), MaxValueValidator(100)],
        help_text=_("How many ideas one participant may support (see scope)."),
    )
    budget_scope = models.CharField(
        _("budget applies"), max_length=20, choices=BudgetScope.choices, default=BudgetScope.CHALLENGE
    )
    participants_rate = models.CharField(
        _("participants rate"), max_length=20, choices=TargetKind.choices, default=TargetKind.IDEA
    )
    jury_rates = models.CharField(_("the jury rates"), max_length=20, choices=TargetKind.choices, default=TargetKind.IDEA)
    rankings_while_open = models.BooleanField(
        _("show rankings while evaluation is open"), default=False,
        help_text=_("Hiding rankings until evaluation ends avoids a bandwagon effect. Organizers always see them."),
    )

    class Meta:
        verbose_name = _("evaluation settings")
        verbose_name_plural = _("evaluation settings")

    def __str__(self):
        return str(self.edition)


class Criterion(models.Model):
    """A criterion with a weight, rated 1 to 5. The four defaults carry a `key` and are shown
    in the reader's language unless the organizers gave them their own name."""

    edition = models.ForeignKey(Edition, on_delete=models.CASCADE, related_name="criteria", verbose_name=_("edition"))
    key = models.SlugField(_("key"), max_length=40)
    name = models.CharField(_("name"), max_length=80, blank=True, help_text=_("Empty: the default name of the key."))
    description = models.CharField(_("description"), max_length=300, blank=True)
    weight = models.FloatField(_("weight"), default=1.0, validators=[MinValueValidator(0.0), MaxValueValidator(10.0)])
    order = models.PositiveSmallIntegerField(_("order"), default=0)
    for_participants = models.BooleanField(_("rated by participants"), default=True)
    for_jury = models.BooleanField(_("rated by the jury"), default=True)

    class Meta:
        ordering = ["edition_id", "order", "pk"]
        verbose_name = _("criterion")
        verbose_name_plural = _("criteria")
        constraints = [
            models.UniqueConstraint(fields=["edition", "key"], name="criterion_unique_key_per_edition"),
            models.CheckConstraint(condition=Q(weight__gte=0) & Q(weight__lte=10), name="criterion_weight_range"),
        ]

    def __str__(self):
        return self.label

    @property
    def label(self) -> str:
        from helpathon.evaluation.criteria import default_label

        return self.name or default_label(self.key)

    @property
    def help(self) -> str:
        from helpathon.evaluation.criteria import default_help

        return self.description or default_help(self.key)


class Support(models.Model):
    """One dot of a participant's budget on one idea."""

    edition = models.ForeignKey(Edition, on_delete=models.CASCADE, related_name="+")
    challenge = models.ForeignKey(Challenge, on_delete=models.CASCADE, related_name="+")
    idea = models.ForeignKey(Idea, on_delete=models.CASCADE, related_name="supports")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="supports")
    created_at = models.DateTimeField(_("supported at"))

    class Meta:
        ordering = ["created_at", "pk"]
        verbose_name = _("support")
        verbose_name_plural = _("supports")
        constraints = [models.UniqueConstraint(fields=["idea", "user"], name="support_one_per_person_and_idea")]
        indexes = [models.Index(fields=["user", "edition"]), models.Index(fields=["user", "challenge"])]


class Rating(models.Model):
    """A person's 1-5 rating of one target on one criterion, as a participant or as a juror."""

    edition = models.ForeignKey(Edition, on_delete=models.CASCADE, related_name="+")
    challenge = models.ForeignKey(Challenge, on_delete=models.CASCADE, related_name="+")
    criterion = models.ForeignKey(Criterion, on_delete=models.CASCADE, related_name="ratings")
    target_kind = models.CharField(max_length=20, choices=TargetKind.choices)
    target_id = models.PositiveBigIntegerField()
    panel = models.CharField(max_length=20, choices=Panel.choices)
    rater = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="ratings")
    value = models.PositiveSmallIntegerField(validators=[MinValueValidator(1), MaxValueValidator(5)])
    created_at = models.DateTimeField()
    updated_at = models.DateTimeField()

    class Meta:
        ordering = ["created_at", "pk"]
        verbose_name = _("rating")
        verbose_name_plural = _("ratings")
        constraints = [
            models.UniqueConstraint(
                fields=["rater", "panel", "criterion", "target_kind", "target_id"], name="rating_one_per_rater_and_criterion"
            ),
            models.CheckConstraint(condition=Q(value__gte=1) & Q(value__lte=5), name="rating_value_1_to_5"),
        ]
        indexes = [
            models.Index(fields=["edition", "panel", "target_kind", "target_id"]),
            models.Index(fields=["challenge", "panel", "target_kind"]),
        ]


class JuryScoreManager(models.Manager):
    def get_queryset(self):
        return super().get_queryset().filter(panel=Panel.JURY)


class JuryScore(Rating):
    """The jury's ratings (the same rows, seen as the jury's)."""

    objects = JuryScoreManager()

    class Meta:
        proxy = True
        verbose_name = _("jury score")
        verbose_name_plural = _("jury scores")


class JuryMember(models.Model):
    """A juror of an edition; with challenges assigned they rate only those, otherwise all."""

    edition = models.ForeignKey(Edition, on_delete=models.CASCADE, related_name="jury_members")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="jury_seats")
    challenges = models.ManyToManyField(Challenge, blank=True, related_name="+", verbose_name=_("assigned challenges"))
    appointed_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    appointed_at = models.DateTimeField()

    class Meta:
        ordering = ["appointed_at", "pk"]
        verbose_name = _("jury member")
        verbose_name_plural = _("jury members")
        constraints = [models.UniqueConstraint(fields=["edition", "user"], name="jury_member_once_per_edition")]


class Comparison(models.Model):
    """A pair shown to a voter and, once answered, the answer. The pair is chosen by the
    server (`pair_next`), so a voter can only answer pairs they were given."""

    class Outcome(models.TextChoices):
        LEFT = "left", _("left")
        RIGHT = "right", _("right")
        TIE = "tie", _("can't decide")
        SKIP = "skip", _("skipped")

    edition = models.ForeignKey(Edition, on_delete=models.CASCADE, related_name="+")
    challenge = models.ForeignKey(Challenge, on_delete=models.CASCADE, related_name="+")
    voter = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="comparisons")
    left = models.ForeignKey(Idea, on_delete=models.CASCADE, related_name="+")
    right = models.ForeignKey(Idea, on_delete=models.CASCADE, related_name="+")
    outcome = models.CharField(max_length=10, choices=Outcome.choices, blank=True)
    shown_at = models.DateTimeField()
    answered_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["shown_at", "pk"]
        verbose_name = _("comparison")
        verbose_name_plural = _("comparisons")
        constraints = [
            models.CheckConstraint(condition=~Q(left=F("right")), name="comparison_two_different_ideas"),
            models.CheckConstraint(
                condition=Q(outcome="", answered_at__isnull=True) | (~Q(outcome="") & Q(answered_at__isnull=False)),
                name="comparison_answered_consistently",
            ),
        ]
        indexes = [models.Index(fields=["voter", "challenge", "outcome"]), models.Index(fields=["challenge", "outcome"])]


class IdeaScore(models.Model):
    """The online Crowd-BT belief about an idea's quality (mean and variance of its
    log-strength), updated with every answered comparison; it steers which pair comes next."""

    idea = models.OneToOneField(Idea, on_delete=models.CASCADE, primary_key=True, related_name="pairwise")
    challenge = models.ForeignKey(Challenge, on_delete=models.CASCADE, related_name="+")
    mu = models.FloatField(default=0.0)
    sigma2 = models.FloatField(default=1.0)
    comparisons = models.PositiveIntegerField(default=0)

    class Meta:
        verbose_name = _("pairwise score")
        verbose_name_plural = _("pairwise scores")


class VoterReliability(models.Model):
    """The Beta belief about how reliably a voter reports which idea is better."""

    edition = models.ForeignKey(Edition, on_delete=models.CASCADE, related_name="+")
    voter = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    alpha = models.FloatField()
    beta = models.FloatField()
    votes = models.PositiveIntegerField(default=0)

    class Meta:
        verbose_name = _("voter reliability")
        verbose_name_plural = _("voter reliabilities")
        constraints = [models.UniqueConstraint(fields=["edition", "voter"], name="voter_reliability_once_per_edition")]


class RankingState(models.Model):
    """The top of each ranking as last announced live, so that a recompute only announces
    changes; `queued` coalesces bursts into one delayed recompute."""

    challenge = models.OneToOneField(Challenge, on_delete=models.CASCADE, primary_key=True, related_name="+")
    queued = models.BooleanField(default=False)
    tops = models.JSONField(default=dict)
    computed_at = models.DateTimeField(null=True, blank=True)
