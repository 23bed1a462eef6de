"""The needs survey (问需于民) of a project, staff side: create it, open and close it, read
the results by item and by building, and enter a household's answer door to door (入户登记).
"""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from gongzhi.renewal import actions, selectors
from gongzhi.renewal import forms_staff as forms
from gongzhi.renewal.actions.survey import project_households
from gongzhi.renewal.models import Stage, Survey, SurveyStatus
from gongzhi.renewal.views_staff_common import T, run_form, run_step, staff_project


def _share(part: int, whole: int) -> str:
    return f"{part * 100 / whole:.1f}%" if whole else "—"


def _results(survey: Survey) -> dict:
    """The results as the page prints them: by item (count, share of the answers) and a
    table of buildings × items."""
    res = selectors.survey_results(survey)
    by_item = [{"option": r.option, "n": r.households, "share": _share(r.households,
                                                                       res.answered)}
               for r in res.options]
    buildings = [{"name": name, "households": total, "answered": answered,
                  "rate": _share(answered, total),
                  "cells": [{"n": r.by_building.get(pk, 0),
                             "share": _share(r.by_building.get(pk, 0), answered)}
                            for r in res.options]}
                 for pk, name, total, answered in res.buildings]
    return {"res": res, "by_item": by_item, "buildings": buildings,
            "rate": _share(res.answered, res.households)}


def _entry_form(survey: Survey, options, data=None) -> forms.EntryForm:
    return forms.EntryForm(data, households=project_households(survey.project),
                           options=options)


def survey_page(request: HttpRequest, project, status: int = 200, **given) -> HttpResponse:
    survey = Survey.objects.filter(project=project).first()
    ctx = {"project": project, "survey": survey, "survey_form": None, "entry_form": None}
    if survey is None:
        if project.stage in (Stage.RESERVE, Stage.PLANNING):
            ctx["survey_form"] = forms.SurveyForm()
    else:
        options = list(survey.options.all())
        ctx |= {"options": options, **_results(survey),
                "recent": list(survey.responses.select_related("household__building",
                                                               "answered_by")
                               .order_by("-answered_at", "-id")[:20])}
        if survey.status == SurveyStatus.OPEN:
            ctx["entry_form"] = _entry_form(survey, options)
    ctx.update(given)
    return render(request, T + "survey.html", ctx, status=status)


def _to_survey(project, anchor: str = "") -> HttpResponse:
    url = reverse("renewal_staff:survey", kwargs={"pk": project.pk})
    return redirect(url + (f"#{anchor}" if anchor else ""))


@login_required
@require_GET
def survey(request: HttpRequest, pk: int) -> HttpResponse:
    return survey_page(request, staff_project(request, pk))


@login_required
@require_POST
def survey_new(request: HttpRequest, pk: int) -> HttpResponse:
    project = staff_project(request, pk)
    form = forms.SurveyForm(request.POST)
    if run_form(form, lambda d: actions.create_survey(
            project=project, title=d["title"], intro=d["intro"], closes_at=d["closes_at"],
            options=form.options(), acting_user=request.user),
            rename={"options": "options_basic"}):
        messages.success(request, _("已建立需求调查问卷，核对后即可开始调查"))
        return _to_survey(project)
    return survey_page(request, project, status=400, survey_form=form)


def _survey_of(request: HttpRequest, pk: int):
    project = staff_project(request, pk)
    survey = Survey.objects.filter(project=project).first()
    if survey is None:
        messages.error(request, _("该项目还没有需求调查"))
    return project, survey


@login_required
@require_POST
def survey_open(request: HttpRequest, pk: int) -> HttpResponse:
    project, survey = _survey_of(request, pk)
    if survey is not None:
        run_step(request, _("需求调查已开始，已通知改造小区的居民"), actions.open_survey,
                 survey=survey)
    return _to_survey(project)


@login_required
@require_POST
def survey_close(request: HttpRequest, pk: int) -> HttpResponse:
    project, survey = _survey_of(request, pk)
    if survey is not None:
        run_step(request, _("需求调查已结束"), actions.close_survey, survey=survey)
    return _to_survey(project)


@login_required
@require_POST
def survey_entry(request: HttpRequest, pk: int) -> HttpResponse:
    project, survey = _survey_of(request, pk)
    if survey is None:
        return _to_survey(project)
    form = _entry_form(survey, list(survey.options.all()), request.POST)
    if run_form(form, lambda d: actions.enter_survey_answer(
            survey=survey, household=d["household"], choices=d["choices"],
            comment=d["comment"], acting_user=request.user), rename={"household": "room"}):
        messages.success(request, _("已登记 %(h)s 的需求") % {"h": str(form.cleaned_data[
            "household"])})
        return _to_survey(project, "entry")
    return survey_page(request, project, status=400, entry_form=form)
