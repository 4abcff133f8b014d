"""Writes on organisations: registration, profile changes, moderation. Each leaves an audit row."""

import re
from collections.abc import Iterable

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.urls import reverse
from django.utils.text import slugify
from django.utils.translation import gettext as _

from accounts.models import User
from partners import hooks
from partners.images import ProcessedLogo
from partners.models import Competence, Membership, Organisation, Sector
from partners.permissions import (
    can_edit_organisation,
    can_moderate_organisations,
    forget_memberships,
    is_partner,
)
from partners.selectors.organisations import organisation_similar_list
from partners.selectors.people import organisation_admin_users
from spinportal.audit import audit
from spinportal.hooks import notify
from spinportal.updates import assign


def _notify_admins(event_type: str, organisation: Organisation, actor, **context) -> None:
    notify(
        event_type=event_type,
        recipients=organisation_admin_users(organisation_id=organisation.pk),
        event_key=f"{organisation.pk}:{organisation.updated_at.timestamp()}",
        actor=actor,
        url=reverse("organisations:detail", args=[organisation.slug]),
        context={"organisation": organisation.name, **context},
        organisation_ids=[organisation.pk],
    )


# Fields an organisation's admins may change (status and moderation are staff business).
PROFILE_FIELDS = (
    "name",
    "short_name",
    "kind",
    "street",
    "postcode",
    "city",
    "country",
    "latitude",
    "longitude",
    "website",
    "email",
    "phone",
    "size_band",
    "description_de",
    "description_en",
    "keywords",
    "parent",
)
# Slugs that would shadow the pages under /organisations/.
RESERVED_SLUGS = frozenset({"register", "moderation", "new", "edit"})
GERMAN_POSTCODE = re.compile(r"^\d{5}$")


def _unique_slug(name: str, *, exclude_pk: int | None = None) -> str:
    base = slugify(name)[:70].strip("-") or "organisation"
    taken = set(
        Organisation.objects.filter(slug__startswith=base)
        .exclude(pk=exclude_pk)
        .values_list("slug", flat=True)
    ) | set(RESERVED_SLUGS)
    slug, number = base, 2
    while slug in taken:
        slug = f"{base}-{number}"
        number += 1
    return slug


def _validate(organisation: Organisation, *, check_similar: bool) -> None:
    """Field rules beyond the model's: German postcodes, duplicates, the parent chain."""
    errors: dict[str, list[str]] = {}
    organisation.name = (organisation.name or "").strip()
    try:
        organisation.full_clean(exclude=["slug", "logo", "logo_thumbnail"])
    except ValidationError as exc:
        errors.update(exc.message_dict)
    if (
        "postcode" not in errors
        and organisation.country.upper() == "DE"
        and organisation.postcode
        and not GERMAN_POSTCODE.match(organisation.postcode)
    ):
        errors["postcode"] = [_("A German postcode has five digits.")]
    if organisation.name and "name" not in errors:
        duplicate = (
            Organisation.objects.filter(name__iexact=organisation.name)
            .exclude(pk=organisation.pk)
            .exclude(status=Organisation.Status.REJECTED)
            .only("name", "city")
            .first()
        )
        if duplicate is not None:
            errors["name"] = [
                _(
                    "An organisation named “%(name)s” is already registered. Ask its "
                    "administrators to invite you instead of registering it again."
                )
                % {"name": duplicate.name}
            ]
        elif check_similar:
            similar = list(
                organisation_similar_list(name=organisation.name, exclude_pk=organisation.pk)
            )
            if similar:
                errors["name"] = [
                    _(
                        "A similar organisation is already registered: %(names)s. If yours is "
                        "a different one, confirm this and submit again."
                    )
                    % {"names": ", ".join(f"“{o.name}”" for o in similar)}
                ]
    parent = organisation.parent
    if parent is not None and "parent" not in errors:
        ancestor, depth = parent, 0
        while ancestor is not None and depth < 20:
            if organisation.pk and ancestor.pk == organisation.pk:
                errors["parent"] = [_("An organisation cannot be its own parent or ancestor.")]
                break
            ancestor, depth = ancestor.parent, depth + 1
    if errors:
        raise ValidationError(errors)


def _store_logo(organisation: Organisation, logo: ProcessedLogo) -> list[str]:
    """Saves the files and returns their names, so that they can be removed on failure."""
    organisation.logo.save(logo.image.name, logo.image, save=False)
    organisation.logo_thumbnail.save(logo.thumbnail.name, logo.thumbnail, save=False)
    return [organisation.logo.name, organisation.logo_thumbnail.name]


def _delete_files(storage, names: Iterable[str]) -> None:
    for name in names:
        if name:
            storage.delete(name)


def _save_with_logo(organisation: Organisation, logo: ProcessedLogo | None, **save_kwargs):
    """Saves the row; files written for a failed save are removed, nothing half-saved stays."""
    storage = organisation.logo.storage
    written = _store_logo(organisation, logo) if logo is not None else []
    try:
        organisation.save(**save_kwargs)
    except Exception:
        _delete_files(storage, written)
        raise


