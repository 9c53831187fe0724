"""``{% editable_datasets user as datasets %}``: the datasets a page may offer to add to
(the run page's "Add to dataset"), without the history importing the evaluations."""

from typing import Any

from django import template

from playground.evals import access
from playground.evals.models import Dataset

register = template.Library()


@register.simple_tag
def editable_datasets(user: Any) -> list[Dataset]:
    return [
        dataset
        for dataset in access.datasets_visible(user=user).select_related("team")[:200]
        if access.can_edit_dataset(user, dataset)
    ]
