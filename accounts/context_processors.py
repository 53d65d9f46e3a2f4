"""What the page header shows of the signed-in user."""

from .models import Role


def user_role(request):
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}
    role = Role.ADMIN if user.is_superuser else user.role
    return {"user_role_label": Role(role).label if role else ""}
