"""Role guards for views. Ownership checks live in the queries themselves
(e.g. `orders.order_of(session, user, number)` only finds the user's own)."""

from __future__ import annotations

from functools import wraps

from flask import abort
from flask_login import current_user, login_required

from shop.extensions import db, login_manager
from shop.models import User


@login_manager.user_loader
def load_user(user_id: str) -> User | None:
    return db.session.get(User, int(user_id)) if user_id.isdigit() else None


def role_required(*roles: str):
    """Logged-in users only (else redirect to login); other roles get 403."""

    def decorator(view):
        @wraps(view)
        @login_required
        def wrapped(*args, **kwargs):
            if current_user.role not in roles:
                abort(403)
            return view(*args, **kwargs)

        return wrapped

    return decorator


ALL_STAFF = ("reviewer", "collections", "risk", "superadmin")


def staff_required(*staff_roles: str):
    """Staff only; with `staff_roles`, only those staff roles (superadmin always).

    The wrapped view carries `staff_roles`, the roles that may use it: pages
    state it, and the permission-matrix test reads it from the url_map."""
    allowed = tuple(dict.fromkeys((*staff_roles, "superadmin"))) if staff_roles else ALL_STAFF

    def decorator(view):
        @wraps(view)
        @login_required
        def wrapped(*args, **kwargs):
            if not current_user.is_staff or current_user.staff_role not in allowed:
                abort(403)
            return view(*args, **kwargs)

        wrapped.staff_roles = allowed  # type: ignore[attr-defined]
        return wrapped

    return decorator
