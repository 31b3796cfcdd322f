"""An innovation template as documents: one data structure (`template_json`), written out as
Markdown (`template_markdown`) and printed as PDF (`template_pdf`) from the page's own print
layout. The texts are in the active language; the keys of the JSON are fixed (English).

Nothing personal goes into them: people appear as display names where they agreed, otherwise
as pseudonyms or counts; no email address, no user id."""

from django.conf import settings
from django.urls import reverse
from django.utils.text import slugify
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from helpathon.editions.models import Licence
from helpathon.pdf import render_pdf
from helpathon.results.models import FollowUp, InnovationTemplate
from helpathon.results.selectors import LineageIdea, Score, TemplateDetail, template_detail


def site_url() -> str:
    return settings.SITE_URL.rstrip("/")


def _absolute(path: str) -> str:
    return site_url() + path


def template_urls(template: InnovationTemplate) -> dict[str, str]:
    kwargs = {"slug": template.edition.slug, "pk": template.pk}
    return {
        "page": _absolute(reverse("results:template", kwargs=kwargs)),
        "pdf": _absolute(reverse("results:template_pdf", kwargs=kwargs)),
        "markdown": _absolute(reverse("results:template_markdown", kwargs=kwargs)),
        "json": _absolute(reverse("results:template_json", kwargs=kwargs)),
    }


def filename(detail: TemplateDetail, extension: str) -> str:
    """The download's name: the slugified title, e.g. `innovationsvorlage-die-radler.pdf`."""
    stem = slugify(detail.title)[:80].strip("-") or str(detail.template.pk)
    return f"{slugify(_('innovation template'))}-{stem}.{extension}"


# --- the one structure -------------------------------------------------------------------------


def _idea(node: LineageIdea) -> dict:
    return {
        "id": node.idea.pk,
        "title": node.title,
        "author": node.author,
        "url": _absolute(node.idea.get_absolute_url()),
        "relation": node.relation or None,
        "relation_label": node.relation_label or None,
        "supports": node.supports,
        "grew_from": [_idea(child) for child in node.children],
    }


def _score(score: Score | None) -> dict | None:
    if score is None:
        return None
    rounded = (lambda v: round(v, 2) if v is not None else None)
    return {"score": rounded(score.score), "low": rounded(score.low), "high": rounded(score.high),
            "raters": score.raters, "scale": [1, 5]}


def document(detail: TemplateDetail) -> dict:
    """The template as one JSON-ready dict (see `template_json`)."""
    template, edition = detail.template, detail.edition
    return {
        "id": template.pk,
        "title": detail.title,
        "edition": {"slug": edition.slug, "title": edition.title},
        "challenge": {"slug": template.challenge.slug, "title": template.challenge.title},
        "licence": edition.licence,
        "licence_name": Licence(edition.licence).label if edition.licence in Licence.values else edition.licence,
        "licence_url": edition.licence_url,
        "status": template.status,
        "status_label": str(FollowUp(template.status).label),
        "statement": template.statement,
        "status_date": template.status_date.isoformat(),
        "status_history": [
            {"status": change.status, "status_label": str(FollowUp(change.status).label),
             "statement": change.statement, "status_date": change.status_date.isoformat()}
            for change in detail.history
        ],
        "handed_over_at": template.created_at.isoformat(),
        "submitted_at": detail.submitted_at.isoformat() if detail.submitted_at else None,
        "prototype_version": template.prototype_version,
        "sections": [{"key": s.key, "title": s.label, "markdown": s.markdown} for s in detail.sections],
        "pitch_url": detail.pitch_url or None,
        "lineage": [_idea(node) for node in detail.lineage],
        "team": {
            "name": detail.title,
            "members": detail.team.names,
            "more_members": detail.team.others,
            "mentors": detail.team.mentors,
            "more_mentors": detail.team.other_mentors,
        },
        "evaluation": {
            "published": detail.evaluation.public,
            "jury": _score(detail.evaluation.jury),
            "participants": _score(detail.evaluation.participants),
            "idea_supports": detail.evaluation.idea_supports,
        },
        "feedback": detail.feedback,
        "links": template_urls(template),
    }


def template_json(template: InnovationTemplate, detail: TemplateDetail | None = None) -> dict:
    return document(detail or template_detail(template))


# --- Markdown ----------------------------------------------------------------------------------


def _md_line(text: str) -> str:
    # Titles and names go into one line of Markdown: no line breaks, no heading or link syntax.
    text = " ".join(str(text).split())
    for char in "\\[]*_`<>#":
        text = text.replace(char, "\\" + char)
    return text


