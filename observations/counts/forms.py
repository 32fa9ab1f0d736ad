"""Forms of the count pages: the season grid (one row per site) and the import upload."""

from django import forms
from django.core.exceptions import ValidationError

from observations.models import CountVisit
from referentiel.models import Person

from .selectors import season_table, visits_writable_by
from .services import VisitEntry


class GridForm(forms.Form):
    """Fields per site: ``date_<site>``, ``coverage_<site>``, ``temperature_<site>``,
    ``humidity_<site>`` and ``n_<site>_<cd_nom>`` (empty = not counted, 0 = none).

    The rows of ``locked`` (count-site ids: a visit the user may not change) are shown
    disabled and give no entry: what is posted for them is ignored."""

    observers = forms.ModelMultipleChoiceField(
        label="Observateurs",
        queryset=Person.objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )

    def __init__(self, *args, user, programme, season, taxa, rows, locked=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.programme, self.season, self.taxa, self.rows = (
            programme,
            season,
            taxa,
            rows,
        )
        self.locked = set(locked)
        observers = set()
        for row in rows:
            pk, visit = row.count_site.pk, row.visit
            if visit is not None and pk not in self.locked:
                observers.update(person.pk for person in visit.observers.all())
            self.fields[f"date_{pk}"] = forms.DateField(
                required=False,
                initial=visit.date if visit else None,
                widget=forms.DateInput(
                    attrs={"type": "date", "aria-label": f"{row.count_site} – date"},
                    format="%Y-%m-%d",
                ),
            )
            self.fields[f"coverage_{pk}"] = forms.ChoiceField(
                choices=CountVisit.Coverage.choices,
                initial=visit.coverage if visit else CountVisit.Coverage.COMPLETE,
                widget=forms.Select(
                    attrs={"aria-label": f"{row.count_site} – couverture"}
                ),
            )
            self.fields[f"temperature_{pk}"] = forms.DecimalField(
                required=False,
                max_digits=4,
                decimal_places=1,
                initial=visit.temperature if visit else None,
                widget=forms.NumberInput(
                    attrs={"aria-label": f"{row.count_site} – température (°C)"}
                ),
            )
            self.fields[f"humidity_{pk}"] = forms.IntegerField(
                required=False,
                min_value=0,
                max_value=100,
                initial=visit.humidity if visit else None,
                widget=forms.NumberInput(
                    attrs={"aria-label": f"{row.count_site} – humidité (%)"}
                ),
            )
            for taxon, value in zip(taxa, row.values, strict=True):
                self.fields[f"n_{pk}_{taxon.pk}"] = forms.IntegerField(
                    required=False,
                    min_value=0,
                    initial=value,
                    widget=forms.NumberInput(
                        attrs={"aria-label": f"{row.count_site} – {taxon}"}
                    ),
                )
        self.fields["observers"].initial = sorted(observers)
        # Those the user may name (the search of /api/v1/persons/), and the current ones.
        self.fields["observers"].queryset = Person.objects.selectable_by(
            user, also=observers
        )
        for name, field in self.fields.items():
            if name != "observers" and self._row_of(name) in self.locked:
                field.disabled = True

    @staticmethod
    def _row_of(name: str) -> int | None:
        """The count-site id of a row field (``date_12``, ``n_12_60418``)."""
        parts = name.split("_")
        return int(parts[1]) if len(parts) > 1 and parts[1].isdigit() else None

    def grid(self) -> list[dict]:
        """Bound fields arranged by row, for the template."""
        return [
            {
                "site": row.count_site,
                "locked": row.count_site.pk in self.locked,
                "date": self[f"date_{row.count_site.pk}"],
                "coverage": self[f"coverage_{row.count_site.pk}"],
                "temperature": self[f"temperature_{row.count_site.pk}"],
                "humidity": self[f"humidity_{row.count_site.pk}"],
                "counts": [
                    self[f"n_{row.count_site.pk}_{taxon.pk}"] for taxon in self.taxa
                ],
            }
            for row in self.rows
        ]

    def clean(self):
        data = super().clean()
        for row in self.rows:
            pk = row.count_site.pk
            if pk in self.locked:
                continue
            date = data.get(f"date_{pk}")
            typed = any(
                data.get(f"n_{pk}_{taxon.pk}") is not None for taxon in self.taxa
            )
            if date is None and typed:
                self.add_error(f"date_{pk}", "Date de visite manquante.")
            elif date is not None and self.programme.season_of(date) != self.season:
                self.add_error(
                    f"date_{pk}",
                    f"Cette date n'appartient pas à la saison {self.season}.",
                )
        return data

    def entries(self) -> list[VisitEntry]:
        data, entries = self.cleaned_data, []
        for row in self.rows:
            pk = row.count_site.pk
            if pk in self.locked or data.get(f"date_{pk}") is None:
                continue
            conditions = {
                name: data.get(f"{name}_{pk}") for name in ("temperature", "humidity")
            }
            entries.append(
                VisitEntry(
                    count_site=row.count_site,
                    date=data[f"date_{pk}"],
                    coverage=data[f"coverage_{pk}"],
                    observers=list(data.get("observers") or []),
                    conditions=conditions,
                    counts={
                        taxon.pk: data.get(f"n_{pk}_{taxon.pk}") for taxon in self.taxa
                    },
                )
            )
        return entries

    def labels(self) -> dict:
        """What each field is called on the page (its ``aria-label``), for a refusal."""
        return {
            name: field.widget.attrs["aria-label"]
            for name, field in self.fields.items()
            if "aria-label" in field.widget.attrs
        }


def season_grid_form(data, *, user, programme, season: int) -> GridForm:
    """The grid of a season as its page shows it: one row per site, one column per
    species; a row whose visit the user may not change (a colleague's, for staff) is
    locked."""
    table = season_table(programme=programme, season=season, user=user)
    writable = set(
        visits_writable_by(user, programme)
        .filter(season=season)
        .values_list("count_site_id", flat=True)
    )
    locked = {
        row.count_site.pk
        for row in table.rows
        if row.visit_withheld
        or (row.visit is not None and row.count_site.pk not in writable)
    }
    return GridForm(
        data,
        user=user,
        programme=programme,
        season=season,
        taxa=table.taxa,
        rows=table.rows,
        locked=locked,
    )


class ImportForm(forms.Form):
    file = forms.FileField(label="Fichier CSV ou XLSX")

    def clean_file(self):
        upload = self.cleaned_data["file"]
        if upload.size == 0:
            raise ValidationError("Le fichier est vide.")
        return upload
