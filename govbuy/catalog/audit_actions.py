"""The audit actions of catalog (see govbuy.core.audit_actions)."""

from govbuy.core.audit_actions import AuditAction


class CatalogAction(AuditAction):
    ADJUSTMENT_APPROVE = "catalog.adjustment.approve"
    ADJUSTMENT_PROPOSE = "catalog.adjustment.propose"
    ADJUSTMENT_RETURN = "catalog.adjustment.return"
    ADJUSTMENT_WITHDRAW = "catalog.adjustment.withdraw"
    CATALOG_COPY = "catalog.catalog.copy"
    CATALOG_CREATE = "catalog.catalog.create"
    CATALOG_IMPORT = "catalog.catalog.import"
    CATALOG_PUBLISH = "catalog.catalog.publish"
    CATALOG_SEED = "catalog.catalog.seed"
    CONSENT_GRANT = "catalog.consent.grant"
    DEPARTMENT_CATALOG_APPROVE = "catalog.department_catalog.approve"
    DEPARTMENT_CATALOG_CREATE = "catalog.department_catalog.create"
    DEPARTMENT_CATALOG_IMPORT = "catalog.department_catalog.import"
    DEPARTMENT_CATALOG_RETURN = "catalog.department_catalog.return"
    DEPARTMENT_CATALOG_SUBMIT = "catalog.department_catalog.submit"
    DEPARTMENT_ITEM_ADD = "catalog.department_item.add"
    DEPARTMENT_ITEM_REMOVE = "catalog.department_item.remove"
    ITEM_ADD = "catalog.item.add"
    ITEM_CHANGE = "catalog.item.change"
    ITEM_REMOVE = "catalog.item.remove"
    NEGATIVE_LIST_ADD = "catalog.negative_list.add"
    NEGATIVE_LIST_CHANGE = "catalog.negative_list.change"
