from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django.db.models import QuerySet
from django.http import FileResponse, HttpRequest, JsonResponse, StreamingHttpResponse
from django_filters.rest_framework import DjangoFilterBackend
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework import mixins, status, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import NotFound, PermissionDenied, ValidationError
from rest_framework.negotiation import BaseContentNegotiation
from rest_framework.parsers import BaseParser
from rest_framework.renderers import BaseRenderer, JSONRenderer
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.settings import api_settings

from . import export, health, query, rules, services
from .exceptions import Conflict
from .fastcheck import entry_checker
from .filters import ORDERING_FIELDS, IndexedOrderingFilter, KnownParametersOnly, TimesheetFilter
from .models import Timesheet
from .pagination import TimesheetPagination
from .permissions import APPROVE, CREATE, DELETE, READ, HasRequiredScopes, caller_identity
from .serializers import (
    MAX_BATCH_ITEMS,
    BatchItemResultSerializer,
    ReconcileResultSerializer,
    ReconcileSerializer,
    TimesheetChangeSerializer,
    TimesheetSerializer,
    TimesheetWrittenSerializer,
)

SINGLE_STATUS = {
    services.Outcome.CREATED: status.HTTP_201_CREATED,
    services.Outcome.UPDATED: status.HTTP_200_OK,
    services.Outcome.UNCHANGED: status.HTTP_200_OK,
}


class CSVDownloadNegotiation(BaseContentNegotiation):
    """The export answers CSV whatever `Accept` says, and its refusals JSON like the rest of the API.

    DRF's own pattern ("Custom content negotiation") for a view whose success is not rendered.
    """

    def select_parser(self, request: Request, parsers: Iterable[BaseParser]) -> BaseParser:
        return next(iter(parsers))

    def select_renderer(
        self, request: Request, renderers: Iterable[BaseRenderer], format_suffix: str | None = None
    ) -> tuple[BaseRenderer, str]:
        renderer = next(iter(renderers))
        return renderer, renderer.media_type


