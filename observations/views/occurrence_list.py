"""The observations the user may read, filtered, sorted, paginated and mapped
(``/observations/``); the validation queue shares the filter panel and the table."""

from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.db.models import Q
from django.forms import ModelChoiceField
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from cpie_naturaliste.core.pagination import CappedPage
from observations.blurring import Reader, blur_instance
from observations.filters import OccurrenceFilter
from observations.forms import taxon_label
from observations.models import VALIDATION_CHOICES, Occurrence
from referentiel.models import Commune, Dataset, Person, Scope, Taxon

PER_PAGE = 25
# Beyond this many matches the page says "plus de 10 000" rather than counting them all.
COUNT_CAP = 10000
SORTABLE_COLUMNS = [
    ("date", _("Date")),
    ("taxon", _("Taxon")),
    ("validation", _("Validation")),
]
DEFAULT_ORDERING = "-date"
EMPTY_CHOICES = {
    "atlas_group": _("Tous les groupes"),
    "site": _("Tous les sites"),
    "programme": _("Tous les programmes"),
    "observer": _("Tous les observateurs"),
    "dataset": _("Tous les jeux de données"),
    "presence": _("Présences et absences"),
}
LIST_COLUMNS = [
    "uuid",
    "date_start",
    "date_end",
    "count_min",
    "count_max",
    "observers_label",
    "validation_status",
    "observation_status",
    "taxon",
    "taxon__scientific_name",
    "taxon__vernacular_name",
    "commune",
    "commune__name",
    "sensitivity_level",
    "dataset",
    "created_by",
]


def filtered_occurrences(request: HttpRequest, queryset) -> OccurrenceFilter:
    """The shared OccurrenceFilter on ``queryset``, its form's choices narrowed to what the
    user may see (datasets, people), plus the labels of the autocomplete fields."""
    filterset = OccurrenceFilter(request.GET, queryset=queryset, request=request)
    user = request.user
    form = filterset.form
    form.fields["dataset"].queryset = Dataset.objects.visible_to(user)
    for name, empty_label in EMPTY_CHOICES.items():
        field = form.fields[name]
        field.empty_label = empty_label
        if not isinstance(field, ModelChoiceField):
            # A plain choice field handed its widget a ready list: relabel the blank.
            field.widget.choices = [
                ("", empty_label),
                *((value, text) for value, text in field.widget.choices if value != ""),
            ]
    if user.read_scope != Scope.ALL:
        people = Q(organisation_id=user.organisation_id)
        selected = request.GET.get("observer", "")
        if selected.isdigit():
            people |= Q(pk=int(selected))
        form.fields["observer"].queryset = Person.objects.filter(people)
    filterset.taxon_label = ""
    taxon_param = request.GET.get("taxon", "")
    if taxon_param.isdigit():
        taxon = Taxon.objects.filter(pk=int(taxon_param)).first()
        filterset.taxon_label = taxon_label(taxon) if taxon else ""
    filterset.commune_label = ""
    if commune := request.GET.get("commune", "").strip():
        found = Commune.objects.filter(insee=commune).only("name", "insee").first()
        filterset.commune_label = str(found) if found else commune
    return filterset


def ordered(queryset):
    """A total order, so that pages never repeat or skip a row of equal dates."""
    ordering = list(queryset.query.order_by) or ["-date_start", "-id"]
    if not any(key.lstrip("-") in ("id", "pk") for key in ordering):
        ordering.append("-id")
    return queryset.order_by(*ordering)


def sort_columns(request: HttpRequest) -> dict[str, dict]:
    """Per sortable column: the ordering its header link sets, and its aria-sort state."""
    current = (request.GET.get("ordering") or DEFAULT_ORDERING).split(",")[0]
    columns = {}
    for key, label in SORTABLE_COLUMNS:
        state = ""
        if current == key:
            state = "ascending"
        elif current == f"-{key}":
            state = "descending"
        columns[key] = {
            "label": label,
            "next": f"-{key}" if state == "ascending" else key,
            "aria_sort": state,
        }
    return columns


def map_query(request: HttpRequest) -> str:
    """The page's filters for the map layer (page number and sort order are irrelevant;
    the API refuses any parameter it does not read, such as a form's text inputs)."""
    params = request.GET.copy()
    for key in list(params):
        if key not in OccurrenceFilter.base_filters or key in ("ordering", "in_bbox"):
            params.pop(key)
    return params.urlencode()


def tiles_url_template() -> str:
    """The occurrence vector tiles' URL, as a Leaflet template (``…/{z}/{x}/{y}.mvt``)."""
    url = reverse("occurrence-tiles", kwargs={"z": "0", "x": "0", "y": "0"})
    return url.removesuffix("/0/0/0.mvt") + "/{z}/{x}/{y}.mvt"


def list_context(request: HttpRequest, queryset) -> dict:
    filterset = filtered_occurrences(request, queryset)
    rows = ordered(filterset.qs).select_related("taxon", "commune").only(*LIST_COLUMNS)
    page = CappedPage(rows, request.GET.get("page"), per_page=PER_PAGE, cap=COUNT_CAP)
    reader = Reader.for_user(request.user)
    for occurrence in page.object_list:
        blur_instance(occurrence, reader)
    active = [
        key
        for key, value in request.GET.lists()
        if key not in ("page", "ordering") and any(v for v in value)
    ]
    return {
        "filter": filterset,
        "form": filterset.form,
        "page": page,
        "columns": sort_columns(request),
        "filters_active": bool(active),
        "validation_choices": VALIDATION_CHOICES,
        "selected_statuses": request.GET.getlist("validation_status"),
        "descendants_excluded": request.GET.get("descendants") == "false",
    }


@login_required
def occurrence_list(request: HttpRequest) -> HttpResponse:
    context = list_context(request, Occurrence.objects.visible_to(request.user))
    context.update(
        map_tiles=settings.LEAFLET_CONFIG.get("TILES", []),
        tiles_url=tiles_url_template(),
        map_query=map_query(request),
    )
    return render(request, "observations/occurrence_list.html", context)
