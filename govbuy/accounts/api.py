from ninja import Router, Schema

from govbuy.core.api_auth import AUTH

router = Router(tags=["accounts"], auth=AUTH)


class MembershipOut(Schema):
    id: int
    organization_id: int
    organization_name: str
    region_code: str
    role: str

    @staticmethod
    def resolve_organization_name(obj):
        return obj.organization.name

    @staticmethod
    def resolve_region_code(obj):
        return obj.organization.region.code


class MeOut(Schema):
    id: int
    username: str
    display_name: str
    is_recipient: bool
    memberships: list[MembershipOut]


@router.get("/me", response=MeOut, summary="Who you are and your roles")
def me(request):
    user = request.auth
    return {
        "id": user.pk,
        "username": user.username,
        "display_name": user.display_name,
        "is_recipient": user.is_recipient,
        "memberships": user.active_memberships,
    }
