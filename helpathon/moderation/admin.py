"""Reports and the moderation log in the admin, for the record. Decisions are taken on the
moderation pages, which run the services (mail to the author, live events); here they are
read-only."""

from django.contrib import admin

from helpathon.editions.admin import RecordAdmin
from helpathon.moderation.models import ModerationAction, Report


@admin.register(Report)
class ReportAdmin(RecordAdmin):
    list_display = ["created_at", "edition", "idea", "comment", "reporter", "status", "decided_by", "decided_at"]
    list_filter = ["edition", "status"]
    search_fields = ["reason", "decision_reason", "idea__title"]
    list_select_related = ["edition", "idea", "comment", "reporter", "decided_by"]
    date_hierarchy = "created_at"


@admin.register(ModerationAction)
class ModerationActionAdmin(RecordAdmin):
    list_display = ["created_at", "edition", "kind", "idea", "comment", "moderator", "reason"]
    list_filter = ["edition", "kind"]
    search_fields = ["reason", "idea__title"]
    list_select_related = ["edition", "idea", "comment", "moderator"]
    date_hierarchy = "created_at"
