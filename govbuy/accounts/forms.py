from django import forms
from django.contrib.auth.forms import AuthenticationForm
from django.utils.translation import gettext_lazy as _

from govbuy.core.forms import RefusalMixin


class LoginForm(AuthenticationForm):
    username = forms.CharField(
        label=_("Username"),
        widget=forms.TextInput(
            attrs={"autofocus": True, "autocomplete": "username", "class": "form-control"}
        ),
    )
    password = forms.CharField(
        label=_("Password"),
        strip=False,
        widget=forms.PasswordInput(
            attrs={"autocomplete": "current-password", "class": "form-control"}
        ),
    )


class TokenForm(forms.Form):
    token = forms.CharField(
        label=_("6-digit code from your authenticator app"),
        min_length=6,
        max_length=8,
        widget=forms.TextInput(
            attrs={
                "autocomplete": "one-time-code",
                "inputmode": "numeric",
                "class": "form-control",
                "autofocus": True,
            }
        ),
    )


class ApiTokenForm(forms.Form):
    name = forms.CharField(
        label=_("Token name"),
        max_length=100,
        widget=forms.TextInput(attrs={"class": "form-control"}),
    )
    days = forms.IntegerField(
        label=_("Valid for (days)"),
        min_value=1,
        widget=forms.NumberInput(attrs={"class": "form-control"}),
    )

    def __init__(self, *args, **kwargs):
        from django.conf import settings
        from django.core.validators import MaxValueValidator

        super().__init__(*args, **kwargs)
        days = self.fields["days"]
        days.initial = settings.GOVBUY_API_TOKEN_DAYS
        days.max_value = settings.GOVBUY_API_TOKEN_MAX_DAYS
        days.validators.append(MaxValueValidator(days.max_value))
        days.widget.attrs["max"] = days.max_value
        days.help_text = _("At most %(max)s days; every token expires.") % {"max": days.max_value}


# --- the platform administrator's pages ----------------------------------------------------

TEXT = {"class": "form-control"}
SELECT = {"class": "form-select"}
CHECK = {"class": "form-check-input"}


class UserCreateForm(forms.Form):
    username = forms.CharField(
        label=_("Username"),
        max_length=150,
        help_text=_("For logging in: letters, digits and @ . + - _, no spaces."),
        widget=forms.TextInput(attrs={**TEXT, "autocomplete": "off"}),
    )
    display_name = forms.CharField(
        label=_("Name"),
        max_length=100,
        required=False,
        help_text=_("As shown on pages, e.g. 王小明 or Wang Xiaoming."),
        widget=forms.TextInput(attrs=TEXT),
    )
    email = forms.EmailField(label=_("E-mail"), required=False, widget=forms.EmailInput(attrs=TEXT))
    phone = forms.CharField(
        label=_("Mobile phone"), max_length=20, required=False, widget=forms.TextInput(attrs=TEXT)
    )


class MembershipForm(forms.Form):
    organization = forms.ModelChoiceField(
        label=_("Organization"), queryset=None, widget=forms.Select(attrs=SELECT)
    )
    role = forms.ChoiceField(label=_("Role"), widget=forms.Select(attrs=SELECT))
    title = forms.CharField(
        label=_("Position"), max_length=100, required=False, widget=forms.TextInput(attrs=TEXT)
    )
    is_manager = forms.BooleanField(
        label=_("Manager (负责人): may sign off internal reviews"),
        required=False,
        widget=forms.CheckboxInput(attrs=CHECK),
    )

    def __init__(self, *args, **kwargs):
        from govbuy.orgs.models import Organization

        from .models import Role

        super().__init__(*args, **kwargs)
        self.fields["organization"].queryset = Organization.objects.filter(
            is_active=True
        ).select_related("region")
        self.fields["role"].choices = Role.choices


class OrganizationCreateForm(RefusalMixin, forms.Form):
    """The fields of orgs.services.create_organization; the service checks them
    (统一社会信用代码, the category's details) and S1–S5 for the roles."""

    name = forms.CharField(label=_("Name"), max_length=200, widget=forms.TextInput(attrs=TEXT))
    region = forms.CharField(
        label=_("Region code"),
        max_length=12,
        help_text=_("The 6-digit administrative division code, e.g. 410100 for 郑州市."),
        widget=forms.TextInput(attrs={**TEXT, "inputmode": "numeric"}),
    )
    uscc = forms.CharField(
        label=_("Unified social credit code"),
        max_length=18,
        required=False,
        help_text=_("18 characters (GB 32100-2015). Natural persons have none."),
        widget=forms.TextInput(attrs=TEXT),
    )
    org_type = forms.ChoiceField(label=_("Category"), widget=forms.Select(attrs=SELECT))
    institution_class = forms.ChoiceField(
        label=_("Public institution class"), required=False, widget=forms.Select(attrs=SELECT)
    )
    staffing = forms.ChoiceField(
        label=_("Staffing"), required=False, widget=forms.Select(attrs=SELECT)
    )
    fiscal_funded = forms.NullBooleanField(
        label=_("Funded by fiscal appropriation"),
        required=False,
        widget=forms.NullBooleanSelect(attrs=SELECT),
    )
    social_org_form = forms.ChoiceField(
        label=_("Social organization form"), required=False, widget=forms.Select(attrs=SELECT)
    )
    sme_size = forms.ChoiceField(
        label=_("Enterprise size"), required=False, widget=forms.Select(attrs=SELECT)
    )
    is_finance_bureau = forms.BooleanField(
        label=_("Finance bureau (财政部门)"), required=False, widget=forms.CheckboxInput(CHECK)
    )
    is_purchaser = forms.BooleanField(
        label=_("Purchaser (购买主体)"), required=False, widget=forms.CheckboxInput(CHECK)
    )
    is_provider = forms.BooleanField(
        label=_("Provider (承接主体)"), required=False, widget=forms.CheckboxInput(CHECK)
    )
    is_evaluator = forms.BooleanField(
        label=_("Third-party evaluator (第三方评价)"),
        required=False,
        widget=forms.CheckboxInput(CHECK),
    )
    is_audit_office = forms.BooleanField(
        label=_("Audit office (审计机关)"), required=False, widget=forms.CheckboxInput(CHECK)
    )

    def __init__(self, *args, **kwargs):
        from govbuy.orgs.models import InstitutionClass, OrgType, SmeSize, SocialOrgForm, Staffing

        super().__init__(*args, **kwargs)
        blank = [("", "—")]
        self.fields["org_type"].choices = OrgType.choices
        self.fields["institution_class"].choices = blank + InstitutionClass.choices
        self.fields["staffing"].choices = blank + Staffing.choices
        self.fields["social_org_form"].choices = blank + SocialOrgForm.choices
        self.fields["sme_size"].choices = blank + SmeSize.choices
