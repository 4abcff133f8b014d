from django.db import models

from spinportal.models import AuditRecord


def audit(*, actor, action: str, target: models.Model, **data) -> AuditRecord:
    """Leaves an audit row. Call it inside the service's transaction."""
    return AuditRecord.objects.create(
        actor=actor if actor is not None and actor.is_authenticated else None,
        action=action,
        target_type=target._meta.label_lower,
        target_id=str(target.pk),
        target_label=str(target)[:255],
        data=data,
    )
