"""Pages of needs and services (placeholder until the pages land)."""

from django.http import Http404


def need_list(request, **kwargs):
    raise Http404


def need_create(request, **kwargs):
    raise Http404


def need_detail(request, **kwargs):
    raise Http404


def need_cancel(request, **kwargs):
    raise Http404


def need_assign(request, **kwargs):
    raise Http404


def need_start(request, **kwargs):
    raise Http404


def need_done(request, **kwargs):
    raise Http404


def need_rate(request, **kwargs):
    raise Http404


def my_orders(request, **kwargs):
    raise Http404


def offer_list(request, **kwargs):
    raise Http404


def offer_create(request, **kwargs):
    raise Http404


def category_list(request, **kwargs):
    raise Http404


def run_start(request, **kwargs):
    raise Http404


def run_detail(request, **kwargs):
    raise Http404


def run_accept(request, **kwargs):
    raise Http404


def gap_report(request, **kwargs):
    raise Http404


def delivery_stats(request, **kwargs):
    raise Http404
