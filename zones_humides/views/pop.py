"""POP Amphibien pages: aires and planner, an aire's sites and passages, the passage
sheet, the results of a season and its national export.

Every page reads the ponds, passages and lines the user may see
(``zones_humides.selectors.pop``) and says how many it leaves out; a passage is entered in
a dataset of the user's organisation and changed by those who may write it
(``zones_humides.permissions``)."""

import json

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Count, F, Prefetch, Q
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_safe

from cpie_naturaliste.core.filters import page_year
from cpie_naturaliste.core.geo import to_api_transform
from referentiel.permissions import can_enter, may_write_in
from zones_humides.forms import PassageForm
from zones_humides.models import PassageObservation, PopPassage, PopSite
from zones_humides.models.pop import PASSAGES_PER_SEASON
from zones_humides.permissions import may_write_passage, passages_writable_by
from zones_humides.selectors.export import pop_export_csv
from zones_humides.selectors.pop import (
    aire_hidden_counts,
    aires_readable,
    aires_visible_to,
    lines_shown_to,
    passages_visible_to,
    ponds_visible_to,
    pop_planner,
    pop_results,
)
from zones_humides.services import passage_media_add, passage_save


def _year(request: HttpRequest) -> int:
    try:
        return int(page_year(request.GET))
    except ValueError:
        return timezone.localdate().year


@login_required
def pop_index(request: HttpRequest) -> HttpResponse:
    """The aires and the planner: which aires are due in the chosen year."""
    year = _year(request)
    aires = aires_visible_to(request.user)
    seasons = sorted(
        set(passages_visible_to(request.user).values_list("year", flat=True)),
        reverse=True,
    )
    return render(
        request,
        "zones_humides/pop_index.html",
        {
            "year": year,
            "planner": pop_planner(year=year, aires=aires, user=request.user),
            "seasons": seasons,
            "passages_per_season": PASSAGES_PER_SEASON,
        },
    )


@require_safe
@login_required
def pop_results_page(request: HttpRequest, year: int) -> HttpResponse:
    results = pop_results(
        year=year, aires=aires_readable(request.user), user=request.user
    )
    return render(
        request, "zones_humides/pop_results.html", {"year": year, "results": results}
    )