def _md_lineage(ideas: list[dict], depth: int = 0) -> list[str]:
    lines = []
    for idea in ideas:
        relation = f"{idea['relation_label']}: " if idea["relation_label"] else ""
        lines.append(
            "  " * depth + f"- {relation}[{_md_line(idea['title'])}]({idea['url']}) — "
            + _("by %(author)s") % {"author": _md_line(idea["author"])}
            + " · " + ngettext("%(n)d support", "%(n)d supports", idea["supports"]) % {"n": idea["supports"]}
        )
        lines += _md_lineage(idea["grew_from"], depth + 1)
    return lines


def _md_score(label: str, score: dict | None) -> list[str]:
    if score is None:
        return []
    if score["score"] is None:
        return [f"- {label}: " + _("not rated")]
    return [f"- {label}: " + _("%(score)s of 5 (95%% interval %(low)s–%(high)s, %(n)d ratings)") % {
        "score": f"{score['score']:.2f}", "low": f"{score['low']:.2f}", "high": f"{score['high']:.2f}",
        "n": score["raters"],
    }]


def markdown_of(doc: dict) -> str:
    """The template as a Markdown file, from `document`."""
    out = [
        f"# {_md_line(doc['title'])}",
        "",
        f"*{_('Innovation template')} · {_md_line(doc['edition']['title'])} · {_md_line(doc['challenge']['title'])}*",
        "",
        f"**{_('Status')}:** {doc['status_label']} ({_('as of %(date)s') % {'date': doc['status_date']}})",
        "",
    ]
    if doc["statement"]:
        out += [f"> {line}" if line else ">" for line in doc["statement"].splitlines()] + [""]
    for section in doc["sections"]:
        out += [f"## {section['title']}", "", section["markdown"], ""]
    if doc["pitch_url"]:
        out += [f"## {_('Pitch')}", "", f"<{doc['pitch_url']}>", ""]
    out += [f"## {_('The ideas it grew from')}", ""]
    out += _md_lineage(doc["lineage"]) or [_("No ideas recorded.")]
    out += ["", f"## {_('Team')}", ""]
    team = doc["team"]
    members = [_md_line(name) for name in team["members"]]
    if team["more_members"]:
        members.append(ngettext("and %(n)d more member", "and %(n)d more members", team["more_members"]) % {"n": team["more_members"]})
    out.append(f"**{_md_line(team['name'])}:** " + (", ".join(members) or "—"))
    if team["mentors"] or team["more_mentors"]:
        mentors = [_md_line(name) for name in team["mentors"]]
        if team["more_mentors"]:
            mentors.append(ngettext("and %(n)d more mentor", "and %(n)d more mentors", team["more_mentors"]) % {"n": team["more_mentors"]})
        out += ["", f"**{_('Mentors')}:** " + ", ".join(mentors)]
    out += ["", f"## {_('Evaluation')}", ""]
    evaluation = doc["evaluation"]
    if evaluation["published"]:
        out += _md_score(_("Jury"), evaluation["jury"])
        out += _md_score(_("Participants' rating"), evaluation["participants"])
    else:
        out.append("- " + _("The evaluation results are published when evaluation has ended."))
    out.append("- " + _("Supports of the ideas it grew from: %(n)d") % {"n": evaluation["idea_supports"]})
    feedback = doc["feedback"]
    out += ["", f"## {_('Feedback')}", "", f"| {_('Voice')} | {_('Supports')} | {_('Comments')} |", "| --- | ---: | ---: |"]
    for voice, label in (("citizen", _("Citizens")), ("participant", _("Participants")), ("jury", _("Jury"))):
        counts = feedback.get(voice, {"supports": 0, "comments": 0})
        out.append(f"| {label} | {counts['supports']} | {counts['comments']} |")
    out.append(f"| **{_('Total')}** | **{feedback['supports_total']}** | **{feedback['comments_total']}** |")
    if len(doc["status_history"]) > 1:
        out += ["", f"## {_('What became of it')}", ""]
        for change in doc["status_history"]:
            statement = f": {_md_line(change['statement'])}" if change["statement"] else ""
            out.append(f"- {change['status_date']} — {change['status_label']}{statement}")
    out += [
        "", "---", "",
        _("Licence: %(licence)s") % {"licence": doc["licence_name"]} + (f" <{doc['licence_url']}>" if doc["licence_url"] else ""),
        "",
        _("Source: %(url)s") % {"url": doc["links"]["page"]},
        "",
    ]
    return "\n".join(out)


def template_markdown(template: InnovationTemplate, detail: TemplateDetail | None = None) -> str:
    return markdown_of(template_json(template, detail))


# --- PDF ---------------------------------------------------------------------------------------


def template_pdf(template: InnovationTemplate, detail: TemplateDetail | None = None, *, request=None) -> bytes:
    detail = detail or template_detail(template)
    context = {"detail": detail, "edition": detail.edition, "template": template, "links": template_urls(template),
               "site": site_url(), "print": True}
    return render_pdf("results/template_print.html", context, request=request)
