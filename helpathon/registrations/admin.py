
from django.contrib import admin
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from helpathon.editions.admin import EditionScopedAdmin
from helpathon.registrations.models import Registration
from helpathon.spreadsheets import CsvDownload

CSV_COLUMNS = [
    ("edition", lambda r: r.edition.slug),
    ("display_name", lambda r: r.user.display_name),
    ("email", lambda r: r.user.email),
    ("status", lambda r: r.status),
    ("sector", lambda r: r.sector),
    ("role", lambda r: r.role),
    ("preferred_challenges", lambda r: "; ".join(c.title for c in r.preferred_challenges.all())),
    ("registered_at", lambda r: r.created_at.isoformat()),
    ("confirmed_at", lambda r: r.confirmed_at.isoformat() if r.confirmed_at else ""),
    ("queued_at", lambda r: r.queued_at.isoformat() if r.queued_at else ""),
    ("cancelled_at", lambda r: r.cancelled_at.isoformat() if r.cancelled_at else ""),
]


@admin.register(Registration)
class RegistrationAdmin(EditionScopedAdmin):
    list_display = ["user_display_name", "user_email", "edition", "status", "sector", "role", "created_at"]
    list_filter = ["edition", "status", "sector", "role"]
    search_fields = ["user__display_name", "user__email"]
    list_select_related = ["user", "edition"]
    readonly_fields = [
        "user", "edition", "status", "consent_at", "created_at", "queued_at", "email_confirmed_at",
        "expires_at", "confirmed_at", "cancelled_at", "token_version", "language",
    ]
    actions = ["export_csv"]

    @admin.display(description=_("display name"), ordering="user__display_name")
    def user_display_name(self, obj):
        return obj.user.display_name

    @admin.display(description=_("email address"), ordering="user__email")
    def user_email(self, obj):
        return obj.user.email

    def has_add_permission(self, request):
        # Places are taken through the registration flow, which keeps capacity and waitlist right.
        return False

    @admin.action(description=_("Export selected registrations as CSV"))
    def export_csv(self, request, queryset):
        download = CsvDownload(f"registrations-{timezone.now().strftime('%Y%m%d-%H%M')}.csv")
        download.row([name for name, _getter in CSV_COLUMNS])
        rows = queryset.select_related("user", "edition").prefetch_related("preferred_challenges")
        for registration in rows.order_by("edition", "created_at"):
            download.row([getter(registration) for _name, getter in CSV_COLUMNS])
        return download.response