@require_safe
@login_required
def pop_export(request: HttpRequest, year: int, filename_year: int) -> HttpResponse:
    text = pop_export_csv(
        year=year, aires=aires_readable(request.user), user=request.user
    )
    response = HttpResponse(text, content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="pop-amphibien-{year}.csv"'
    return response


@login_required
def aire_detail(request: HttpRequest, pk: int) -> HttpResponse:
    aire = get_object_or_404(
        aires_visible_to(request.user).select_related("main_observer", "dataset"),
        pk=pk,
    )
    year = _year(request)
    user = request.user
    sites = (
        ponds_visible_to(user)
        .filter(aire=aire)
        .annotate(passages_done=Count("passages", filter=Q(passages__year=year)))
        .order_by("code")
    )
    lines = lines_shown_to(
        user,
        # The record's page shows its photos and takes new ones.
        PassageObservation.objects.select_related("taxon").annotate(
            occurrence_uuid=F("occurrence__uuid")
        ),
    )
    passages = (
        passages_visible_to(user)
        .filter(pop_site__aire=aire, year=year)
        .select_related("pop_site")
        .prefetch_related(Prefetch("observations", queryset=lines), "observers")
        .order_by("pop_site__code", "number")
    )
    by_site: dict[int, list] = {}
    for passage in passages:
        by_site.setdefault(passage.pop_site_id, []).append(passage)
    transform = to_api_transform()
    pond_features = []
    for site in sites:
        site.season_passages = by_site.get(site.pk, [])
        point = site.geom.transform(transform, clone=True)
        site.lon, site.lat = round(point.x, 6), round(point.y, 6)
        pond_features.append(
            {
                "type": "Feature",
                "geometry": {"type": "Point", "coordinates": [site.lon, site.lat]},
                "properties": {
                    "code": site.code,
                    "name": site.name,
                    "habitat": site.get_habitat_display(),
                    "passages": site.passages_done,
                    "anchor": f"site-{site.pk}",
                },
            }
        )
    hidden_ponds, hidden_lines = aire_hidden_counts(aire=aire, year=year, user=user)
    return render(
        request,
        "zones_humides/aire_detail.html",
        {
            "aire": aire,
            "year": year,
            "sites": sites,
            "hidden_ponds": hidden_ponds,
            "hidden_lines": hidden_lines,
            "can_enter": may_write_in(user, aire.dataset_id),
            "writable_passages": set(
                passages_writable_by(passages, user).values_list("pk", flat=True)
            ),
            "passages_per_season": PASSAGES_PER_SEASON,
            # The ponds shown above (ponds_visible_to: none the reader may not place)
            # and the aire's outline, in WGS84 for the map.
            "ponds_map": {
                "aire": json.loads(aire.geom.transform(transform, clone=True).json),
                "ponds": {"type": "FeatureCollection", "features": pond_features},
            },
            "map_tiles": settings.LEAFLET_CONFIG.get("TILES", []),
        },
    )


def _passage_page(request, pop_site: PopSite, passage: PopPassage | None):
    """The passage sheet: a new passage in a dataset of the user's organisation, or a
    passage the user may change (their own, or their organisation's for a
    coordinator)."""
    aire = pop_site.aire
    if passage is None:
        allowed = may_write_in(request.user, aire.dataset_id)
    else:
        allowed = may_write_passage(request.user, passage)
    if not allowed:
        raise PermissionDenied
    instance = passage or PopPassage(pop_site=pop_site)
    initial = {}
    if passage is None:
        today = timezone.localdate()
        # The next passage of the latest season (entries are often made afterwards).
        season = (
            pop_site.passages.order_by("-year").values_list("year", flat=True).first()
            or today.year
        )
        done = set(
            pop_site.passages.filter(year=season).values_list("number", flat=True)
        )
        if len(done) >= PASSAGES_PER_SEASON:
            done = set()
        initial = {
            "date": today,
            "number": next((n for n in (1, 2, 3) if n not in done), 1),
            "accessible": True,
        }
    form = PassageForm(
        request.POST or None,
        request.FILES or None,
        instance=instance,
        initial=initial,
        user=request.user,
        aire=aire,
    )
    if passage is None:
        # Opened offline another day, the page starts on that day (offline.js).
        form.fields["date"].widget.attrs["data-default-today"] = ""
    if request.method == "POST" and form.is_valid():
        try:
            with transaction.atomic():
                saved = passage_save(
                    user=request.user,
                    pop_site=pop_site,
                    fields=form.passage_fields(),
                    observers=form.cleaned_data["observers"],
                    lines=form.species_lines(),
                    nothing_found=form.cleaned_data["nothing_found"],
                    passage=passage,
                )
                # The photos of each species go to the record its line publishes.
                passage_media_add(
                    passage=saved, user=request.user, media=form.species_media()
                )
        except ValidationError as error:
            for field, errors in error.message_dict.items():
                form.add_error(None if field not in form.fields else field, errors)
        else:
            messages.success(
                request,
                f"Passage {saved.number} du {saved.date:%d/%m/%Y} enregistré "
                f"({pop_site}).",
            )
            if "another" in request.POST:
                return redirect("zones_humides:passage_create", site_pk=pop_site.pk)
            return redirect(
                f"{reverse('zones_humides:aire_detail', args=[aire.pk])}?year={saved.year}#site-{pop_site.pk}"
            )
    return render(
        request,
        "zones_humides/passage_form.html",
        {"form": form, "pop_site": pop_site, "aire": aire, "passage": passage},
    )


@login_required
def passage_create(request: HttpRequest, site_pk: int) -> HttpResponse:
    if not can_enter(request.user):
        raise PermissionDenied
    pop_site = get_object_or_404(
        ponds_visible_to(request.user).select_related("aire"), pk=site_pk
    )
    return _passage_page(request, pop_site, None)


@login_required
def passage_update(request: HttpRequest, pk: int) -> HttpResponse:
    passage = get_object_or_404(
        passages_visible_to(request.user).select_related("pop_site__aire"), pk=pk
    )
    return _passage_page(request, passage.pop_site, passage)
