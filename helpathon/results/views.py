"""Placeholder: being written."""

from django.http import Http404


def template_list(request, **kwargs):
    raise Http404


def template_detail(request, **kwargs):
    raise Http404


def template_markdown(request, **kwargs):
    raise Http404


def template_json(request, **kwargs):
    raise Http404


def template_pdf(request, **kwargs):
    raise Http404

