from django.conf import settings
from django.db import models
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from .formats import ValueType as ParameterValueType


class HolidayCalendar(models.Model):
    """A year's official holiday arrangement (国务院办公厅 节假日安排通知).

    When a year has a row here it is authoritative for that year; otherwise the
    chinese-calendar package is used; with neither, working-day arithmetic
    refuses instead of treating holidays as working days.
    """

    year = models.PositiveSmallIntegerField(_("year"), unique=True)
    basis = models.CharField(_("basis"), max_length=200, help_text=_("e.g. 国办发明电〔2026〕X号"))
    published_on = models.DateField(_("published on"), null=True, blank=True)
    note = models.TextField(_("note"), blank=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        verbose_name = _("节假日安排 holiday calendar")
        verbose_name_plural = _("节假日安排 holiday calendars")
        ordering = ["-year"]

    def __str__(self):
        return f"{self.year} ({self.basis})"


class HolidayCalendarDay(models.Model):
    class Kind(models.TextChoices):
        HOLIDAY = "holiday", _("Public holiday (放假)")
        WORKDAY = "workday", _("Make-up working day (调休上班)")

    calendar = models.ForeignKey(HolidayCalendar, on_delete=models.CASCADE, related_name="days")
    date = models.DateField(_("date"), unique=True)
    kind = models.CharField(_("kind"), max_length=10, choices=Kind.choices)
    name = models.CharField(_("name"), max_length=50, blank=True)

    class Meta:
        verbose_name = _("节假日 holiday calendar day")
        verbose_name_plural = _("节假日 holiday calendar days")
        ordering = ["date"]

    def __str__(self):
        return f"{self.date} {self.get_kind_display()} {self.name}"


class ParameterDefinition(models.Model):
    """What a policy parameter means; its values live in PolicyParameter."""

    ValueType = ParameterValueType  # defined in core.formats, which parses and shows values

    key = models.CharField(_("key"), max_length=80, primary_key=True)
    name = models.CharField(_("name"), max_length=200)
    name_en = models.CharField(_("English name"), max_length=200)
    value_type = models.CharField(_("value type"), max_length=12, choices=ValueType.choices)
    unit = models.CharField(_("unit"), max_length=30, blank=True)
    description = models.TextField(_("description"), blank=True)

    class Meta:
        verbose_name = _("政策参数定义 parameter definition")
        verbose_name_plural = _("政策参数定义 parameter definitions")
        ordering = ["key"]

    def __str__(self):
        return self.key


class PolicyParameter(models.Model):
    """One value of a policy parameter for a region (NULL = national default),
    in force from `effective_from` until a later value of the same key and
    region takes over."""

    definition = models.ForeignKey(
        ParameterDefinition, on_delete=models.PROTECT, related_name="values", db_column="key"
    )
    region = models.ForeignKey(
        "orgs.Region",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("region"),
        help_text=_("Empty means the national default."),
    )
    level = models.CharField(
        _("applies to level"),
        max_length=10,
        blank=True,
        help_text=_(
            "Limits a regional value to units at this level inside the region "
            "(e.g. all counties of a province). Empty: the region itself and everything below it."
        ),
    )
    value = models.CharField(_("value"), max_length=200)
    effective_from = models.DateField(_("effective from"))
    basis = models.CharField(_("basis"), max_length=300)
    note = models.TextField(_("note"), blank=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )

    class Meta:
        verbose_name = _("政策参数 policy parameter")
        verbose_name_plural = _("政策参数 policy parameters")
        ordering = ["definition_id", "region_id", "-effective_from"]
        constraints = [
            models.UniqueConstraint(
                fields=["definition", "region", "level", "effective_from"],
                name="policy_parameter_unique_per_day",
            ),
            models.UniqueConstraint(
                fields=["definition", "level", "effective_from"],
                condition=models.Q(region__isnull=True),
                name="policy_parameter_unique_national_per_day",
            ),
        ]
        indexes = [models.Index(fields=["definition", "effective_from"])]

    def __str__(self):
        return f"{self.definition_id}@{self.region_id or 'CN'} from {self.effective_from}: {self.value}"

    @property
    def key(self) -> str:
        return self.definition_id


class AuditEvent(models.Model):
    """One link of the audit chain. `hash` covers every field below and the
    previous event's hash, so a changed, deleted or reordered event breaks the
    chain at that point (see core.audit.verify_chain)."""

    seq = models.PositiveBigIntegerField(_("sequence"), unique=True)
    prev_hash = models.CharField(_("previous hash"), max_length=64, unique=True)
    hash = models.CharField(_("hash"), max_length=64, unique=True)
    created_at = models.DateTimeField(_("time"))
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        db_constraint=False,
        verbose_name=_("actor"),
    )
    actor_repr = models.CharField(_("actor name"), max_length=200, blank=True)
    organization = models.ForeignKey(
        "orgs.Organization",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        db_constraint=False,
        verbose_name=_("organization"),
    )
    action = models.CharField(_("action"), max_length=80, db_index=True)
    object_type = models.CharField(_("object type"), max_length=80, blank=True)
    object_id = models.CharField(_("object id"), max_length=64, blank=True)
    object_repr = models.CharField(_("object"), max_length=300, blank=True)
    data = models.JSONField(_("data"), default=dict, blank=True)

    class Meta:
        verbose_name = _("审计日志 audit event")
        verbose_name_plural = _("审计日志 audit events")
        ordering = ["seq"]
        indexes = [
            models.Index(fields=["object_type", "object_id"]),
            models.Index(fields=["organization", "seq"]),
        ]

    def __str__(self):
        return f"#{self.seq} {self.action} {self.object_type}:{self.object_id}"


