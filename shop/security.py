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


def staff_required(*staff_roles: str):
    """Staff only; with `staff_roles`, only those staff roles (superadmin always)."""

    def decorator(view):
        @wraps(view)
        @login_required
        def wrapped(*args, **kwargs):
            if not current_user.is_staff:
                abort(403)
            if staff_roles and current_user.staff_role not in (*staff_roles, "superadmin"):
                abort(403)
            return view(*args, **kwargs)

        return wrapped

    return decorator
