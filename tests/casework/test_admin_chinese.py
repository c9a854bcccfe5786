"""The admin entirely in Chinese, third-party apps included (django-otp, django-axes, django-celery-beat, auth...):
the system administrator walks every registered model's changelist and add page and meets no English-only title,
column header, filter, field label, help text or action; every other label is checked from the model admin itself
for the pages an administrator may not open (case content). Codes such as ID, IP, URL and TOTP may stay."""

import re
from html.parser import HTMLParser

from django.contrib import admin
from django.contrib.admin.utils import label_for_field
from django.contrib.auth import get_user_model
from django.test import RequestFactory

CJK = re.compile(r"[\u4e00-\u9fff]")
WORD = re.compile(r"[A-Za-z][A-Za-z_-]*")
# codes and names read as they are, in any Chinese office
ALLOWED = {"ID", "IP", "URL", "TOTP", "API", "USCC", "SHA", "PDF", "CSV", "XLSX", "Excel", "HTTP", "HTTPS", "JSON",
           "UTC", "Cron", "Unix", "Celery", "OTP", "Django", "HMAC", "SMS", "Email", "email", "E-mail", "e-mail",
           "Token", "Key", "TTL", "Axes"}
# where labels live on an admin page: titles, headings, column headers, filter titles, field labels, help texts,
# the action menu, breadcrumbs and the index's app and model names
WATCHED = {"title", "h1", "h2", "h3", "caption", "label", "legend"}


class Labels(HTMLParser):
    def __init__(self):
        super().__init__()
        self.stack: list[tuple[str, dict]] = []
        self.found: list[str] = []

    def _watched(self) -> bool:
        for tag, attrs in self.stack:
            cls = attrs.get("class") or ""
            if tag in WATCHED or (tag == "th" and any(t == "thead" for t, _ in self.stack)):
                return True
            if tag == "div" and ({"help", "breadcrumbs"} & set(cls.split())):
                return True
            if tag == "select" and attrs.get("name") == "action":
                return True
            if tag == "caption" or (tag == "a" and "section" in cls.split()):
                return True
        return False

    def handle_starttag(self, tag, attrs):
        if tag not in {"br", "img", "input", "meta", "link", "hr"}:
            self.stack.append((tag, dict(attrs)))

    def handle_endtag(self, tag):
        while self.stack:
            if self.stack.pop()[0] == tag:
                break

    def handle_data(self, data):
        text = data.strip()
        if text and self._watched():
            self.found.append(text)


def english(label: str) -> bool:
    """A label with an English word and no Chinese (allowed codes aside)."""
    label = str(label)
    if CJK.search(label):
        return False
    return any(w not in ALLOWED for w in WORD.findall(label))


def english_labels(html: str) -> list[str]:
    parser = Labels()
    parser.feed(html)
    return sorted({t for t in parser.found if english(t)})


def _viewer(model, olga, root):
    rf = RequestFactory().get("/admin/")
    for user in (olga, root):
        rf.user = user
        if admin.site._registry[model].has_view_permission(rf):
            return user
    return None


def test_every_admin_page_the_administrators_open_is_in_chinese(client, olga, luoyang):
    root = get_user_model().objects.create_superuser("root", "root@example.invalid", "pw")
    client.force_login(olga)
    index = client.get("/admin/")
    assert index.status_code == 200 and index["Content-Language"] == "zh-hans"  # Django's zh-hans locale is active
    assert "站点管理" in index.content.decode() or "系统管理" in index.content.decode()
    problems = {"/admin/ (olga)": english_labels(index.content.decode())}
    client.force_login(root)
    problems["/admin/ (root)"] = english_labels(client.get("/admin/").content.decode())
    walked = 0
    for model, model_admin in admin.site._registry.items():
        user = _viewer(model, olga, root)
        if user is None:
            continue
        client.force_login(user)
        base = f"/admin/{model._meta.app_label}/{model._meta.model_name}/"
        pages = [base, f"/admin/{model._meta.app_label}/"]
        rf = RequestFactory().get(base)
        rf.user = user
        if model_admin.has_add_permission(rf):
            pages.append(base + "add/")
        for url in pages:
            response = client.get(url)
            assert response.status_code == 200, (url, user.username, response.status_code)
            problems[f"{url} ({user.username})"] = english_labels(response.content.decode())
            walked += 1
    assert walked >= 2 * len(admin.site._registry) - 10
    left = [f"{page}: {labels}" for page, labels in problems.items() if labels]
    assert not left, "English left in the admin:\n" + "\n".join(left)


def test_every_registered_model_app_and_column_has_a_chinese_label(rf):
    """Also for the models no administrator may open (case content): app, model, list columns, filters, actions."""
    request = rf.get("/admin/")
    problems = []
    for model, model_admin in admin.site._registry.items():
        app = admin.site._registry[model].opts.app_config
        for label in (app.verbose_name, model._meta.verbose_name, model._meta.verbose_name_plural):
            if english(label) or not CJK.search(str(label)):
                problems.append(f"{model._meta.label}: {label}")
        for name in model_admin.list_display:
            if name == "action_checkbox":
                continue
            label = label_for_field(name, model, model_admin)
            if english(label):
                problems.append(f"{model._meta.label}.{name}: {label}")
        for name in model_admin.list_filter:
            field = name if isinstance(name, str) else name[0] if isinstance(name, tuple) else None
            if isinstance(field, str) and "__" not in field:
                label = label_for_field(field, model, model_admin)
                if english(label):
                    problems.append(f"{model._meta.label} filter {field}: {label}")
        request.user = get_user_model()(is_superuser=True, is_staff=True)
        for _name, (_func, _name2, description) in model_admin.get_actions(request).items():
            if english(str(description) % {"verbose_name_plural": model._meta.verbose_name_plural}):
                problems.append(f"{model._meta.label} action {_name}: {description}")
    assert not problems, "English labels:\n" + "\n".join(problems)


def test_the_detector_flags_english_and_spares_codes():
    assert english("TOTP device") and english("access attempts") and english("Last used at")
    assert not english("TOTP 设备") and not english("ID") and not english("IP 地址") and not english("2026-11-29")
    assert english_labels("<table><thead><tr><th>Name</th></tr></thead><tbody><tr><th>root</th></tr></tbody>"
                          "</table><label>名称</label><div class='help'>The time step.</div>") == [
        "Name", "The time step."]


def test_the_compiled_catalog_matches_its_source():
    """django.mo is committed (the image has no gettext): every entry of django.po is in it, translated alike."""
    import gettext
    from pathlib import Path

    from django.conf import settings

    folder = Path(settings.LOCALE_PATHS[0]) / "zh_Hans" / "LC_MESSAGES"
    with open(folder / "django.mo", "rb") as mo:
        compiled = gettext.GNUTranslations(mo)
    entries = re.findall(r'^msgid "(.+)"\nmsgstr "(.*)"$', (folder / "django.po").read_text(), re.M)
    assert len(entries) > 50
    for msgid, msgstr in entries:
        unquote = msgid.replace('\\"', '"'), msgstr.replace('\\"', '"')
        assert compiled.gettext(unquote[0]) == unquote[1], unquote
