"""Innovation templates: the edition's results page, one template's page, and the template as
Markdown, JSON and PDF. Public once the template exists; a draft edition is a 404 for all but
its organizers (`edition_get`)."""

import json

from django.http import HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET

from helpathon.editions.rules import is_organizer
from helpathon.editions.selectors import edition_get
from helpathon.results import documents, selectors


def _template(request, slug, pk):
    edition = edition_get(slug=slug, user=request.user)
    return selectors.template_get(edition=edition, pk=pk)


def _download(content, content_type: str, name: str) -> HttpResponse:
    response = HttpResponse(content, content_type=content_type)
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    response["X-Content-Type-Options"] = "nosniff"
    return response


@require_GET
def template_list(request, slug):
    edition = edition_get(slug=slug, user=request.user)
    context = {
        "edition": edition,
        "groups": selectors.templates_by_challenge(edition),
        "organizer": is_organizer(request.user, edition),
    }
    return render(request, "results/template_list.html", context)


@require_GET
def template_detail(request, slug, pk):
    template = _template(request, slug, pk)
    detail = selectors.template_detail(template)
    context = {
        "edition": template.edition,
        "template": template,
        "detail": detail,
        "links": documents.template_urls(template),
        "site": documents.site_url(),
        "organizer": is_organizer(request.user, template.edition),
    }
    return render(request, "results/template_detail.html", context)


@require_GET
def template_markdown(request, slug, pk):
    template = _template(request, slug, pk)
    detail = selectors.template_detail(template)
    text = documents.template_markdown(template, detail)
    return _download(text.encode(), "text/markdown; charset=utf-8", documents.filename(detail, "md"))


@require_GET
def template_json(request, slug, pk):
    template = _template(request, slug, pk)
    detail = selectors.template_detail(template)
    data = documents.template_json(template, detail)
    body = json.dumps(data, ensure_ascii=False, indent=2)
    return _download(body.encode(), "application/json; charset=utf-8", documents.filename(detail, "json"))


@require_GET
def template_pdf(request, slug, pk):
    template = _template(request, slug, pk)
    detail = selectors.template_detail(template)
    pdf = documents.template_pdf(template, detail, request=request)
    return _download(pdf, "application/pdf", documents.filename(detail, "pdf"))
