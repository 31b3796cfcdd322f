"""Placeholder: being written."""

from django.http import Http404


def report(request, **kwargs):
    raise Http404


def report_pdf(request, **kwargs):
    raise Http404

