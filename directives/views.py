"""The directives pages: the leader's board, an agency's queue, a directive, a task and its steps.

Thin views: they parse the request with `directives.forms`, read with `directives.selectors` and
write only through `directives.services`. A refused step (a DomainError) is shown with the
service's own message and has changed nothing. A task or directive outside the user's scope
answers 404, like one that does not exist. Every list can be downloaded as XLSX (`?format=xlsx`),
with the same filters.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.contrib.auth.models import User
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.http.response import HttpResponseBase
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from directives import dashboard, permissions, selectors, services, workflow
from directives.deadlines import Standing, standing
from directives.forms import (
    CancelForm,
    CompleteForm,
    DashboardFilterForm,
    DirectiveForm,
    ExtensionDecisionForm,
    ExtensionRequestForm,
    MonthForm,
    NoteForm,
    ProgressForm,
    TaskFilterForm,
    TaskFormSet,
    TaskFormSetBase,
)
from directives.models import ExtensionStatus, Task
from directives.selectors import TaskFilter, TaskScope, Today
from directives.spreadsheets import tasks_workbook
from geoapp.clock import vietnam_today
from geoapp.exceptions import DomainError, NotFound
from wards.models import Agency

View = Callable[..., HttpResponseBase]
BOARD_PAGE_SIZE = 100
XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


class DirectivesRequest(HttpRequest):
    user: User
    task_scope: TaskScope


def directives_page(view: View) -> View:
    """Signed-in users with a scope (a leader, an administrator, a member of an agency)."""

    @login_required
    @wraps(view)
    def guarded(request: DirectivesRequest, *args: Any, **kwargs: Any) -> HttpResponseBase:
        request.task_scope = selectors.task_scope(user=request.user)
        if not request.task_scope.is_staff:
            return render(request, "directives/forbidden.html", status=403)
        try:
            return view(request, *args, **kwargs)
        except NotFound as error:
            raise Http404(error.message) from error

    return guarded


def _xlsx(scope: TaskScope, task_filter: TaskFilter, today: Today, filename: str) -> HttpResponse:
    rows = selectors.task_rows_for_export(scope=scope, task_filter=task_filter, today=today)
    response = HttpResponse(tasks_workbook(rows), content_type=XLSX_TYPE)
    response["Content-Disposition"] = f'attachment; filename="{filename}.xlsx"'
    return response


def _filter_form(request: HttpRequest, scope: TaskScope) -> TaskFilterForm:
    agencies = selectors.agencies_with_tasks()
    if not scope.sees_all:
        agencies = [agency for agency in agencies if agency.pk in scope.agency_ids]
    return TaskFilterForm(
        request.GET or None,
        agencies=agencies,
        fields=selectors.fields_for_filter(),
    )


def _list_page(
    request: DirectivesRequest,
    *,
    template: str,
    task_filter: TaskFilter,
    form: TaskFilterForm | None,
    filename: str,
    context: dict[str, Any],
) -> HttpResponse:
    scope = request.task_scope
    today = selectors.today_of()
    if request.GET.get("format") == "xlsx":
        return _xlsx(scope, task_filter, today, filename)
    tasks = selectors.task_list(
        scope=scope, task_filter=task_filter, today=today, limit=BOARD_PAGE_SIZE
    )
    # Labels and links computed here once per row: the template's own lookups ({% url %}, a
    # loop over the standings) were most of the board's time at 200 rows.
    labels = dict(Standing.choices)
    board_path = reverse("directives-board")
    for task in tasks:
        task.standing_label = labels[task.standing]  # type: ignore[attr-defined]
        task.path = f"{board_path}{task.pk}/"  # type: ignore[attr-defined]
        task.directive_path = f"{board_path}van-ban/{task.directive_id}/"  # type: ignore[attr-defined]
    total = (
        len(tasks)
        if len(tasks) < BOARD_PAGE_SIZE
        else selectors.tasks_filtered(scope=scope, task_filter=task_filter, today=today).count()
    )
    figures = selectors.agency_figures(scope=scope, today=today, task_filter=task_filter)
    year, month = MonthForm(request.GET).year_month(today.day)
    calendar = selectors.deadline_calendar(
        scope=scope, task_filter=task_filter, today=today, year=year, month=month
    )
    export_query = request.GET.copy()
    export_query["format"] = "xlsx"
    return render(
        request,
        template,
        {
            "form": form,
            "tasks": tasks,
            "total": total,
            "page_size": BOARD_PAGE_SIZE,
            "figures": figures,
            "calendar": calendar,
            "previous_month": _shift_month(year, month, -1),
            "next_month": _shift_month(year, month, 1),
            "today": today.day,
            "export_query": export_query.urlencode(),
            **context,
        },
    )


def _shift_month(year: int, month: int, step: int) -> str:
    index = year * 12 + (month - 1) + step
    return f"{index // 12:04d}-{index % 12 + 1:02d}"


@require_GET
@directives_page
def board(request: DirectivesRequest) -> HttpResponse:
    """The leader's board: every task in scope, what needs attention first."""
    form = _filter_form(request, request.task_scope)
    return _list_page(
        request,
        template="directives/board.html",
        task_filter=form.task_filter(),
        form=form,
        filename="nhiem-vu",
        context={"can_create_directives": permissions.can_create_directives(request.user)},
    )


