from django.db import models

from helpathon.editions.models import Edition


class LiveCursor(models.Model):
    """The last event number handed out per edition. Writers lock this row to number their
    event, so numbers follow commit order without gaps a reader could skip."""

    edition = models.OneToOneField(Edition, on_delete=models.CASCADE, primary_key=True, related_name="live_cursor")
    last_seq = models.PositiveBigIntegerField(default=0)


class LiveEvent(models.Model):
    """One durable, ordered record of something visible that happened in an edition."""

    edition = models.ForeignKey(Edition, on_delete=models.CASCADE, related_name="live_events")
    seq = models.PositiveBigIntegerField()
    type = models.CharField(max_length=40)
    payload = models.JSONField(default=dict)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["edition_id", "seq"]
        constraints = [models.UniqueConstraint(fields=["edition", "seq"], name="live_event_unique_seq")]

    def __str__(self):
        return f"{self.edition_id}#{self.seq} {self.type}"
