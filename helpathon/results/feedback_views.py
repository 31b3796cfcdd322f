"""Placeholder: being written."""

from django.http import Http404


def follow_up(request, **kwargs):
    raise Http404


def template_support(request, **kwargs):
    raise Http404


def template_comment(request, **kwargs):
    raise Http404


def comment_hide(request, **kwargs):
    raise Http404


def template_status(request, **kwargs):
    raise Http404

