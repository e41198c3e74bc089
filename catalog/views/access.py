"""Who may open the cataloguing pages: librarians only."""

from __future__ import annotations

from functools import wraps

from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied
from django.utils.translation import gettext as _


def librarian_required(view):
    """Anonymous visitors go to the login page; signed-in non-librarians get 403."""

    @wraps(view)
    def wrapped(request, *args, **kwargs):
        user = request.user
        if not user.is_authenticated:
            return redirect_to_login(request.get_full_path())
        if not getattr(user, "is_librarian", False):
            raise PermissionDenied(_("Chỉ thủ thư được dùng trang biên mục."))
        return view(request, *args, **kwargs)

    return wrapped