@transaction.atomic
def organisation_register(
    *,
    actor,
    name: str,
    kind: str,
    sectors: Iterable[Sector] = (),
    competences: Iterable[Competence] = (),
    logo: ProcessedLogo | None = None,
    confirm_similar: bool = False,
    **profile,
) -> Organisation:
    """Registers a new organisation; `actor` becomes its admin; it waits for staff approval."""
    if not is_partner(actor):
        raise PermissionDenied(_("Log in to register an organisation."))
    unknown = set(profile) - set(PROFILE_FIELDS)
    if unknown:
        raise TypeError(f"Unknown profile fields: {sorted(unknown)}")
    organisation = Organisation(name=name, kind=kind, status=Organisation.Status.PENDING, **profile)
    organisation.slug = _unique_slug(organisation.short_name or name)
    _validate(organisation, check_similar=not confirm_similar)
    _save_with_logo(organisation, logo)
    organisation.sectors.set(sectors)
    organisation.competences.set(competences)
    Membership.objects.create(user=actor, organisation=organisation, role=Membership.Role.ADMIN)
    forget_memberships(actor)
    audit(actor=actor, action="organisation.registered", target=organisation)
    _notify_staff_of_registration(organisation, actor)
    return organisation


def _notify_staff_of_registration(organisation: Organisation, actor) -> None:
    notify(
        event_type="organisation.pending",
        recipients=User.objects.filter(is_staff=True, is_active=True),
        event_key=str(organisation.pk),
        actor=actor,
        url=reverse("organisations:moderation"),
        context={"organisation": organisation.name, "registered_by": actor.display_name},
    )


@transaction.atomic
def organisation_update(
    *,
    actor,
    organisation: Organisation,
    sectors: Iterable[Sector] | None = None,
    competences: Iterable[Competence] | None = None,
    logo: ProcessedLogo | None = None,
    remove_logo: bool = False,
    confirm_similar: bool = False,
    **changes,
) -> Organisation:
    """Changes an organisation's profile. Only its admins and staff may; the change is audited.

    `changes` holds profile fields (see PROFILE_FIELDS); None for sectors/competences means
    “unchanged”.
    """
    if not can_edit_organisation(actor, organisation):
        raise PermissionDenied(_("Only the organisation's administrators may change it."))
    unknown = set(changes) - set(PROFILE_FIELDS)
    if unknown:
        raise TypeError(f"Unknown profile fields: {sorted(unknown)}")
    organisation = Organisation.objects.select_for_update().get(pk=organisation.pk)
    changed = assign(organisation, changes)
    _validate(organisation, check_similar="name" in changed and not confirm_similar)

    if sectors is not None:
        sectors = list(sectors)
        if {s.pk for s in sectors} != set(organisation.sectors.values_list("pk", flat=True)):
            changed.append("sectors")
    if competences is not None:
        competences = list(competences)
        current = set(organisation.competences.values_list("pk", flat=True))
        if {c.pk for c in competences} != current:
            changed.append("competences")
    old_files = [organisation.logo.name, organisation.logo_thumbnail.name]
    if logo is not None or (remove_logo and organisation.logo):
        changed.append("logo")
        if logo is None:
            organisation.logo = organisation.logo_thumbnail = ""
    _save_with_logo(organisation, logo)
    if sectors is not None:
        organisation.sectors.set(sectors)
    if competences is not None:
        organisation.competences.set(competences)
    if "logo" in changed:
        storage = organisation.logo.storage
        transaction.on_commit(lambda: _delete_files(storage, old_files))
    if changed:
        audit(actor=actor, action="organisation.updated", target=organisation, fields=changed)
    if {"competences", "kind", "description_de", "description_en", "keywords"} & set(changed):
        hooks.organisation_changed(organisation_id=organisation.pk)
    return organisation


@transaction.atomic
def organisation_approve(*, actor, organisation: Organisation) -> Organisation:
    """Staff approve a pending (or a rejected, or an inactive) organisation: it becomes active."""
    if not can_moderate_organisations(actor):
        raise PermissionDenied(_("Only the cluster office may approve organisations."))
    organisation = Organisation.objects.select_for_update().get(pk=organisation.pk)
    if organisation.status == Organisation.Status.ACTIVE:
        raise ValidationError({"status": [_("This organisation is already active.")]})
    previous = organisation.status
    organisation.status = Organisation.Status.ACTIVE
    organisation.rejection_reason = ""
    organisation.save(update_fields=["status", "rejection_reason", "updated_at"])
    audit(actor=actor, action="organisation.approved", target=organisation, previous=previous)
    _notify_admins("organisation.approved", organisation, actor)
    hooks.organisation_changed(organisation_id=organisation.pk)
    return organisation


@transaction.atomic
def organisation_reject(*, actor, organisation: Organisation, reason: str) -> Organisation:
    """Staff reject a pending organisation, with a reason its admins will see."""
    if not can_moderate_organisations(actor):
        raise PermissionDenied(_("Only the cluster office may reject organisations."))
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"rejection_reason": [_("Give a reason for the rejection.")]})
    organisation = Organisation.objects.select_for_update().get(pk=organisation.pk)
    if organisation.status != Organisation.Status.PENDING:
        raise ValidationError({"status": [_("Only pending organisations can be rejected.")]})
    organisation.status = Organisation.Status.REJECTED
    organisation.rejection_reason = reason
    organisation.save(update_fields=["status", "rejection_reason", "updated_at"])
    audit(actor=actor, action="organisation.rejected", target=organisation, reason=reason)
    _notify_admins("organisation.rejected", organisation, actor, reason=reason)
    return organisation
