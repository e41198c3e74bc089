from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin
from django.utils.translation import gettext_lazy as _

from .models import Patron, User


@admin.register(User)
class UserAdmin(BaseUserAdmin):
    list_display = ("username", "full_name", "role", "is_active", "is_staff")
    list_filter = ("role", "is_active", "is_staff")
    search_fields = ("username", "full_name", "email")
    fieldsets = (*BaseUserAdmin.fieldsets, (_("Thư viện"), {"fields": ("role", "full_name")}))


@admin.register(Patron)
class PatronAdmin(admin.ModelAdmin):
    list_display = (
        "user",
        "category",
        "school_class",
        "grade",
        "homeroom_class",
        "card_barcode",
        "expires_on",
    )
    list_filter = ("category", "grade")
    search_fields = ("user__full_name", "user__username", "card_barcode", "student_identifier")
    raw_id_fields = ("user",)
