"""The admin page of the weekly picture: reads the chosen week range, renders numbers and charts."""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.http import HttpRequest

from . import weekly
from .weeks import IsoWeek, clamped, parse_kept

Range = tuple[IsoWeek, IsoWeek]


def chosen_range(request: HttpRequest, default: Range) -> tuple[IsoWeek, IsoWeek, list[str]]:
    """The weeks asked for, or the default; a bad or oversized range is corrected and said so."""
    errors: list[str] = []
    bounds = list(default)
    for position, name in enumerate(("week_from", "week_to")):
        text = request.GET.get(name, "")
        if text:
            try:
                bounds[position] = parse_kept(text)
            except ValueError as error:
                errors.append(str(error))
    start, end = bounds
    if start > end:
        start, end = end, start
    if len(weekly.weeks_between(start, end)) > weekly.MAX_WEEKS:
        start = clamped(end.plus(1 - weekly.MAX_WEEKS))
        errors.append(f"At most {weekly.MAX_WEEKS} weeks at a time: showing {start} to {end}.")
    return start, end, errors


def weekly_context(model_admin: admin.ModelAdmin, request: HttpRequest) -> dict[str, Any]:
    queryset = model_admin.get_queryset(request)
    start, end, errors = chosen_range(request, weekly.default_range())
    picture = weekly.weekly_picture(queryset, start, end)
    return {
        **model_admin.admin_site.each_context(request),
        "title": f"Weekly picture, {start} to {end}",
        "opts": model_admin.model._meta,
        "picture": picture,
        "charts": weekly.charts(picture),
        "errors": errors,
        "top": weekly.TOP,
    }