class TimesheetViewSet(
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    viewsets.GenericViewSet,
):
    queryset = Timesheet.objects.all()
    serializer_class = TimesheetSerializer
    # Filters, sort orders and pages that each follow an index (see "Reading a million
    # entries" in docs/performance.md): ?cursor= walks by id; page numbers count cheaply.
    filter_backends = [KnownParametersOnly, DjangoFilterBackend, IndexedOrderingFilter]
    filterset_class = TimesheetFilter
    # Query parameters an action reads beside the filters (see KnownParametersOnly).
    extra_query_params: tuple[str, ...] = ()
    ordering_fields = ORDERING_FIELDS
    pagination_class = TimesheetPagination
    lookup_value_regex = r"\d+"
    # Scopes first; then the rules of what a person may do (timesheets/rules.py).
    permission_classes = [HasRequiredScopes, rules.EntryRules]
    required_scopes = {
        "list": [READ],
        "export": [READ],
        "retrieve": [READ],
        "create": [CREATE],
        "batch": [CREATE],
        "partial_update": [CREATE],
        "destroy": [DELETE],
        "approve": [APPROVE],
        "reconcile": [CREATE],
    }

    def get_queryset(self) -> QuerySet[Timesheet]:
        """Only the entries this caller may reach with this action: any other is a 404."""
        return rules.entries_for(self.request.user, self.action, super().get_queryset())

    @extend_schema(
        responses={
            201: TimesheetWrittenSerializer,
            200: TimesheetWrittenSerializer,
            409: OpenApiResponse(description="Sent again with other content after approval."),
        }
    )
    def create(self, request: Request) -> Response:
        """One entry. With an `external_id` sent before by the same client, it updates instead.

        A person's token creates the person's own entries: `user_type` and `user_id` may be
        left out, and naming someone else is a 403.
        """
        serializer = self.get_serializer(data=rules.with_own_identity(request.user, request.data))
        serializer.is_valid(raise_exception=True)
        refusal = rules.refusal_to_create(request.user, serializer.validated_data)
        if refusal is not None:
            raise PermissionDenied(refusal)
        [result] = services.timesheets_upsert(
            created_by=caller_identity(request.user), entries=[serializer.validated_data]
        )
        timesheet = result.timesheet
        if result.outcome is services.Outcome.CONFLICT:
            raise Conflict(f"Timesheet {timesheet.pk} is approved and can no longer change.")
        body = {
            **self.get_serializer(timesheet).data,
            "message": f"Timesheet {result.outcome} for {timesheet.user_type}: {timesheet.user_id}",
        }
        headers = {}
        if result.outcome is services.Outcome.CREATED:
            headers["Location"] = request.build_absolute_uri(f"/timesheets/{timesheet.pk}")
        return Response(body, status=SINGLE_STATUS[result.outcome], headers=headers)

    def get_serializer(self, *args: Any, **kwargs: Any) -> Any:
        if self.action == "batch":
            kwargs.setdefault("many", True)  # the browsable API's form then asks for an array
        return super().get_serializer(*args, **kwargs)

    @extend_schema(
        request=TimesheetSerializer(many=True),
        responses=BatchItemResultSerializer(many=True),
        parameters=[
            OpenApiParameter(
                "dry_run",
                bool,
                description="`true`: answer what each item would become (`created`, `updated`, "
                "`unchanged`, `conflict`, `invalid`) and write nothing; a would-be created item's "
                "`id` is null.",
            )
        ],
    )
    @action(detail=False, methods=["post"], pagination_class=None, filter_backends=[])
    def batch(self, request: Request) -> Response:
        """Up to 1,000 entries; one result per item, in order. An invalid item holds back no other."""
        query.refuse_unknown_parameters(request, known={"dry_run"})
        dry_run = query.flag(request, "dry_run")
        items = request.data
        if not isinstance(items, list) or not 1 <= len(items) <= MAX_BATCH_ITEMS:
            raise ValidationError(
                {"non_field_errors": [f"Expected a JSON array of 1 to {MAX_BATCH_ITEMS} entries."]}
            )
        validator: TimesheetSerializer = self.get_serializer().child  # the ListSerializer's item
        # Plainly valid items take the fast path; every other one the serializer, for its messages.
        checker = entry_checker(type(validator))
        results: list[dict[str, Any] | None] = [None] * len(items)
        valid: list[tuple[int, dict[str, Any]]] = []
        for index, item in enumerate(items):
            item = rules.with_own_identity(request.user, item)
            entry = checker.validated(item)
            if entry is None:
                try:
                    entry = validator.run_validation(item)
                except ValidationError as exc:
                    results[index] = {"index": index, "status": "invalid", "id": None, "errors": exc.detail}
                    continue
            refusal = rules.refusal_to_create(request.user, entry)
            if refusal is not None:
                errors = {api_settings.NON_FIELD_ERRORS_KEY: [refusal]}
                results[index] = {"index": index, "status": "invalid", "id": None, "errors": errors}
                continue
            valid.append((index, entry))
        if valid:
            written = services.timesheets_upsert(
                created_by=caller_identity(request.user),
                entries=[entry for _, entry in valid],
                dry_run=dry_run,
            )
            for (index, _), result in zip(valid, written, strict=True):
                results[index] = {
                    "index": index,
                    "status": str(result.outcome),
                    "id": result.id,
                    "errors": None,
                }
        return Response(results)

    @extend_schema(
        filters=True,
        parameters=[
            OpenApiParameter("totals", bool, description="`true`: a total row per person after the entries."),
            OpenApiParameter(
                "format", str, enum=["csv", "xlsx"], description="`xlsx`: a workbook instead of CSV."
            ),
        ],
        responses={
            (200, "text/csv"): OpenApiResponse(
                response=OpenApiTypes.STR,
                description="A header row of the entry's fields and `person_name`, `week_start`, "
                "`week_end`, `approved_by_name`, `created_by_name`, then one row per entry; streamed.",
            ),
            (200, export.XLSX_TYPE): OpenApiResponse(response=OpenApiTypes.BINARY, description="A workbook."),
        },
    )
    @action(
        detail=False,
        methods=["get"],
        pagination_class=None,
        renderer_classes=[JSONRenderer],
        content_negotiation_class=CSVDownloadNegotiation,
        extra_query_params=("totals",),
    )
    def export(self, request: Request) -> StreamingHttpResponse | FileResponse:
        """Every entry the list's filters select, for payroll, unpaginated (docs/payroll.md).

        Cells starting with `=`, `+`, `-` or `@` get a leading `'`, so that a spreadsheet
        shows them instead of running them as formulas.
        """
        queryset = self.filter_queryset(self.get_queryset())  # a 400 for any odd parameter
        totals = query.flag(request, "totals")
        kind = request.query_params.get("format", "csv")
        if kind not in ("csv", "xlsx"):
            raise ValidationError({"format": ["Expected csv or xlsx."]})
        # Named from what the filters understood, never from the raw text: the name and the
        # rows cannot disagree.
        filterset = self.filterset_class(request.query_params, queryset=queryset, request=request)
        filterset.is_valid()  # the backend has just validated the same parameters
        filename = export.file_name(export.filter_parts(filterset.form.cleaned_data), kind)
        if kind == "csv":
            return export.csv_response(queryset, filename, totals=totals)
        try:
            return export.xlsx_response(queryset, filename, totals=totals)
        except export.TooManyRows as exc:
            raise ValidationError({"format": [str(exc)]}) from None

    @extend_schema(request=ReconcileSerializer, responses=ReconcileResultSerializer)
    @action(detail=False, methods=["post"], pagination_class=None)
    def reconcile(self, request: Request) -> Response:
        """Deletes the caller's own entries a time tracker no longer has, for one tool and window.

        Candidates: entries this client created whose `external_id` starts with `prefix` (a
        tracker key, `tool:person:YYYY-Www:project`), in the ISO weeks `since` to `until`,
        not listed in `keep`, and, when `persons` is given, of one of those people. Each is
        deleted, unless approved: an approved entry stays and is answered as a conflict.
        One transaction. Needs only `create:timesheets`, as the import that created the
        entries could overwrite them anyway; nobody else's entries are ever touched.
        Keys name no tracker account: give each account its own API client (docs/trackers.md,
        "One API client per tracker account").
        """
        serializer = ReconcileSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        result = services.timesheets_reconcile(
            created_by=caller_identity(request.user),
            prefix=data["prefix"],
            first_week=data["since"],
            last_week=data["until"],
            keep=data["keep"],
            persons=data.get("persons"),
            dry_run=data["dry_run"],
        )
        body = {
            "deleted": [{"id": t.pk, "external_id": t.external_id} for t in result.deleted],
            "conflicts": [{"id": t.pk, "external_id": t.external_id} for t in result.conflicts],
            "dry_run": data["dry_run"],
        }
        return Response(ReconcileResultSerializer(body).data)

    @extend_schema(
        request=TimesheetChangeSerializer,
        responses={200: TimesheetSerializer, 409: OpenApiResponse(description="The entry is approved.")},
    )
    def partial_update(self, request: Request, pk: str) -> Response:
        """Corrects `project`, `hours`, `year` or `week` of an entry not yet approved.

        A client changes only the entries it created, a person only their own; any other
        entry is a 404. The change is recorded in the entry's history.
        """
        timesheet = self.get_object()
        serializer = TimesheetChangeSerializer(timesheet, data=request.data, partial=True)
        serializer.is_valid(raise_exception=True)
        try:
            timesheet = services.timesheet_change(
                timesheet_id=timesheet.pk,
                changes=serializer.validated_data,
                changed_by=caller_identity(request.user),
            )
        except Timesheet.DoesNotExist:
            raise NotFound() from None
        except services.TimesheetApproved:
            raise Conflict("An approved timesheet cannot be changed.") from None
        return Response(TimesheetSerializer(timesheet).data)

    @extend_schema(responses={204: None, 409: OpenApiResponse(description="The entry is approved.")})
    def destroy(self, request: Request, pk: str) -> Response:
        timesheet = self.get_object()
        try:
            services.timesheet_delete(timesheet_id=timesheet.pk, deleted_by=caller_identity(request.user))
        except Timesheet.DoesNotExist:
            raise NotFound() from None
        except services.TimesheetApproved:
            raise Conflict("An approved timesheet cannot be deleted.") from None
        return Response(status=status.HTTP_204_NO_CONTENT)

    @extend_schema(request=None)
    @action(detail=True, methods=["post"])
    def approve(self, request: Request, pk: str) -> Response:
        """Approves the entry; approving it again changes nothing."""
        timesheet = self.get_object()
        try:
            timesheet = services.timesheet_approve(
                timesheet_id=timesheet.pk,
                approved_by=caller_identity(request.user),
                approver=rules.identity_of(request.user),
            )
        except Timesheet.DoesNotExist:
            raise NotFound() from None
        except services.OwnEntry:
            raise PermissionDenied("An entry is approved by someone else.") from None
        return Response(self.get_serializer(timesheet).data)


def healthz(request: HttpRequest) -> JsonResponse:
    """For load balancers: 200 when the database answers, 503 when it does not or hangs."""
    if health.database_answers():
        return JsonResponse({"status": "ok"})
    return JsonResponse({"status": "unavailable"}, status=503)
