"""Placeholder: being written."""

from django.http import Http404


def home(request, **kwargs):
    raise Http404


def edition_create(request, **kwargs):
    raise Http404


def overview(request, **kwargs):
    raise Http404


def edition_copy(request, **kwargs):
    raise Http404


def edition_edit(request, **kwargs):
    raise Http404


def registrations(request, **kwargs):
    raise Http404


def check_in(request, **kwargs):
    raise Http404


def downloads(request, **kwargs):
    raise Http404

