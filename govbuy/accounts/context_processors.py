from .selectors import active_membership


def roles(request):
    if not hasattr(request, "user") or not request.user.is_authenticated:
        return {"active_membership": None, "active_role": None}
    m = active_membership(request)
    return {"active_membership": m, "active_role": m.role if m else "recipient"}
