"""Placeholder: being written."""

from django.http import Http404


def open_data(request, **kwargs):
    raise Http404


def open_data_json(request, **kwargs):
    raise Http404


def open_data_csv(request, **kwargs):
    raise Http404

