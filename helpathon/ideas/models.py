from django.conf import settings
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from helpathon.editions.models import Challenge, Edition


class Tag(models.Model):
    name = models.CharField(_("name"), max_length=40, unique=True)

    class Meta:
        ordering = ["name"]
        verbose_name = _("tag")
        verbose_name_plural = _("tags")

    def __str__(self):
        return self.name


class Idea(models.Model):
    class Status(models.TextChoices):
        OPEN = "open", _("Open")
        SHORTLISTED = "shortlisted", _("Shortlisted")
        MERGED = "merged", _("Merged")
        IN_PROTOTYPING = "in_prototyping", _("In prototyping")
        ARCHIVED = "archived", _("Archived")

    # The edition is the challenge's; kept here so that edition-wide lists need no join.
    edition = models.ForeignKey(Edition, on_delete=models.CASCADE, related_name="ideas")
    challenge = models.ForeignKey(Challenge, on_delete=models.CASCADE, related_name="ideas", verbose_name=_("challenge"))
    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="ideas")
    # Shown instead of the author's display name for imported ideas.
    author_name = models.CharField(max_length=80, blank=True)
    title = models.CharField(_("title"), max_length=160)
    body = models.TextField(_("description"), blank=True, help_text=_("Markdown is supported."))
    body_html = models.TextField(editable=False, blank=True)
    tags = models.ManyToManyField(Tag, blank=True, related_name="ideas", verbose_name=_("tags"))
    status = models.CharField(_("status"), max_length=20, choices=Status.choices, default=Status.OPEN)
    merged_into = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.SET_NULL, related_name="merged_ideas"
    )
    version = models.PositiveIntegerField(default=1)
    # Kept up to date by the services, so that lists sort without counting.
    comment_count = models.PositiveIntegerField(default=0)
    support_count = models.PositiveIntegerField(default=0)
    created_at = models.DateTimeField(_("created at"), db_index=True)
    updated_at = models.DateTimeField(_("updated at"))
    hidden_at = models.DateTimeField(null=True, blank=True)
    hidden_reason = models.CharField(max_length=300, blank=True)
    theme = models.ForeignKey("Theme", null=True, blank=True, on_delete=models.SET_NULL, related_name="ideas")

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = _("idea")
        verbose_name_plural = _("ideas")
        indexes = [
            models.Index(fields=["challenge", "-created_at"]),
            models.Index(fields=["edition", "-created_at"]),
            models.Index(fields=["edition", "-support_count"]),
            models.Index(fields=["edition", "-comment_count"]),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(status="merged", merged_into__isnull=False) | ~Q(status="merged"),
                name="idea_merged_has_target",
            ),
        ]

    def __str__(self):
        return self.title

    def get_absolute_url(self):
        return reverse("ideas:detail", kwargs={"slug": self.edition.slug, "pk": self.pk})

    @property
    def is_hidden(self) -> bool:
        return self.hidden_at is not None

    @property
    def public_author(self) -> str:
        return self.author_name or self.author.public_name


class IdeaVersion(models.Model):
    """Every state an idea has been in: version 1 is the submission, each edit adds one."""

    idea = models.ForeignKey(Idea, on_delete=models.CASCADE, related_name="versions")
    number = models.PositiveIntegerField()
    title = models.CharField(max_length=160)
    body = models.TextField(blank=True)
    tags = models.CharField(max_length=500, blank=True)
    editor = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    note = models.CharField(_("what changed"), max_length=200, blank=True)
    created_at = models.DateTimeField()

    class Meta:
        ordering = ["idea_id", "-number"]
        constraints = [models.UniqueConstraint(fields=["idea", "number"], name="idea_version_unique_number")]


class IdeaLink(models.Model):
    class Kind(models.TextChoices):
        BUILDS_ON = "builds_on", _("builds on")
        MERGED_INTO = "merged_into", _("merged into")

    source = models.ForeignKey(Idea, on_delete=models.CASCADE, related_name="links_out")
    target = models.ForeignKey(Idea, on_delete=models.CASCADE, related_name="links_in")
    kind = models.CharField(max_length=20, choices=Kind.choices)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["source", "target", "kind"], name="idea_link_unique"),
            models.CheckConstraint(condition=~Q(source=models.F("target")), name="idea_link_not_to_itself"),
        ]


class Comment(models.Model):
    idea = models.ForeignKey(Idea, on_delete=models.CASCADE, related_name="comments")
    parent = models.ForeignKey("self", null=True, blank=True, on_delete=models.CASCADE, related_name="replies")
    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="comments")
    body = models.TextField(_("comment"))
    body_html = models.TextField(editable=False, blank=True)
    created_at = models.DateTimeField()
    edited_at = models.DateTimeField(null=True, blank=True)
    # A deleted comment keeps its place in the thread with a placeholder; its text is gone.
    deleted_at = models.DateTimeField(null=True, blank=True)
    hidden_at = models.DateTimeField(null=True, blank=True)
    hidden_reason = models.CharField(max_length=300, blank=True)

    class Meta:
        ordering = ["created_at", "pk"]
        verbose_name = _("comment")
        verbose_name_plural = _("comments")
        indexes = [models.Index(fields=["idea", "created_at"])]


class Theme(models.Model):
    """An automatically found group of an edition's ideas, with a keyword label."""

    edition = models.ForeignKey(Edition, on_delete=models.CASCADE, related_name="themes")
    label = models.CharField(max_length=200)
    keywords = models.JSONField(default=list)
    size = models.PositiveIntegerField(default=0)
    computed_at = models.DateTimeField()

    class Meta:
        ordering = ["edition_id", "-size", "pk"]

    def __str__(self):
        return self.label


class ThemeState(models.Model):
    """Whether an edition's themes are out of date, and whether a recompute is queued, so
    that a burst of new ideas leads to one recompute, not one per idea."""

    edition = models.OneToOneField(Edition, on_delete=models.CASCADE, primary_key=True, related_name="theme_state")
    dirty = models.BooleanField(default=False)
    queued = models.BooleanField(default=False)
    computed_at = models.DateTimeField(null=True, blank=True)
    idea_count = models.PositiveIntegerField(default=0)
