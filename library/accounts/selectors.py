"""Reads about patrons. Patron data is for librarians only: views check that first."""

from __future__ import annotations

from django.db.models import Q

from .models import Patron


def patron_search(q: str = "", school_class: str = ""):
    qs = Patron.objects.select_related("user").order_by("school_class", "user__full_name")
    q = (q or "").strip()
    if q:
        qs = qs.filter(
            Q(user__full_name__icontains=q)
            | Q(card_barcode__iexact=q)
            | Q(student_identifier__iexact=q)
            | Q(user__username__iexact=q)
        )
    if school_class:
        qs = qs.filter(school_class=school_class)
    return qs


def school_classes() -> list[str]:
    return list(
        Patron.objects.exclude(school_class="")
        .order_by("school_class")
        .values_list("school_class", flat=True)
        .distinct()
    )
