"""The edition report as a page and as a PDF: the same data, the same charts, one partial."""

from django.http import HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from helpathon.editions.selectors import edition_get
from helpathon.pdf import render_pdf
from helpathon.results.charts import report_charts
from helpathon.results.report import edition_report


def _context(request, slug: str) -> dict:
    # Drafts are 404 for everybody but their organizers (edition_get).
    edition = edition_get(slug=slug, user=request.user)
    report = edition_report(edition, user=request.user)
    charts = report_charts(report)
    participant_charts = [
        (report.by_sector, charts.get("sectors"), _("Participants by sector")),
        (report.by_role, charts.get("roles"), _("Participants by role")),
    ]
    return {"edition": edition, "report": report, "charts": charts, "participant_charts": participant_charts}


@require_GET
def report(request, slug):
    return render(request, "results/report.html", _context(request, slug))


@require_GET
def report_pdf(request, slug):
    context = _context(request, slug)
    pdf = render_pdf("results/report_print.html", {**context, "for_print": True}, request=request)
    response = HttpResponse(pdf, content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="helpathon-{context["edition"].slug}-report.pdf"'
    return response
