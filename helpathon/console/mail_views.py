"""Placeholder: being written."""

from django.http import Http404


def mailings(request, **kwargs):
    raise Http404


def mailing_detail(request, **kwargs):
    raise Http404


def mailing_progress(request, **kwargs):
    raise Http404

