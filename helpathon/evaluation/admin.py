"""Evaluation in the admin: organizers set an edition's settings and criteria; supports,
ratings and comparisons are the audit trail (who, what, when), read-only. Jurors are
appointed on the jury page, which runs the service."""

from django.contrib import admin

from helpathon.editions.admin import EditionScopedAdmin, RecordAdmin
from helpathon.evaluation.models import Comparison, Criterion, EvaluationSettings, JuryMember, Rating, Support


@admin.register(EvaluationSettings)
class EvaluationSettingsAdmin(EditionScopedAdmin):
    list_display = ["edition", "support_budget", "budget_scope", "participants_rate", "jury_rates", "rankings_while_open"]


@admin.register(Criterion)
class CriterionAdmin(EditionScopedAdmin):
    list_display = ["label", "edition", "key", "weight", "order", "for_participants", "for_jury"]
    list_filter = ["edition"]
    list_editable = ["weight", "order"]


@admin.register(Support)
class SupportAdmin(RecordAdmin):
    list_display = ["created_at", "edition", "challenge", "idea", "user"]
    list_filter = ["edition"]
    list_select_related = ["edition", "challenge", "idea", "user"]
    date_hierarchy = "created_at"


@admin.register(Rating)
class RatingAdmin(RecordAdmin):
    list_display = ["updated_at", "edition", "panel", "target_kind", "target_id", "criterion", "rater", "value"]
    list_filter = ["edition", "panel", "target_kind"]
    list_select_related = ["edition", "criterion", "rater"]
    date_hierarchy = "updated_at"


@admin.register(Comparison)
class ComparisonAdmin(RecordAdmin):
    list_display = ["shown_at", "answered_at", "challenge", "voter", "left", "right", "outcome"]
    list_filter = ["edition", "outcome"]
    list_select_related = ["challenge", "voter", "left", "right"]
    date_hierarchy = "shown_at"


@admin.register(JuryMember)
class JuryMemberAdmin(RecordAdmin):
    list_display = ["user", "edition", "appointed_by", "appointed_at"]
    list_filter = ["edition"]
    list_select_related = ["user", "edition", "appointed_by"]
