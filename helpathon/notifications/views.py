"""Placeholder: being written."""

from django.http import Http404


def unsubscribe(request, **kwargs):
    raise Http404

