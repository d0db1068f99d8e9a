"""Loading the catalogue of feedback categories (`incidents/category_catalogue.py`)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from django.db import transaction

from incidents.models import Category, CategoryAttribute

CATALOGUE_DEFAULTED_FIELDS = frozenset(
    {
        "acknowledge_within_hours",
        "urgent_acknowledge_within_hours",
        "urgent_resolve_within_hours",
        "normal_resolve_within_days",
        "complex_resolve_within_days",
        "duplicate_radius_metres",
        "duplicate_window_days",
        "is_active",
    }
)


@dataclass(frozen=True)
class CatalogueLoad:
    categories_created: list[str]
    attributes_created: list[str]
    categories_updated: list[str]

    @property
    def changed(self) -> bool:
        return bool(self.categories_created or self.attributes_created or self.categories_updated)


@transaction.atomic
def categories_load_catalogue(
    *, catalogue: Sequence[Mapping[str, object]], update_existing: bool = False
) -> CatalogueLoad:
    """Create the catalogue's missing categories and questions.

    Existing ones are left as the administrators edited them, unless `update_existing`, which
    writes the catalogue's values over them (questions not in the catalogue are kept either way).
    """
    created: list[str] = []
    updated: list[str] = []
    attributes_created: list[str] = []
    for entry in catalogue:
        entry = dict(entry)
        questions = entry.pop("attributes", [])
        group_names = entry.pop("group")
        # An entry's questions are a list of mappings, its group a (Vietnamese, English) pair.
        assert isinstance(questions, Sequence) and isinstance(group_names, Sequence)
        group, group_en = group_names
        # A norm the catalogue leaves out means the model's default, so that `update_existing`
        # also restores norms an administrator changed.
        defaults = {
            field.name: field.get_default()
            for field in Category._meta.concrete_fields
            if field.name in CATALOGUE_DEFAULTED_FIELDS
        }
        values = {**defaults, **entry, "group": group, "group_en": group_en}
        code = values.pop("code")
        category = Category.objects.filter(code=code).first()
        if category is None:
            category = Category(code=code, **values)
            category.full_clean()
            category.save()
            created.append(code)
        elif update_existing:
            differs = any(getattr(category, field) != value for field, value in values.items())
            if differs:
                for field, value in values.items():
                    setattr(category, field, value)
                category.full_clean()
                category.save()
                updated.append(code)
        for question in questions:
            question = dict(question)
            question_code = question.pop("code")
            existing = CategoryAttribute.objects.filter(
                category=category, code=question_code
            ).first()
            if existing is None:
                attribute = CategoryAttribute(category=category, code=question_code, **question)
                attribute.full_clean()
                attribute.save()
                attributes_created.append(f"{code}/{question_code}")
            elif update_existing and any(
                getattr(existing, field) != value for field, value in question.items()
            ):
                for field, value in question.items():
                    setattr(existing, field, value)
                existing.full_clean()
                existing.save()
                if code not in updated:
                    updated.append(code)
    return CatalogueLoad(
        categories_created=created,
        attributes_created=attributes_created,
        categories_updated=updated,
    )
