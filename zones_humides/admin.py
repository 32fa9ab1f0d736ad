"""Administration of the wetlands tables (the referential side: profiles, aires, sites,
fences; entries go through the pages and the API, which publish occurrences).

A staff member reads in the admin what the app's pages show them (``zones_humides.
selectors``: no pond, fence, site or newt holding a record they may not place) and changes
or deletes only the rows they may write (``zones_humides.permissions``); superusers, who
place every record, see and change everything."""

from django import forms
from django.contrib.admin import RelatedOnlyFieldListFilter
from django.contrib.gis import admin
from django.core.exceptions import ValidationError

from cpie_naturaliste.core.admin import ReaderScoped
from referentiel.permissions import may_write
from zones_humides.models import (
    Bucket,
    DriftFence,
    ManagementOperation,
    NewtCapture,
    NewtIndividual,
    OperationPhoto,
    PopAire,
    PopSite,
    SitePhoto,
    WaterLevelReading,
    WetlandProfile,
)
from zones_humides.permissions import AIRE, FENCE, NEWT, may_write_authored
from zones_humides.selectors.fences import fences_visible_to
from zones_humides.selectors.newts import captures_visible_to, individuals_visible_to
from zones_humides.selectors.pop import aires_visible_to, ponds_visible_to
from zones_humides.selectors.reading import sites_visible_to
from zones_humides.services import photo_check


class OnVisibleSite(ReaderScoped):
    """Rows of a site (profiles, works, levels, photos): those of the sites the staff
    member sees."""

    def visible(self, user):
        return self.model.objects.filter(site__in=sites_visible_to(user))


class PhotoForm(forms.ModelForm):
    """Photos are checked by their content (JPEG, PNG or WebP, 8 MB at most)."""

    def clean_image(self):
        image = self.cleaned_data["image"]
        if image and hasattr(image, "size") and not getattr(image, "_committed", False):
            try:
                photo_check(image)
            except ValidationError as error:
                raise forms.ValidationError(error.messages) from error
        return image


@admin.register(WetlandProfile)
class WetlandProfileAdmin(OnVisibleSite, admin.ModelAdmin):
    list_display = ["site", "wetland_type", "surface_m2", "status"]
    list_filter = ["wetland_type", "status"]
    search_fields = ["site__name"]
    autocomplete_fields = ["site", "owner"]


class OperationPhotoInline(ReaderScoped, admin.TabularInline):
    model = OperationPhoto
    form = PhotoForm
    extra = 0

    def visible(self, user):
        return OperationPhoto.objects.filter(operation__site__in=sites_visible_to(user))


@admin.register(ManagementOperation)
class ManagementOperationAdmin(OnVisibleSite, admin.GISModelAdmin):
    list_display = ["site", "kind", "date_start", "performed_by", "cost_eur"]
    list_filter = ["kind", "performed_by"]
    search_fields = ["site__name", "description"]
    autocomplete_fields = ["site", "beneficiary"]
    inlines = [OperationPhotoInline]
    exclude = ["created_by", "updated_by"]

    def may_change(self, user, obj):
        return may_write_authored(user, obj)


@admin.register(WaterLevelReading)
class WaterLevelReadingAdmin(OnVisibleSite, admin.ModelAdmin):
    list_display = ["site", "date", "level_cm", "gauge"]
    # Only the sites of the rows shown: a plain filter would list every site's name.
    list_filter = [("site", RelatedOnlyFieldListFilter)]
    date_hierarchy = "date"
    exclude = ["created_by", "updated_by"]

    def may_change(self, user, obj):
        return may_write_authored(user, obj)


@admin.register(SitePhoto)
class SitePhotoAdmin(OnVisibleSite, admin.ModelAdmin):
    form = PhotoForm
    list_display = ["site", "caption", "taken_on"]
    autocomplete_fields = ["site"]


class PopSiteInline(ReaderScoped, admin.TabularInline):
    model = PopSite
    extra = 0
    fields = ["code", "name", "habitat", "site"]
    autocomplete_fields = ["site"]

    def visible(self, user):
        return ponds_visible_to(user)


@admin.register(PopAire)
class PopAireAdmin(ReaderScoped, admin.GISModelAdmin):
    list_display = ["number", "name", "landscape_category", "first_year"]
    search_fields = ["name"]
    inlines = [PopSiteInline]
    exclude = ["created_by", "updated_by"]

    def visible(self, user):
        return aires_visible_to(user)

    def may_change(self, user, obj):
        return may_write(user, obj, **AIRE)


class BucketInline(ReaderScoped, admin.TabularInline):
    model = Bucket
    extra = 0

    def visible(self, user):
        return Bucket.objects.filter(fence__in=fences_visible_to(user))


@admin.register(DriftFence)
class DriftFenceAdmin(ReaderScoped, admin.ModelAdmin):
    list_display = ["name", "site", "first_year"]
    inlines = [BucketInline]
    autocomplete_fields = ["site"]

    def visible(self, user):
        return fences_visible_to(user)

    def may_change(self, user, obj):
        return may_write(user, obj, **FENCE)


@admin.register(NewtIndividual)
class NewtIndividualAdmin(ReaderScoped, admin.ModelAdmin):
    list_display = ["code", "sex", "first_seen", "first_site"]
    search_fields = ["code"]
    list_select_related = ["first_site"]
    exclude = ["created_by", "updated_by"]
    autocomplete_fields = ["first_site"]

    def visible(self, user):
        return individuals_visible_to(user)

    def may_change(self, user, obj):
        return may_write(user, obj, **NEWT)


@admin.register(NewtCapture)
class NewtCaptureAdmin(ReaderScoped, admin.ModelAdmin):
    """Photos are uploaded through the capture page (checks and thumbnail)."""

    def visible(self, user):
        return captures_visible_to(user)

    def may_change(self, user, obj):
        return may_write(user, obj, **NEWT)

    list_display = ["date", "site", "individual", "sex"]
    list_filter = ["sex"]
    list_select_related = ["site", "individual"]
    readonly_fields = ["photo", "thumbnail", "fence_check", "passage"]
    exclude = ["created_by", "updated_by"]
    autocomplete_fields = ["individual", "site"]

    def has_add_permission(self, request):
        return False
