"""Teams in the admin: organizers set an edition's team settings, read teams with their
members, and can remove a team (e.g. one left empty). Joining and leaving happen on the pages,
which run the services."""

from django.contrib import admin

from helpathon.editions.admin import EditionScopedAdmin, RecordAdmin
from helpathon.teams.models import JoinRequest, Membership, Team, TeamSeeker, TeamSettings


@admin.register(TeamSettings)
class TeamSettingsAdmin(EditionScopedAdmin):
    list_display = ["edition", "max_team_size", "teams_per_person", "room_url_pattern"]


class MembershipInline(admin.TabularInline):
    model = Membership
    extra = 0
    fields = ["user", "role", "joined_at"]
    readonly_fields = fields
    can_delete = False

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(Team)
class TeamAdmin(EditionScopedAdmin):
    list_display = ["name", "edition", "challenge", "looking_for_members", "created_at"]
    list_filter = ["edition", "challenge"]
    search_fields = ["name", "description"]
    list_select_related = ["edition", "challenge"]
    fields = ["edition", "challenge", "name", "description", "ideas", "skills_needed", "looking_for_members", "room_url"]
    readonly_fields = ["edition", "challenge", "ideas"]
    inlines = [MembershipInline]

    def has_add_permission(self, request):
        return False  # teams are founded on the pages, by participants


@admin.register(JoinRequest)
class JoinRequestAdmin(RecordAdmin):
    edition_path = "team__edition"
    list_display = ["created_at", "team", "user", "kind", "status", "decided_at"]
    list_filter = ["status", "kind"]
    list_select_related = ["team", "user"]


@admin.register(TeamSeeker)
class TeamSeekerAdmin(RecordAdmin):
    list_display = ["user", "edition", "skills", "created_at"]
    list_filter = ["edition"]
    list_select_related = ["user", "edition"]
