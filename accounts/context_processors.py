"""What the page header shows of the signed-in user."""

from .models import Role


def user_role(request):
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated or not user.effective_role:
        return {}
    return {"user_role_label": Role(user.effective_role).label}
