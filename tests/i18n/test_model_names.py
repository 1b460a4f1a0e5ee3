"""Every model and field of the project's own apps has a translatable name, so forms, the admin
and pages show it in the reader's language (Django would otherwise show the field's name in
English: a ForeignKey `meeting` becomes "Meeting")."""

from django.apps import apps
from django.utils.functional import Promise

from tests.security.world import APPS as PROJECT_APPS


def own_models():
    """The apps' models, without the history models simple-history makes from them (their
    fields are copies of the model's, their own history_* fields are simple-history's)."""
    for label in PROJECT_APPS:
        for model in apps.get_app_config(label).get_models():
            if not model.__name__.startswith("Historical"):
                yield model


def untranslated_names():
    for model in own_models():
        name = model._meta.label
        for field in model._meta.get_fields():
            if field.auto_created or not hasattr(field, "verbose_name"):
                continue
            if not isinstance(field.verbose_name, Promise):
                yield f"{name}.{field.name}: {field.verbose_name!r}"
        for option in ("verbose_name", "verbose_name_plural"):
            value = getattr(model._meta, option)
            if not isinstance(value, Promise):
                yield f"{name} Meta.{option}: {value!r}"


def test_every_model_and_field_has_a_translatable_name():
    missing = list(untranslated_names())
    assert not missing, "Give these a gettext_lazy verbose_name:\n" + "\n".join(missing)


def test_the_check_sees_the_models():
    # Guards the test above against passing on an empty list of models.
    assert len(list(own_models())) > 20
