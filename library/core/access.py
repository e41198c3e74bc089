"""The one access policy: who may see an object of a given access level.

Every surface (pages, REST, OAI-PMH, SRU, OPDS, search) asks `can_view` or filters with
`visible_levels`; nothing else decides. Levels, from open to closed:
`public` (anyone), `school` (signed-in members), `partners` (members and partner nodes),
`staff` (librarians).
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum
from typing import Any

from django.db import models
from django.utils.translation import gettext_lazy as _


class AccessLevel(models.TextChoices):
    PUBLIC = "public", _("Công khai")
    SCHOOL = "school", _("Trong trường")
    PARTNERS = "partners", _("Trường đối tác")
    STAFF = "staff", _("Chỉ thủ thư")


class ViewerKind(StrEnum):
    ANONYMOUS = "anonymous"
    MEMBER = "member"
    PARTNER = "partner"
    LIBRARIAN = "librarian"


_VISIBLE: dict[ViewerKind, tuple[str, ...]] = {
    ViewerKind.ANONYMOUS: (AccessLevel.PUBLIC,),
    ViewerKind.PARTNER: (AccessLevel.PUBLIC, AccessLevel.PARTNERS),
    ViewerKind.MEMBER: (AccessLevel.PUBLIC, AccessLevel.SCHOOL, AccessLevel.PARTNERS),
    ViewerKind.LIBRARIAN: (
        AccessLevel.PUBLIC,
        AccessLevel.SCHOOL,
        AccessLevel.PARTNERS,
        AccessLevel.STAFF,
    ),
}


@dataclass(frozen=True)
class Viewer:
    """Who is asking, reduced to what the policy needs."""

    kind: ViewerKind
    user_id: int | None = None
    partner_code: str | None = None

    @property
    def is_staff(self) -> bool:
        return self.kind == ViewerKind.LIBRARIAN


ANONYMOUS = Viewer(ViewerKind.ANONYMOUS)


def viewer_for(who: Any) -> Viewer:
    """Turn a user, a partner node (anything with `is_partner_node`), a Viewer or None into a Viewer."""
    if isinstance(who, Viewer):
        return who
    if who is None:
        return ANONYMOUS
    if getattr(who, "is_partner_node", False):
        if not getattr(who, "is_active", True):
            return ANONYMOUS
        return Viewer(ViewerKind.PARTNER, partner_code=getattr(who, "code", None))
    if not getattr(who, "is_authenticated", False) or not getattr(who, "is_active", False):
        return ANONYMOUS
    if getattr(who, "is_librarian", False):
        return Viewer(ViewerKind.LIBRARIAN, user_id=who.pk)
    return Viewer(ViewerKind.MEMBER, user_id=who.pk)


def visible_levels(who: Any) -> tuple[str, ...]:
    """The access levels `who` may see, for filtering querysets and search queries."""
    return tuple(str(level) for level in _VISIBLE[viewer_for(who).kind])


def can_view(who: Any, level: str) -> bool:
    """Whether `who` may see an object of access level `level` (unknown levels: staff only)."""
    if level not in AccessLevel.values:
        return viewer_for(who).is_staff
    return level in visible_levels(who)