@require_GET
@directives_page
def agency_queue(request: DirectivesRequest, agency_code: str) -> HttpResponse:
    """An agency's own tasks (those it leads)."""
    agency = Agency.objects.filter(code=agency_code).first()
    scope = request.task_scope
    if agency is None or not (scope.sees_all or agency.pk in scope.agency_ids):
        raise Http404(agency_code)
    form = _filter_form(request, scope)
    task_filter = form.task_filter()
    task_filter = TaskFilter(**{**task_filter.__dict__, "agency_id": agency.pk})
    return _list_page(
        request,
        template="directives/agency_queue.html",
        task_filter=task_filter,
        form=form,
        filename=f"nhiem-vu-{agency.code}",
        context={"agency": agency},
    )


@require_GET
@directives_page
def directive_page(request: DirectivesRequest, directive_id: int) -> HttpResponse:
    """A directive with all its tasks (those in the user's scope) and their progress."""
    directive = selectors.directive_get(directive_id=directive_id)
    task_filter = TaskFilter(directive_id=directive.pk)
    scope = request.task_scope
    if (
        not scope.sees_all
        and not selectors.tasks_filtered(
            scope=scope, task_filter=task_filter, today=selectors.today_of()
        ).exists()
    ):
        raise Http404(str(directive_id))
    return _list_page(
        request,
        template="directives/directive.html",
        task_filter=task_filter,
        form=None,
        filename=f"van-ban-{directive.pk}",
        context={"directive": directive},
    )


ACTION_FORMS: dict[str, type[forms.Form]] = {
    "accept": NoteForm,
    "report_progress": ProgressForm,
    "request_extension": ExtensionRequestForm,
    "decide_extension": ExtensionDecisionForm,
    "complete": CompleteForm,
    "cancel": CancelForm,
}
ACTION_SLUGS = {
    "nhan": "accept",
    "bao-cao-tien-do": "report_progress",
    "de-nghi-gia-han": "request_extension",
    "quyet-dinh-gia-han": "decide_extension",
    "hoan-thanh": "complete",
    "huy": "cancel",
}
SLUG_OF_ACTION = {action: slug for slug, action in ACTION_SLUGS.items()}


def _task_context(request: DirectivesRequest, task: Task) -> dict[str, Any]:
    today = selectors.today_of()
    pending = task.extension_requests.filter(status=ExtensionStatus.PENDING).first()
    actions = [
        action
        for action in workflow.allowed_actions(request.user, task)
        if action != "decide_extension" or pending is not None
    ]
    if pending is not None:
        actions = [action for action in actions if action != "request_extension"]
    return {
        "task": task,
        "standing": task_standing(task, today),
        "events": task.events.select_related("actor").order_by("created_at", "id"),
        "pending_extension": pending,
        "coordinating": task.coordinating_agencies.order_by("name"),
        "action_forms": [
            (
                action,
                SLUG_OF_ACTION[action],
                workflow.ACTION_LABELS[action],
                # A prefix per form: the page holds several, whose fields would share ids.
                ACTION_FORMS[action](prefix=action),
            )
            for action in actions
        ],
    }


def task_standing(task: Task, today: Today) -> str:
    return str(
        standing(
            status=task.status,
            deadline=task.deadline,
            completed_on=task.completed_on,
            today=today.day,
            due_soon_until=today.due_soon_until,
        ).label
    )


@require_GET
@directives_page
def task_page(request: DirectivesRequest, task_id: int) -> HttpResponse:
    task = selectors.task_get(task_id=task_id, scope=request.task_scope)
    return render(request, "directives/task.html", _task_context(request, task))


