"""Mails to the author of moderated content. They are written in the site's default language
(German): the author's language is not stored, and a moderation notice is an official one."""

from django.conf import settings
from django.core.mail import EmailMessage
from django.template.loader import render_to_string
from django.utils import translation

from helpathon.ideas.models import Comment, Idea


def send_moderation_notice(item: Idea | Comment, *, kind: str, reason: str) -> None:
    """Tell the author that `item` was hidden (kind "hide") or restored (kind "restore") and
    why. Replies go to the organizers' contact address (CONTACT_EMAIL), never to a person's own
    address, so the author can object without anyone's email being revealed."""
    idea = item if isinstance(item, Idea) else Idea.objects.select_related("edition").get(pk=item.idea_id)
    author = item.author
    if not author.is_active or not author.email:
        return
    edition = idea.edition
    template = "hidden" if kind == "hide" else "restored"
    context = {
        "user": author,
        "edition": edition,
        "idea": idea,
        "comment": item if isinstance(item, Comment) else None,
        "reason": reason,
    }
    if template == "restored":
        # A hidden idea's page shows nothing to the public, so only the restore mail links to it.
        context["idea_url"] = settings.SITE_URL + idea.get_absolute_url()
    with translation.override(settings.LANGUAGE_CODE):
        subject = render_to_string(f"moderation/email/{template}_subject.txt", context)
        body = render_to_string(f"moderation/email/{template}_body.txt", context)
    reply_to = [settings.CONTACT_EMAIL] if settings.CONTACT_EMAIL else None
    EmailMessage(" ".join(subject.split()), body, None, [author.email], reply_to=reply_to).send()
