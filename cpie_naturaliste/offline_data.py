"""What a phone keeps for the field (``/hors-ligne/donnees.json``, issue 19 point 1): the
taxa of the search with their French names, the user's datasets, sites, POP aires and
ponds, drift fences and recent records, and the entry pages to keep for them (with the
current season's grid of the count programmes the user enters).

Project layer: it gathers the readable rows of several apps through each app's own read
rules (``visible_to``, ``writable_by``, the protocol selectors). static/js/offline.js
fetches it while online and stores it in IndexedDB; the taxon search falls back to it with
no network (static/js/autocomplete.js). Compact: lists of rows, not objects."""

from django.contrib.auth.decorators import login_required
from django.db.models import Q
from django.http import HttpRequest, JsonResponse
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_GET

from observations.models import CountProgramme, Occurrence
from referentiel.models import Dataset, Site, Taxon
from referentiel.permissions import can_enter, may_write_in
from zones_humides.selectors.fences import fences_visible_to
from zones_humides.selectors.pop import aires_visible_to, ponds_visible_to

# Up to this many taxa, all of the table (the regional list a deployment loads); past it
# (the whole TAXREF), those of the region: with a regional status or already observed.
ALL_TAXA_UP_TO = 30000
RECENT_RECORDS = 50
# Entry pages kept per kind (POP ponds, fences): the outing's, not a whole region's.
PAGES_PER_KIND = 40


def offline_taxa() -> list[list]:
    taxa = Taxon.objects.all()
    if taxa.count() > ALL_TAXA_UP_TO:
        observed = Occurrence.objects.values("taxon_id")
        taxa = taxa.filter(Q(status__isnull=False) | Q(cd_nom__in=observed))
    return [
        [cd_nom, name, (french or "").split(",")[0].strip(), rank, valid]
        for cd_nom, name, french, rank, valid in taxa.order_by("cd_nom").values_list(
            "cd_nom", "scientific_name", "vernacular_name", "rank", "is_valid"
        )
    ]


def _records(user) -> list[list]:
    rows = (
        Occurrence.objects.visible_to(user)
        .filter(created_by=user)
        .order_by("-created_at", "-id")
        .values_list("uuid", "taxon__scientific_name", "date_start", "count_max")[
            :RECENT_RECORDS
        ]
    )
    return [[str(uuid), name, str(date), count] for uuid, name, date, count in rows]


@require_GET
@login_required
def offline_data(request: HttpRequest) -> JsonResponse:
    user = request.user
    entering = can_enter(user)
    ponds = list(
        ponds_visible_to(user)
        .order_by("aire__number", "code")
        .values_list("pk", "code", "name", "aire_id")
    )
    fences = list(fences_visible_to(user).order_by("name").values_list("pk", "name"))
    pages = [reverse("observations:occurrence_create"), reverse("observations:outbox")]
    if entering:
        pages += [
            reverse("zones_humides:passage_create", args=[pk])
            for pk, *_rest in ponds[:PAGES_PER_KIND]
        ]
        pages += [
            reverse("zones_humides:fence_check_entry", args=[pk])
            for pk, _name in fences[:PAGES_PER_KIND]
        ]
        today = timezone.localdate()
        pages += [
            reverse(
                "observations:count_season_grid",
                args=[programme.programme.code, programme.season_of(today)],
            )
            for programme in CountProgramme.objects.visible_to(user)
            .select_related("programme")
            .order_by("programme__code")[:PAGES_PER_KIND]
            if may_write_in(user, programme.dataset_id)
        ]
    data = {
        "taxa": {
            "columns": [
                "cd_nom",
                "scientific_name",
                "vernacular_name",
                "rank",
                "valid",
            ],
            "rows": offline_taxa(),
        },
        "datasets": [
            [str(uuid), title]
            for uuid, title in Dataset.objects.writable_by(user)
            .order_by("title")
            .values_list("uuid", "title")
        ],
        "sites": list(
            Site.objects.visible_to(user).order_by("name").values_list("pk", "name")
        ),
        "pop_aires": list(
            aires_visible_to(user)
            .order_by("number")
            .values_list("pk", "number", "name")
        ),
        "pop_ponds": ponds,
        "fences": fences,
        "records": _records(user),
        "pages": pages,
    }
    response = JsonResponse(data, json_dumps_params={"ensure_ascii": False})
    response["Cache-Control"] = "private, no-store"
    return response
