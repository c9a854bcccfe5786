"""The admin entirely in Chinese, third-party apps included.

Django and django-celery-beat ship a zh-hans catalog with gaps; django-otp and django-axes none at all, and
django-otp does not even mark its names for translation. At start-up (CaseworkConfig.ready) this module:

- names the apps that have no name of their own (otp_totp, otp_static, axes) in Chinese;
- marks the untranslatable texts of the third-party models shown in the admin (model names, field names, help
  texts) and of their admins (fieldset titles) for translation, with their own English text as the message id;
- the project's catalog (locale/zh_Hans/LC_MESSAGES/django.po, LOCALE_PATHS, compiled to django.mo) gives the
  Chinese of those and of the strings Django's and celery-beat's catalogs leave untranslated.

The message id is the package's own text, so `makemigrations` (which runs with translations off) sees exactly what
the packages' migrations say: no migration of a third-party app. `tests/casework/test_admin_chinese.py` walks every
admin page to keep it so."""

from __future__ import annotations

from django.apps import apps
from django.contrib import admin
from django.forms.utils import pretty_name
from django.utils.functional import Promise
from django.utils.translation import gettext, gettext_lazy

APP_NAMES = {"otp_totp": "双因素认证（TOTP 设备）", "otp_static": "双因素认证（备用验证码）", "axes": "登录防护"}
# models whose texts their package never marked for translation (or marked with no Chinese in its catalog)
MODELS = ("otp_totp.TOTPDevice", "otp_static.StaticDevice", "otp_static.StaticToken", "axes.AccessAttempt",
          "axes.AccessLog", "axes.AccessFailureLog", "axes.AccessAttemptExpiration", "django_celery_beat.PeriodicTask",
          "django_celery_beat.CrontabSchedule")


def _lazy(value):
    return gettext_lazy(value) if isinstance(value, str) and value and not isinstance(value, Promise) else value


def _mark_model(model) -> None:
    opts = model._meta
    # _meta's live names, not original_attrs (what migrations read); a plural Django derived ("<name>s", lazily
    # from the untranslated name) is spelled out to be translated as a whole
    plural = opts.verbose_name_plural
    if "verbose_name_plural" not in opts.original_attrs and isinstance(plural, Promise):
        plural = str(plural)
    opts.verbose_name, opts.verbose_name_plural = _lazy(opts.verbose_name), _lazy(plural)
    for field in opts.local_fields + opts.local_many_to_many:
        field.verbose_name = _lazy(field.verbose_name)  # migrations read field._verbose_name, left alone
        # help_text is deconstructed as it is: a lazy text of the same words compares equal with translations off
        field.help_text = _lazy(field.help_text)


def _mark_columns(model, model_admin) -> None:
    """Columns and read-only fields that are admin methods or model properties: their description (or the
    attribute's own name, as the admin would show it) marked for translation."""
    for name in (*model_admin.list_display, *model_admin.readonly_fields):
        if not isinstance(name, str):
            continue
        target = getattr(type(model_admin), name, None)
        if target is None and isinstance(getattr(model, name, None), property):
            target = getattr(model, name).fget
        if callable(target) and not isinstance(target, type):
            description = getattr(target, "short_description", None) or pretty_name(name)
            target.short_description = _lazy(description)


def _translated_fieldsets(admin_class):
    class ChineseFieldsets(admin_class):
        def get_fieldsets(self, request, obj=None):
            return [(gettext(name) if isinstance(name, str) else name, options)
                    for name, options in super().get_fieldsets(request, obj)]

    ChineseFieldsets.__name__ = ChineseFieldsets.__qualname__ = admin_class.__name__
    ChineseFieldsets.__module__ = admin_class.__module__
    return ChineseFieldsets


def install(site=admin.site) -> None:
    for label, name in APP_NAMES.items():
        if label in apps.app_configs:
            apps.get_app_config(label).verbose_name = name
    for dotted in MODELS:
        app_label, model_name = dotted.split(".")
        try:
            model = apps.get_model(app_label, model_name)
        except LookupError:
            continue
        _mark_model(model)
        if model in site._registry:
            _mark_columns(model, site._registry[model])
            admin_class = type(site._registry[model])
            if admin_class.__module__.split(".")[0] in ("django_otp", "axes"):
                site.unregister(model)
                site.register(model, _translated_fieldsets(admin_class))