class AuditChainHead(models.Model):
    """A single row holding the chain's last seq and hash. Writers lock it
    (SELECT … FOR UPDATE) so that concurrent transactions append one after
    another and never fork the chain."""

    id = models.PositiveSmallIntegerField(primary_key=True, default=1)
    seq = models.PositiveBigIntegerField(default=0)
    hash = models.CharField(max_length=64)

    class Meta:
        verbose_name = _("audit chain head")
        constraints = [
            models.CheckConstraint(condition=models.Q(id=1), name="audit_head_singleton")
        ]

    def __str__(self):
        return f"audit head #{self.seq}"


class IdempotencyKey(models.Model):
    """The answer to a money-moving API call sent with an ``Idempotency-Key``.

    The row is inserted in the same transaction as the call's own writes and
    committed with them, so a concurrent duplicate waits on the unique
    (user, key) index and then replays this answer; a call that fails with a
    server error rolls back its row too, and a retry runs again."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+", verbose_name=_("user")
    )
    key = models.CharField(_("key"), max_length=255)
    fingerprint = models.CharField(
        _("request fingerprint"),
        max_length=64,
        help_text=_("SHA-256 of the method, path, body and user of the first request"),
    )
    method = models.CharField(_("method"), max_length=10)
    path = models.CharField(_("path"), max_length=2000)
    status = models.PositiveSmallIntegerField(_("response status"))
    content_type = models.CharField(_("response content type"), max_length=200)
    body = models.BinaryField(_("response body"))
    created_at = models.DateTimeField(_("created at"))
    expires_at = models.DateTimeField(_("expires at"), db_index=True)

    class Meta:
        verbose_name = _("idempotency key")
        verbose_name_plural = _("idempotency keys")
        constraints = [
            models.UniqueConstraint(fields=["user", "key"], name="idempotency_key_unique_per_user"),
            models.CheckConstraint(
                condition=models.Q(status__gte=200, status__lt=500),
                name="idempotency_key_stores_no_server_error",
            ),
        ]

    def __str__(self):
        return f"{self.method} {self.path} [{self.key}] → {self.status}"


class AuditCheckpoint(models.Model):
    """The last verification of the audit chain (a single row), written by
    `verify_audit` and `tick`, never by a page: up to which event the chain was
    found intact (`verified_seq`, `verified_hash`), and what the last run found.
    The next run starts after `verified_seq`, so it reads only the new events."""

    id = models.PositiveSmallIntegerField(primary_key=True, default=1)
    verified_seq = models.PositiveBigIntegerField(_("verified up to event"), default=0)
    verified_hash = models.CharField(max_length=64, default="0" * 64)
    checked_at = models.DateTimeField(_("last verified at"), null=True, blank=True)
    # None: never verified.
    ok = models.BooleanField(_("intact"), null=True, blank=True)
    # Events read by the last run, and the chain's length (head) it verified against.
    checked = models.PositiveBigIntegerField(default=0)
    head_seq = models.PositiveBigIntegerField(default=0)
    broken_seq = models.PositiveBigIntegerField(null=True, blank=True)
    broken_event_id = models.BigIntegerField(null=True, blank=True)
    reason = models.TextField(blank=True)
    # (English template, values) of `reason`, so the page shows it translated.
    reason_i18n = models.JSONField(default=list, blank=True)

    class Meta:
        verbose_name = _("audit chain checkpoint")
        constraints = [
            models.CheckConstraint(condition=models.Q(id=1), name="audit_checkpoint_singleton")
        ]

    def __str__(self):
        return f"audit checkpoint #{self.verified_seq}"

    @property
    def reason_text(self) -> str:
        """Why the chain is broken, in the reader's language."""
        if self.reason_i18n:
            template, values = self.reason_i18n
            return gettext(template) % values
        return self.reason

    @property
    def unverified(self) -> int:
        """Events that were already written at the last run but not read yet (a limited run)."""
        return max(self.head_seq - self.verified_seq, 0)
