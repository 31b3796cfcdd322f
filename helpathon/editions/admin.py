"""The Django admin for organizers: members of the organizers group with staff status see
and edit the editions they organize (superusers see all)."""

from django.contrib import admin

from helpathon.editions.models import Challenge, Edition, Partner, Phase, PhaseChange


class EditionScopedAdmin(admin.ModelAdmin):
    """Limits rows to editions the staff member organizes. `edition_path` is the lookup from
    the model to its edition."""

    edition_path = "edition"

    def get_queryset(self, request):
        qs = super().get_queryset(request)
        if request.user.is_superuser:
            return qs
        return qs.filter(**{f"{self.edition_path}__organizers": request.user}).distinct()

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if db_field.name == "edition" and not request.user.is_superuser:
            kwargs["queryset"] = Edition.objects.filter(organizers=request.user)
        return super().formfield_for_foreignkey(db_field, request, **kwargs)


class RecordAdmin(EditionScopedAdmin):
    """Read-only, for records kept as evidence (moderation decisions, evaluations): they are
    made by the services on the pages and go only with their edition."""

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


class ChallengeInline(admin.StackedInline):
    model = Challenge
    extra = 0
    prepopulated_fields = {"slug": ["title"]}


class PhaseInline(admin.TabularInline):
    model = Phase
    extra = 0
    fields = ["kind", "title", "starts_at", "ends_at"]


@admin.register(Edition)
class EditionAdmin(EditionScopedAdmin):
    list_display = ["title", "starts_at", "ends_at", "status", "capacity"]
    list_filter = ["status"]
    search_fields = ["title", "motto"]
    prepopulated_fields = {"slug": ["title"]}
    filter_horizontal = ["partners", "organizers"]
    inlines = [ChallengeInline, PhaseInline]
    readonly_fields = ["phase_override"]

    def get_queryset(self, request):
        qs = admin.ModelAdmin.get_queryset(self, request)
        return qs if request.user.is_superuser else qs.filter(organizers=request.user)

    def save_related(self, request, form, formsets, change):
        super().save_related(request, form, formsets, change)
        # Whoever creates an edition organizes it, so it never vanishes from their admin.
        if not change and not request.user.is_superuser:
            form.instance.organizers.add(request.user)


@admin.register(Challenge)
class ChallengeAdmin(EditionScopedAdmin):
    list_display = ["title", "edition", "order"]
    list_filter = ["edition"]
    prepopulated_fields = {"slug": ["title"]}


@admin.register(Phase)
class PhaseAdmin(EditionScopedAdmin):
    list_display = ["display_title", "kind", "edition", "starts_at", "ends_at"]
    list_filter = ["edition", "kind"]


@admin.register(PhaseChange)
class PhaseChangeAdmin(EditionScopedAdmin):
    list_display = ["edition", "changed_at", "changed_by", "from_phase", "to_phase", "manual"]
    list_filter = ["edition"]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False


@admin.register(Partner)
class PartnerAdmin(admin.ModelAdmin):
    list_display = ["name", "url"]
    search_fields = ["name"]