@require_POST
@directives_page
def task_action(request: DirectivesRequest, task_id: int, action_slug: str) -> HttpResponseBase:
    task = selectors.task_get(task_id=task_id, scope=request.task_scope)
    action = ACTION_SLUGS.get(action_slug)
    if action is None:
        raise Http404(action_slug)
    form = ACTION_FORMS[action](request.POST, request.FILES, prefix=action)
    if not form.is_valid():
        messages.error(request, " ".join(str(e) for errors in form.errors.values() for e in errors))
        return redirect("directives-task", task_id=task.pk)
    data = form.cleaned_data
    user = request.user
    try:
        if action == "accept":
            services.task_accept(actor=user, task=task, note=data["note"])
        elif action == "report_progress":
            services.task_report_progress(
                actor=user, task=task, text=data["text"], percent=data["percent"],
                attachment=data.get("attachment"),
            )  # fmt: skip
        elif action == "request_extension":
            services.task_request_extension(
                actor=user, task=task, requested_deadline=data["requested_deadline"],
                reason=data["reason"],
            )  # fmt: skip
        elif action == "decide_extension":
            services.task_decide_extension(
                actor=user, task=task, grant=data["grant"], deadline=data.get("deadline"),
                note=data["note"],
            )  # fmt: skip
        elif action == "complete":
            services.task_complete(
                actor=user, task=task, evidence=data["evidence"],
                attachment=data.get("attachment"),
            )  # fmt: skip
        else:
            services.task_cancel(actor=user, task=task, reason=data["reason"])
    except DomainError as error:
        messages.error(request, error.message)
    else:
        messages.success(request, _("Đã ghi nhận."))
    return redirect("directives-task", task_id=task.pk)


def _directive_forms(request: HttpRequest) -> tuple[DirectiveForm, TaskFormSetBase]:
    data = request.POST if request.method == "POST" else None
    files = request.FILES if request.method == "POST" else None
    directive_form = DirectiveForm(data, files, signers=selectors.directive_signers())
    task_forms = TaskFormSet(
        data,
        prefix="tasks",
        form_kwargs={
            "agencies": selectors.agencies_for_assignment(),
            "areas": selectors.communes_for_assignment(on=vietnam_today()),
        },
    )
    return directive_form, task_forms


@login_required
def directive_create(request: DirectivesRequest) -> HttpResponseBase:
    """The leaders' office enters a directive and the tasks it assigns (`add_directive`).

    Bad input re-renders the page with every error beside its field (400) and writes nothing:
    the forms check the choices, the service checks the rules (`services.directive_create`
    refuses the whole directive when one task is wrong).
    """
    if request.method not in ("GET", "POST"):
        return HttpResponse(status=405, headers={"Allow": "GET, POST"})
    if not permissions.can_create_directives(request.user):
        return render(request, "directives/forbidden.html", status=403)
    directive_form, task_forms = _directive_forms(request)
    service_error = ""
    if request.method == "POST":
        if directive_form.is_valid() and task_forms.is_valid():
            data = directive_form.cleaned_data
            try:
                directive = services.directive_create(
                    number=data["number"], issued_on=data["issued_on"], kind=data["kind"],
                    signer=data.get("signer"), signer_name=data["signer_name"],
                    subject=data["subject"], text=data.get("text") or "",
                    attachment=data.get("attachment"),
                    tasks=[form.specification() for form in task_forms if form.has_changed()],
                    actor=request.user,
                )  # fmt: skip
            except DomainError as error:
                service_error = str(error.message)
            else:
                messages.success(request, _("Đã lưu văn bản chỉ đạo và các nhiệm vụ."))
                return redirect("directives-directive", directive_id=directive.pk)
        status = 400
    else:
        status = 200
    return render(
        request,
        "directives/directive_create.html",
        {"form": directive_form, "task_forms": task_forms, "service_error": service_error},
        status=status,
    )


def _dashboard_form(request: HttpRequest) -> DashboardFilterForm:
    return DashboardFilterForm(
        request.GET or None, areas=selectors.areas_for_dashboard(on=vietnam_today())
    )


@require_GET
@directives_page
def task_map(request: DirectivesRequest) -> HttpResponse:
    """The task map: located tasks coloured by standing, with the period's figures beside."""
    form = _dashboard_form(request)
    today = selectors.today_of()
    valid = not form.is_bound or form.is_valid()
    # Refused filters show their errors beside the fields, and no figures (nothing is guessed).
    figures = (
        dashboard.dashboard_figures(
            scope=request.task_scope, dashboard_filter=form.dashboard_filter(today.day),
            today=today,
        )
        if valid
        else None
    )  # fmt: skip
    return render(
        request,
        "directives/task_map.html",
        {
            "form": form,
            "figures": figures,
            "data_query": request.GET.urlencode(),
        },
        status=200 if valid else 400,
    )


@require_GET
@directives_page
def task_map_data(request: DirectivesRequest) -> HttpResponse:
    """The task map's GeoJSON, for the same filters as the page."""
    form = _dashboard_form(request)
    today = selectors.today_of()
    if form.is_bound and not form.is_valid():
        errors = [str(error) for field_errors in form.errors.values() for error in field_errors]
        return JsonResponse({"errors": errors}, status=400)
    collection = dashboard.tasks_map(
        scope=request.task_scope, dashboard_filter=form.dashboard_filter(today.day), today=today
    )
    return HttpResponse(collection, content_type="application/geo+json")
