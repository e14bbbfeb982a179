from django.contrib.auth.signals import user_logged_in
from django.dispatch import receiver

from . import services


@receiver(user_logged_in, dispatch_uid="govbuy_audit_login")
def audit_login(sender, request, user, **kwargs):
    services.record_login(user=user, ip=request.META.get("REMOTE_ADDR") if request else None)
