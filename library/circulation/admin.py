from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from .models import (
    ClassSetIssue,
    ClosedPeriod,
    Compensation,
    Hold,
    Loan,
    LoanPolicy,
    SchoolCalendar,
    Stocktake,
)
from .models.policies import WEIGHT_CATEGORY, WEIGHT_GRADE, WEIGHT_ITEM_TYPE

PRECEDENCE_HELP = _(
    "Thứ tự ưu tiên (cụ thể nhất trước): đối tượng + khối + loại tài liệu (%(a)s) > "
    "đối tượng + loại tài liệu (%(b)s) > chỉ loại tài liệu (%(c)s) > đối tượng + khối (%(d)s) > "
    "chỉ đối tượng (%(e)s) > mặc định (0). Quy định phù hợp có điểm cao nhất được áp dụng."
) % {
    "a": WEIGHT_CATEGORY + WEIGHT_GRADE + WEIGHT_ITEM_TYPE,
    "b": WEIGHT_CATEGORY + WEIGHT_ITEM_TYPE,
    "c": WEIGHT_ITEM_TYPE,
    "d": WEIGHT_CATEGORY + WEIGHT_GRADE,
    "e": WEIGHT_CATEGORY,
}


@admin.register(LoanPolicy)
class LoanPolicyAdmin(admin.ModelAdmin):
    list_display = (
        "name",
        "precedence",
        "patron_category",
        "grade",
        "item_type",
        "loan_days",
        "max_items",
        "max_renewals",
        "holds_allowed",
    )
    list_filter = ("patron_category", "item_type")
    readonly_fields = ("precedence",)
    fieldsets = (
        (None, {"fields": ("name", "precedence"), "description": PRECEDENCE_HELP}),
        (_("Áp dụng cho"), {"fields": ("patron_category", "grade", "item_type")}),
        (
            _("Quy định"),
            {
                "fields": (
                    "loan_days",
                    "max_items",
                    "max_renewals",
                    "holds_allowed",
                    "hold_shelf_days",
                )
            },
        ),
        (
            _("Bồi thường"),
            {
                "fields": (
                    "lost_multiplier",
                    "damage_percent",
                    "processing_fee",
                    "minimum_compensation",
                )
            },
        ),
    )

    @admin.display(description=_("độ ưu tiên"))
    def precedence(self, obj):
        return obj.specificity if obj and obj.pk else "—"

    def changelist_view(self, request, extra_context=None):
        extra_context = {**(extra_context or {}), "subtitle": PRECEDENCE_HELP}
        return super().changelist_view(request, extra_context)

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("item_type")


class ClosedPeriodInline(admin.TabularInline):
    model = ClosedPeriod
    extra = 1


@admin.register(SchoolCalendar)
class SchoolCalendarAdmin(admin.ModelAdmin):
    list_display = ("name", "closed_weekdays")
    inlines = [ClosedPeriodInline]


@admin.register(Loan)
class LoanAdmin(admin.ModelAdmin):
    list_display = ("item", "patron", "borrowed_at", "due_on", "returned_at", "renewals")
    list_filter = ("patron_category", "returned_at")
    raw_id_fields = ("item", "patron", "class_set")
    search_fields = ("item__barcode", "patron__card_barcode")
    date_hierarchy = "borrowed_at"


@admin.register(Hold)
class HoldAdmin(admin.ModelAdmin):
    list_display = ("record", "patron", "status", "placed_at", "pickup_by")
    list_filter = ("status",)
    raw_id_fields = ("record", "patron", "item")


@admin.register(Compensation)
class CompensationAdmin(admin.ModelAdmin):
    list_display = ("receipt_number", "patron", "kind", "amount", "status", "method", "paid_at")
    list_filter = ("status", "kind", "method")
    raw_id_fields = ("item", "loan", "patron")
    search_fields = ("receipt_number",)


@admin.register(ClassSetIssue)
class ClassSetIssueAdmin(admin.ModelAdmin):
    list_display = ("school_class", "school_year", "due_on", "created_at")
    raw_id_fields = ("records", "to_teacher")


@admin.register(Stocktake)
class StocktakeAdmin(admin.ModelAdmin):
    list_display = ("location", "status", "started_at", "closed_at")
