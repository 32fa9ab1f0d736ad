"""The canaries' organisation's jobs and files (extract, imports, SINP export, annual report,
find decision) and its personal data (a volunteer), beside the field records planted by
``tests/security/canaries.py``: each file holds the canaries' markers and points, so that a
download by another organisation is seen, and their ids fill the crawler's routes.

A few rows of the organisation that are not confidential (an outreach action, its
document, a management operation on a shared site) are planted without markers: the
crawler needs their ids to send unsafe requests to their routes."""

from __future__ import annotations

import datetime as dt

from django.contrib.gis.geos import MultiPolygon, Polygon
from django.core.files.base import ContentFile
from django.utils import timezone

from baguage.models import RingingImport
from indicateurs.models import AnnualReport, RemarkableFind, ShareLink
from observations.models import Extract, ImportBatch, Occurrence, SinpExport
from referentiel.models import Person
from sensibilisation.models import Action, ActionDocument, Volunteer
from tests.factories.referentiel import SiteFactory
from zones_humides.models import ManagementOperation


def file_text(markers, points) -> bytes:
    lines = [f"{m};{x:.2f};{y:.2f}" for m, (x, y) in zip(markers, points, strict=False)]
    return ("\n".join(lines) + "\n").encode()


def plant_extras(canaries, new_marker) -> dict[type, list]:
    """Rows of the canaries' organisation; ``new_marker()`` gives a fresh marker string."""
    org = canaries.organisation
    coordinator = canaries.coordinator
    dataset = canaries.public_datasets[0]
    body = file_text(canaries.hidden_markers, canaries.points)
    x, y = canaries.points[0]
    area = MultiPolygon(Polygon.from_bbox((x - 50, y - 50, x + 50, y + 50)), srid=2154)
    now = timezone.now()

    extract = Extract.objects.create(
        requested_by=coordinator,
        recipient=org,
        purpose=new_marker(),
        area=area,
        clearance=4,
        status=Extract.Status.DONE,
        rows=1,
        finished_at=now,
        expires_at=now + dt.timedelta(days=30),
    )
    extract.file.save("canari.csv", ContentFile(body))

    batch = ImportBatch.objects.create(
        dataset=dataset,
        filename=f"{new_marker()}.csv",
        file_sha256="0" * 64,
        status=ImportBatch.Status.INVALID,
        errors=[{"line": 2, "column": "commentaire", "message": new_marker()}],
        refused_lines=[2],
        message=new_marker(),
        created_by=coordinator,
    )
    batch.file.save("canari.csv", ContentFile(body))

    ringing = RingingImport(
        dataset=dataset,
        filename=f"{new_marker()}.csv",
        status=RingingImport.Status.INVALID,
        summary=new_marker(),
        errors=[{"line": 2, "column": "MEMO", "message": new_marker()}],
        errors_total=1,
        warnings=[{"line": 3, "column": "LP", "message": new_marker()}],
        created_by=coordinator,
    )
    ringing.file.save("canari.csv", ContentFile(body))

    sinp = SinpExport.objects.create(
        year=canaries.year,
        pole=SinpExport.Pole.FAUNE,
        organisation=org,
        created_by=coordinator,
        status=SinpExport.Status.DONE,
        finished_at=now,
    )
    sinp.file.save("canari.zip", ContentFile(_zip({"occurrences.csv": body})))

    report = AnnualReport.objects.create(
        year=canaries.year,
        requested_by=coordinator,
        status=AnnualReport.Status.DONE,
        step=new_marker(),
        finished_at=now,
    )
    report.file.save("canari.xlsx", ContentFile(_zip({"xl/sharedStrings.xml": body})))

    occurrence = Occurrence.objects.filter(dataset__producer=org).order_by("pk").first()
    find = RemarkableFind.objects.create(
        occurrence=occurrence,
        kind=RemarkableFind.Kind.RARE,
        comment=new_marker(),
        decided_by=coordinator,
    )

    # B's report shared with the Region: opened without an account, it must show
    # figures and retained finds only (the find above is not retained).
    share = ShareLink.objects.create(
        organisation=org,
        year=canaries.year,
        recipient=new_marker(),
        created_by=coordinator,
    )

    person = Person.objects.create(
        first_name=new_marker(),
        last_name=new_marker(),
        organisation=org,
        email=f"{new_marker().lower()}@example.org",
    )
    volunteer = Volunteer.objects.create(
        person=person, organisation=org, phone="0600000000", notes=new_marker()
    )

    action = Action.objects.create(
        organisation=org,
        kind=Action.Kind.OUTING,
        title="Sortie de l'organisme des canaris",
        date_start=dt.date(canaries.year, 6, 1),
        action_line=1,
        created_by=coordinator,
    )
    document = ActionDocument.objects.create(
        action=action, title="Affiche", uploaded_by=coordinator
    )
    document.file.save("affiche.txt", ContentFile(b"affiche"))
    site = SiteFactory(name="Marais partagé", kind="marais", is_public=True)
    operation = ManagementOperation.objects.create(
        site=site,
        kind=ManagementOperation.Kind.FAUCHE,
        date_start=dt.date(canaries.year, 9, 1),
        performed_by=ManagementOperation.PerformedBy.SALARIES,
        created_by=coordinator,
    )
    # The terril campaign's score, with the canary species in the method's lists: its
    # breakdown is where a hidden species once kept its line.
    from terrils.models import CampaignRecord, GroupCode, Score
    from terrils.services.scoring import score_save
    from tests.factories.terrils import (
        MethodGroupFactory,
        MethodVersionFactory,
        PatrimonialSpeciesFactory,
    )

    scores = []
    version = MethodVersionFactory(code="canari")
    group = MethodGroupFactory(version=version, code=GroupCode.AMPHIBIANS)
    for record in canaries.objects.get(CampaignRecord, []):
        PatrimonialSpeciesFactory(
            group=group, taxon=record.occurrence.taxon, rarity="R"
        )
    for campaign in {r.campaign for r in canaries.objects.get(CampaignRecord, [])}:
        scores.append(score_save(campaign=campaign, version=version))

    # A wetland profile on the canaries' (non-public) pond site.
    from zones_humides.models import PopSite, WetlandProfile

    pond = canaries.objects[PopSite][0]
    profiles = []
    if pond.site_id is not None:
        profiles.append(
            WetlandProfile.objects.create(
                site=pond.site,
                wetland_type=WetlandProfile.WetlandType.MARE,
                surface_m2=300,
            )
        )
    return {
        Score: scores,
        WetlandProfile: profiles,
        Extract: [extract],
        ImportBatch: [batch],
        RingingImport: [ringing],
        SinpExport: [sinp],
        AnnualReport: [report],
        RemarkableFind: [find],
        ShareLink: [share],
        Person: [person],
        Volunteer: [volunteer],
        Action: [action],
        ActionDocument: [document],
        ManagementOperation: [operation],
    }


def _zip(members: dict[str, bytes]) -> bytes:
    import io
    import zipfile

    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for name, content in members.items():
            archive.writestr(name, content)
    return buffer.getvalue()
