"""Open data of an edition: a page that explains it, the JSON, and a ZIP of CSV files. Public
for published editions; a draft is a 404 for all but its organizers (`edition_get`)."""

from django.http import HttpResponse, JsonResponse
from django.shortcuts import render

from helpathon.editions.selectors import edition_get
from helpathon.results import opendata


def open_data(request, slug):
    edition = edition_get(slug=slug, user=request.user)
    data = opendata.build(edition)
    tables = [
        {"name": name, "description": description, "fields": fields, "count": len(data[name])}
        for name, (description, fields) in opendata.TABLES.items()
    ]
    context = {"edition": edition, "licence": data["licence"], "tables": tables, "withheld": data["withheld"]}
    return render(request, "results/open_data.html", context)


def open_data_json(request, slug):
    edition = edition_get(slug=slug, user=request.user)
    response = JsonResponse(opendata.build(edition), json_dumps_params={"ensure_ascii": False, "indent": 2})
    if request.GET.get("download"):
        response["Content-Disposition"] = f'attachment; filename="{edition.slug}-open-data.json"'
    return response


def open_data_csv(request, slug):
    edition = edition_get(slug=slug, user=request.user)
    response = HttpResponse(opendata.zip_archive(edition, opendata.build(edition)), content_type="application/zip")
    response["Content-Disposition"] = f'attachment; filename="{edition.slug}-open-data.zip"'
    return response
