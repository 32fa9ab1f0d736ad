"""Administration of the wetlands tables (the referential side: profiles, aires, sites,
fences; entries go through the pages and the API, which publish occurrences)."""

from django import forms
from django.contrib.gis import admin
from django.core.exceptions import ValidationError

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
from zones_humides.services import photo_check


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
class WetlandProfileAdmin(admin.ModelAdmin):
    list_display = ["site", "wetland_type", "surface_m2", "status"]
    list_filter = ["wetland_type", "status"]
    search_fields = ["site__name"]
    autocomplete_fields = ["site", "owner"]


class OperationPhotoInline(admin.TabularInline):
    model = OperationPhoto
    form = PhotoForm
    extra = 0


@admin.register(ManagementOperation)
class ManagementOperationAdmin(admin.GISModelAdmin):
    list_display = ["site", "kind", "date_start", "performed_by", "cost_eur"]
    list_filter = ["kind", "performed_by"]
    search_fields = ["site__name", "description"]
    autocomplete_fields = ["site", "beneficiary"]
    inlines = [OperationPhotoInline]
    exclude = ["created_by", "updated_by"]


@admin.register(WaterLevelReading)
class WaterLevelReadingAdmin(admin.ModelAdmin):
    list_display = ["site", "date", "level_cm", "gauge"]
    list_filter = ["site"]
    date_hierarchy = "date"


@admin.register(SitePhoto)
class SitePhotoAdmin(admin.ModelAdmin):
    form = PhotoForm
    list_display = ["site", "caption", "taken_on"]
    autocomplete_fields = ["site"]


class PopSiteInline(admin.TabularInline):
    model = PopSite
    extra = 0
    fields = ["code", "name", "habitat", "site"]
    autocomplete_fields = ["site"]


@admin.register(PopAire)
class PopAireAdmin(admin.GISModelAdmin):
    list_display = ["number", "name", "landscape_category", "first_year"]
    search_fields = ["name"]
    inlines = [PopSiteInline]
    exclude = ["created_by", "updated_by"]


class BucketInline(admin.TabularInline):
    model = Bucket
    extra = 0


@admin.register(DriftFence)
class DriftFenceAdmin(admin.ModelAdmin):
    list_display = ["name", "site", "first_year"]
    inlines = [BucketInline]
    autocomplete_fields = ["site"]


@admin.register(NewtIndividual)
class NewtIndividualAdmin(admin.ModelAdmin):
    list_display = ["code", "sex", "first_seen", "first_site"]
    search_fields = ["code"]
    list_select_related = ["first_site"]
    exclude = ["created_by", "updated_by"]
    autocomplete_fields = ["first_site"]


@admin.register(NewtCapture)
class NewtCaptureAdmin(admin.ModelAdmin):
    """Photos are uploaded through the capture page (checks and thumbnail)."""

    list_display = ["date", "site", "individual", "sex"]
    list_filter = ["sex"]
    list_select_related = ["site", "individual"]
    readonly_fields = ["photo", "thumbnail", "fence_check", "passage"]
    exclude = ["created_by", "updated_by"]
    autocomplete_fields = ["individual", "site"]

    def has_add_permission(self, request):
        return False
