"""A person's phones and e-mails, each with a label (travail, mobile, domicile, autre).

Stored as the primary ``email`` and ``phone`` (what search, duplicates, older laptops and
the hub's older versions know) plus ``other_contacts``, a JSON list of the other values:
``[{"kind": "phone", "label": "mobile", "value": "+33612345678"}, …]`` (the protocol's
field schema checks its shape: ``protocol/fields.contact_list``). The primary values'
labels ride in the same list as items marked ``"primary": true`` whose value repeats the
primary one: a laptop that changes the primary value without knowing the list leaves a
marker that no longer matches, and it is ignored.

Everything that reads or writes contacts (import, form, card, exports) goes through
:func:`contacts_of` and :func:`stored_contacts`, so the first value of a kind is always
the primary one and duplicates within a person collapse.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from companion.directory.validate import InvalidValue, check_email, check_phone
from companion.domain import CONTACT_LABELS, label

EMAIL = "email"
PHONE = "phone"
KINDS = (EMAIL, PHONE)
LABELS = CONTACT_LABELS  # stable codes in the data, French names in the interface
WORK, MOBILE, HOME, OTHER = LABELS
MAX_CONTACTS = 50  # protocol.fields.MAX_CONTACTS: more are dropped, never sent


@dataclass(frozen=True)
class Contact:
    """One phone or e-mail of a person: ``label`` a code of LABELS ("" when unknown)."""

    kind: str
    label: str
    value: str


def label_name(code: str) -> str:
    """The French name of a label code (a code from a newer version shown as it is)."""
    return label(LABELS, code)


def contacts_of(
    email: str | None, phone: str | None, other_contacts: str | None
) -> tuple[list[Contact], list[Contact]]:
    """A person's e-mails and phones, the primary one first of each (from stored values;
    a malformed list, which the field schema never lets in, reads as empty)."""
    items = _parse(other_contacts)
    result: dict[str, list[Contact]] = {EMAIL: [], PHONE: []}
    for kind, primary in ((EMAIL, email), (PHONE, phone)):
        if primary:
            label = next(
                (
                    str(item.get("label") or "")
                    for item in items
                    if item.get("primary") is True
                    and item.get("kind") == kind
                    and item.get("value") == primary
                ),
                "",
            )
            result[kind].append(Contact(kind, label, primary))
    for item in items:
        kind, value = item.get("kind"), item.get("value")
        if item.get("primary") is True or kind not in KINDS or type(value) is not str:
            continue
        result[str(kind)].append(Contact(str(kind), str(item.get("label") or ""), value))
    return _unique(result[EMAIL]), _unique(result[PHONE])


def stored_contacts(contacts: Iterable[Contact]) -> dict[str, Any]:
    """The columns ``email``, ``phone`` and ``other_contacts`` for these contacts (the
    first of each kind is the primary one; repeats of a value are dropped)."""
    by_kind: dict[str, list[Contact]] = {EMAIL: [], PHONE: []}
    for contact in contacts:
        if contact.kind in KINDS and contact.value.strip():
            by_kind[contact.kind].append(contact)
    columns: dict[str, Any] = {}
    items: list[dict[str, Any]] = []
    for kind in KINDS:
        unique = _unique(by_kind[kind])
        columns[kind] = unique[0].value if unique else None
        if unique and unique[0].label:
            primary = unique[0]
            items.append({"kind": kind, "label": primary.label, "value": primary.value})
            items[-1]["primary"] = True
        items += [{"kind": kind, "label": c.label, "value": c.value} for c in unique[1:]]
    items = items[:MAX_CONTACTS]
    columns["other_contacts"] = (
        json.dumps(items, ensure_ascii=False, separators=(",", ":")) if items else None
    )
    return columns


def normalised(kind: str, value: str) -> str:
    """A value in its stored form when it is valid (E.164 phone, e-mail with its domain in
    lower case); otherwise as given, trimmed (imports keep what they cannot read)."""
    try:
        checked = check_phone(value) if kind == PHONE else check_email(value)
    except InvalidValue:
        return value.strip()
    return checked or value.strip()


def checked(contact: Contact) -> Contact:
    """``contact`` in its stored form; ``InvalidValue`` (French) if the value is refused."""
    check = check_phone if contact.kind == PHONE else check_email
    value = check(contact.value)
    return Contact(contact.kind, contact.label, value or "")


def label_from_types(kind: str, types: Iterable[str]) -> str:
    """The label of a vCard TEL/EMAIL from its TYPE values (work, cell, home…); "" if none
    says which (``pref``, ``voice``, ``internet`` say nothing of the place); ``kind`` is
    "email" or "phone" (the same words label both)."""
    del kind
    folded = {t.strip().lower() for t in types}
    if folded & {"cell", "mobile", "iphone"}:
        return MOBILE
    if folded & {"work", "business", "travail", "bureau", "pro"}:
        return WORK
    if folded & {"home", "domicile", "personal", "perso"}:
        return HOME
    if folded & {"other", "autre"}:
        return OTHER
    return ""


def vcard_types(label: str) -> list[str]:
    """The vCard TYPE values a label is written as (RFC 6350's work, home, cell; other as
    Google writes it); :func:`label_from_types` reads them back."""
    return {WORK: ["work"], HOME: ["home"], MOBILE: ["cell"], OTHER: ["other"]}.get(label, [])


def _key(contact: Contact) -> str:
    if contact.kind == EMAIL:
        return contact.value.strip().lower()
    normal = normalised(PHONE, contact.value)
    return "".join(ch for ch in normal if ch.isdigit() or ch == "+")


def _unique(contacts: list[Contact]) -> list[Contact]:
    """The first of each value (a later copy gives its label to an unlabelled first)."""
    kept: dict[str, Contact] = {}
    for contact in contacts:
        key = _key(contact)
        if key not in kept:
            kept[key] = contact
        elif not kept[key].label and contact.label:
            kept[key] = Contact(contact.kind, contact.label, kept[key].value)
    return list(kept.values())


def _parse(text: str | None) -> list[dict[str, Any]]:
    if not text:
        return []
    try:
        parsed = json.loads(text)
    except (ValueError, RecursionError):
        return []
    return [item for item in parsed if type(item) is dict] if type(parsed) is list else []
