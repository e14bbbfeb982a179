from django.conf import settings
from django.core.checks import Error, Tags, register
from django.core.exceptions import ImproperlyConfigured


@register(Tags.security, deploy=True)
def secret_key_set(app_configs, **kwargs):
    try:
        key = settings.SECRET_KEY
    except ImproperlyConfigured:
        key = ""
    if not key or key.startswith("govbuy-insecure"):
        return [
            Error(
                "GOVBUY_SECRET_KEY is not set.",
                hint="Set it to a long random value, e.g. "
                "python -c 'import secrets; print(secrets.token_urlsafe(50))'.",
                id="govbuy.E001",
            )
        ]
    return []
