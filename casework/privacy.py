"""Personal data, masked by default: the one masking service and the one rule for who sees an identity.

- `mask_*` and `mask_text` hide resident ID numbers, phone numbers in any format (spaces, dashes,
  parentheses, +86, full-width digits), e-mail addresses and known names, in structured fields and in
  free text. They are pure functions: pages, API serializers, exports, notifications, letters to third
  parties, the admin and the audit trail call them.
- `may_see_identity(actor, obj)` is the only rule for the original: the handling department's staff
  (a case role, never a Django superuser or an administrator) who hold the object's explicit permission.
- `reveal(actor, obj, ...)` records every permitted read of the original in the audit trail.

What a protected object is, and which terms identify its person, is registered by the mechanism that owns
it (`register(model, ...)`), so the next mechanism joins the same rule instead of writing its own.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field

HIDDEN = "（已隐去）"

# Digits in any width: Python's \d matches full-width ０-９ too; these classes spell that out for literals.
_SEP = r"[\s\-－—–.·()（）]*"
_ID_CHECK = "[0-9０-９XxＸｘ]"
_ID_RE = re.compile(rf"(?<![0-9０-９A-Za-z])(\d{{6}}(?:19|20|１９|２０)\d{{2}}\d{{4}}\d{{3}}{_ID_CHECK}|\d{{15}})"
                    r"(?![0-9０-９A-Za-z])")
# Mobile: 1[3-9] + 9 digits, separators allowed between groups, an optional +86 / 0086 / (86) prefix.
_PREFIX = r"(?:(?:[+＋]|00|００)?\s*(?:86|８６)[\s\-－]*|[(（][+＋]?(?:86|８６)[)）]\s*)?"
_MOBILE_RE = re.compile(rf"(?<![0-9０-９]){_PREFIX}[1１][3-9３-９](?:[\s\-－]?\d){{9}}(?![0-9０-９])")
# Landline: area code 0xx(x) (optionally in brackets) + 7–8 digits, separators allowed.
_LANDLINE_RE = re.compile(
    rf"(?<![0-9０-９]){_PREFIX}(?:[(（][0０]\d{{2,3}}[)）]|[0０]\d{{2,3}})[\s\-－—]*\d{{3,4}}[\s\-－]?\d{{4}}"
    r"(?![0-9０-９])")
# A USCC whose holder is a natural person: an individual business (个体工商户, registration category 9-2).
_USCC_PERSON_RE = re.compile(r"(?<![0-9A-Za-z])92\d{6}[0-9A-HJ-NPQRTUWXY]{10}(?![0-9A-Za-z])")
_EMAIL_RE = re.compile(r"[\w.+\-]+\s*[@＠]\s*[\w\-]+(?:\s*[.．]\s*[\w\-]+)+", re.UNICODE)

# A person's name written in context: "举报人张晓东（…", "联系人：李四，", "证人王五电话…". The words that usually
# follow such a role word without being a name are excluded, so "投诉人称" or "当事人未到场" stay as written.
_HAN = "\u4e00-\u9fa5"
_NOT_NAME = ("电话|手机|身份|邮箱|地址|联系|反映|提供|提出|提交|认为|要求|请求|证言|证实|信息|情况|材料|"
             "所|称|的|及|和|与|等|在|于|向|对|已|未|均|也|都|本人|我|系|是|为|负|办|确|签|通|告|接|收|核|说|表|须|可|"
             "不|将|把|被|从|以|按|经|就|同|或|另|即|再|仍|并|但|却|曾|又|有|无|要|应当|或者|自|到|来|去|一|二|三|各|每")
_NAME_CONTEXT_RE = re.compile(
    rf"(?P<role>举报人|投诉人|证人|联系人|当事人|姓名|名叫)(?P<sep>[：:\s]*|为|是)"
    rf"(?P<name>(?!{_NOT_NAME})[{_HAN}][{_HAN}·]{{1,3}}?)"
    rf"(?=[，。；、,;.（()）\s0-9０-９：:]|$|电话|手机|身份|邮箱|系|是|称|反映|等)")

_FULL = str.maketrans("０１２３４５６７８９ＸｘＸ＋＠", "0123456789XxX+@")


def normalise(value: str) -> str:
    return (value or "").translate(_FULL)


def digits(value: str) -> str:
    return "".join(c for c in normalise(value) if c.isdigit())


# --- structured fields ----------------------------------------------------------------------------------------
def mask_id_number(value: str) -> str:
    """`410423199001011236` -> `4104**********1236`: the first 4 and last 4 characters kept."""
    value = normalise(value).strip().upper()
    if not value:
        return ""
    if len(value) <= 8:
        return "*" * len(value)
    return value[:4] + "*" * (len(value) - 8) + value[-4:]


def mask_phone(value: str) -> str:
    """Any format -> its digits with all but the last 4 hidden, a mobile keeping its first 3: `138****1234`."""
    d = digits(value)
    if d.startswith("86") and len(d) == 13:
        d = d[2:]
    if d.startswith("0086"):
        d = d[4:]
    if not d:
        return ""
    if len(d) <= 4:
        return "*" * len(d)
    head = 3 if d.startswith("1") and len(d) == 11 else 0
    return d[:head] + "*" * (len(d) - head - 4) + d[-4:]


def mask_email(value: str) -> str:
    value = normalise(value).replace(" ", "")
    if "@" not in value:
        return HIDDEN if value else ""
    local, _, domain = value.partition("@")
    return (local[:1] or "*") + "***@" + domain


def mask_name(name: str) -> str:
    """`张三` -> `张**`; longer names (organisations) keep two characters."""
    name = (name or "").strip()
    if not name:
        return ""
    keep = 2 if len(name) > 4 else 1
    return name[:keep] + "*" * max(len(name) - keep, 2)


# --- free text ------------------------------------------------------------------------------------------------
def _literal_pattern(value: str, *, digitwise: bool) -> re.Pattern | None:
    """A pattern for one known value, tolerant of separators and full-width characters."""
    value = normalise(value).strip()
    if not value:
        return None
    chars = [c for c in value if (c.isalnum() if digitwise else not c.isspace())]
    if len(chars) < 2:
        return None
    parts = []
    for c in chars:
        wide = chr(ord(c) + 0xFEE0) if "!" <= c <= "~" else c
        options = {re.escape(c), re.escape(wide), re.escape(c.lower()), re.escape(c.upper())}
        parts.append("[" + "".join(sorted(options)) + "]" if len(options) > 1 else re.escape(c))
    joiner = _SEP if digitwise else r"\s*"
    return re.compile(joiner.join(parts), re.IGNORECASE)


@dataclass(frozen=True)
class Terms:
    """What identifies one person: masked wherever it appears."""

    names: tuple[str, ...] = ()
    ids: tuple[str, ...] = ()
    phones: tuple[str, ...] = ()
    emails: tuple[str, ...] = ()
    addresses: tuple[str, ...] = ()
    extra: tuple[str, ...] = field(default=())


def mask_text(text: str, terms: Terms | None = None) -> str:
    """Mask every ID number, phone, e-mail (by pattern) and every known term of `terms` in free text."""
    if not text:
        return text or ""
    out = text
    if terms is not None:
        for value in terms.ids:
            pattern = _literal_pattern(value, digitwise=True)
            if pattern is not None:
                out = pattern.sub(lambda m: mask_id_number(m.group(0)), out)
        for value in terms.phones:
            d = digits(value)
            # The whole number, then a landline's local part alone (written without its area code).
            forms = [d] + ([d[-8:], d[-7:]] if d.startswith("0") and len(d) >= 10 else [])
            for form in forms:
                if len(form) >= 5:
                    pattern = _literal_pattern(form, digitwise=True)
                    out = pattern.sub(lambda m: mask_phone(m.group(0)), out)
        for value in terms.emails:
            pattern = _literal_pattern(value, digitwise=False)
            if pattern is not None:
                out = pattern.sub(lambda m: mask_email(m.group(0)), out)
        for value in (*terms.addresses, *terms.extra):
            pattern = _literal_pattern(value, digitwise=False)
            if pattern is not None and len(value.strip()) >= 4:
                out = pattern.sub(HIDDEN, out)
        for value in sorted(terms.names, key=len, reverse=True):
            pattern = _literal_pattern(value, digitwise=False)
            if pattern is not None:
                out = pattern.sub(lambda m: mask_name(re.sub(r"\s+", "", m.group(0))), out)
    out = _NAME_CONTEXT_RE.sub(lambda m: m.group("role") + m.group("sep") + mask_name(m.group("name")), out)
    out = _ID_RE.sub(lambda m: mask_id_number(m.group(0)), out)
    out = _USCC_PERSON_RE.sub(lambda m: mask_id_number(m.group(0)), out)
    out = _EMAIL_RE.sub(lambda m: mask_email(m.group(0)), out)
    out = _MOBILE_RE.sub(lambda m: mask_phone(m.group(0)), out)
    out = _LANDLINE_RE.sub(lambda m: mask_phone(m.group(0)), out)
    return out


# --- who may see the original ---------------------------------------------------------------------------------
@dataclass
class Protected:
    """How a mechanism's model carries a person's identity."""

    terms: Callable[[object], Terms]            # obj -> the identifying terms
    handling: Callable[[object], object]        # obj -> the department handling it now
    perm: str                                   # the explicit permission, e.g. complaints.view_complainant
    roles: tuple[str, ...] = ("handler", "leader")


_REGISTRY: dict[type, Protected] = {}


def register(model: type, protected: Protected) -> None:
    _REGISTRY[model] = protected


def cleared_departments(actor, model: type) -> list[int]:
    """Ids of the departments whose records of `model` `actor` may read in the original (the one rule of
    may_see_identity, as a set, for queries such as a search over free text). Break-glass reads are per page and
    do not widen a search."""
    spec = _REGISTRY.get(model)
    if spec is None or not getattr(actor, "is_authenticated", False) or not holds_perm(actor, spec.perm):
        return []
    from casework.org.models import Membership

    return list(Membership.objects.filter(user=actor, role__in=spec.roles, department__active=True)
                .values_list("department_id", flat=True))


def _resolve(obj):
    """The protected record behind `obj`: itself, or the subject of a letter about it."""
    if obj is None:
        return None, None
    for model, spec in _REGISTRY.items():
        if isinstance(obj, model):
            return obj, spec
    subject = getattr(obj, "subject", None)  # a letter: its subject
    if subject is not None and subject is not obj:
        return _resolve(subject)
    return None, None


def terms_for(obj) -> Terms:
    target, spec = _resolve(obj)
    return spec.terms(target) if spec else Terms()


def mask_for(obj, text: str) -> str:
    """Free text about `obj`, masked for anyone not cleared (its person's known terms plus the patterns)."""
    return mask_text(text, terms_for(obj))


def holds_perm(user, perm: str) -> bool:
    """An explicit model permission, granted to the user or one of their groups. A superuser's blanket
    `has_perm` does not count: superuser is not a case role."""
    if not getattr(user, "is_authenticated", False) or not user.is_active:
        return False
    return perm in explicit_perms(user)


def explicit_perms(user) -> frozenset[str]:
    """The "app_label.codename" permissions granted to the user or their groups (once per request)."""
    from django.contrib.auth.models import Permission
    from django.db.models import Q

    if not getattr(user, "is_authenticated", False) or not user.is_active:
        return frozenset()
    cache = getattr(user, "_portal_explicit_perms", None)
    if cache is None:
        cache = frozenset(f"{a}.{c}" for a, c in Permission.objects.filter(Q(user=user) | Q(group__user=user))
                          .values_list("content_type__app_label", "codename").distinct())
        user._portal_explicit_perms = cache
    return cache


def holds_object_perm(user, perm: str, obj) -> bool:
    """A django-guardian object permission through the user's own or group grants, superuser not counted."""
    from guardian.shortcuts import get_objects_for_user

    if not getattr(user, "is_authenticated", False) or not user.is_active:
        return False
    return get_objects_for_user(user, perm, klass=type(obj).objects.filter(pk=obj.pk), with_superuser=False,
                                accept_global_perms=False).exists()


def may_see_identity(actor, obj) -> bool:
    """The one rule: the staff of the department handling the record now, in a case role the profile allows,
    who hold the record's explicit permission. For a letter, also: it was issued by that department. Besides
    them, only a named person holding a break-glass grant in force (grant_break_glass), every read recorded."""
    target, spec = _resolve(obj)
    if spec is None or not getattr(actor, "is_authenticated", False):
        return False
    if _cleared(actor, obj, target, spec):
        return True
    return break_glass_for(actor) is not None  # a deliberate, audited read granted to this named person


def _cleared(actor, obj, target, spec) -> bool:
    from casework.org.models import Membership

    department = spec.handling(target)
    if department is None or not holds_perm(actor, spec.perm):
        return False
    cache = getattr(actor, "_portal_identity_cleared", None)
    if cache is None:
        cache = actor._portal_identity_cleared = {}
    key = (department.pk, spec.roles)
    if key not in cache:
        cache[key] = Membership.objects.filter(user=actor, department=department, role__in=spec.roles,
                                               department__active=True).exists()
    if not cache[key]:
        return False
    issuer_id = getattr(obj, "issuer_id", None)
    if obj is not target and issuer_id is not None and issuer_id != department.pk:
        return False
    return True


def reveal(actor, obj, *, where: str) -> None:
    """Record a permitted read of the original identity: who, when (the event's time), which record, where."""
    from casework.events.services import record

    target, _ = _resolve(obj)
    grant = break_glass_for(actor)
    record(actor=actor, obj=target if target is not None else obj, action="identity.viewed",
           after={"where": where, **({"letter": obj.doc_number} if hasattr(obj, "doc_number") else {}),
                  **({"break_glass": grant.pk} if grant is not None else {})})


def text_for(actor, obj, text: str, *, where: str = "") -> str:
    """Free text about `obj` as `actor` may read it: the original for the cleared staff of the department
    handling it (each such read of text that carries personal data recorded once per request, with `where`),
    masked for everyone else. Text without any personal data is the same for everybody."""
    if not text:
        return text or ""
    masked = mask_for(obj, text)
    if masked == text or not may_see_identity(actor, obj):
        return masked
    if where:
        target, _ = _resolve(obj)
        seen = getattr(actor, "_portal_revealed", None)
        if seen is None:
            seen = actor._portal_revealed = set()
        key = (type(target).__name__, getattr(target, "pk", None), where)
        if key not in seen:
            seen.add(key)
            reveal(actor, obj, where=where)
    return text


def register_shared(model: type, handling: Callable[[object], object], *,
                    terms: Callable[[object], Terms] | None = None) -> None:
    """A mechanism's record whose free text may carry personal data (a reporter's phone, a bidder's ID number):
    masked by pattern for everyone but the handling department's staff holding casework.view_personal_data."""
    register(model, Protected(terms=terms or (lambda _obj: Terms()), handling=handling,
                              perm=PERSONAL_DATA_PERM))


PERSONAL_DATA_PERM = "casework.view_personal_data"


# --- break-glass: a deliberate, audited read for one named person ----------------------------------------------
BREAK_GLASS_MAX_HOURS = 72


def break_glass_for(actor):
    """The actor's grant in force now (once per request), or None."""
    from django.utils import timezone

    from casework.org.models import BreakGlass

    if not getattr(actor, "is_authenticated", False):
        return None
    cached = getattr(actor, "_portal_break_glass", False)
    if cached is not False:
        return cached
    now = timezone.now()
    grant = (BreakGlass.objects.filter(grantee_id=actor.pk, granted_at__lte=now, expires_at__gt=now)
             .order_by("-expires_at").first())
    actor._portal_break_glass = grant
    return grant


def grant_break_glass(*, actor, grantee, reason: str, hours: int):
    """The security administrator (安全管理员) lets one named person read personal data unmasked, on the pages
    that person can already open, for `hours` (at most 72) and a stated reason. Never for oneself."""
    import datetime as dt

    from django.db import transaction
    from django.utils import timezone

    from casework.errors import DomainError, Forbidden
    from casework.events.services import record
    from casework.org.models import BreakGlass, Membership

    if not Membership.objects.filter(user=actor, role=Membership.Role.SECURITY_ADMIN,
                                     department__active=True).exists():
        raise Forbidden("应急查阅授权须由安全管理员办理", code="role_required")
    if grantee is None or grantee.pk == actor.pk:
        raise Forbidden("安全管理员不能为自己授予应急查阅权限", field_errors={"grantee": ["不能为自己授权"]})
    errors = {}
    if len((reason or "").strip()) < 10:
        errors["reason"] = ["请写明应急查阅的理由（不少于10个字）"]
    try:
        hours = int(hours)
    except (TypeError, ValueError):
        hours = 0
    if not 1 <= hours <= BREAK_GLASS_MAX_HOURS:
        errors["hours"] = [f"授权时长须为1至{BREAK_GLASS_MAX_HOURS}小时"]
    if errors:
        raise DomainError("应急查阅授权有误：" + "；".join(v[0] for v in errors.values()), field_errors=errors)
    now = timezone.now()
    with transaction.atomic():
        grant = BreakGlass.objects.create(grantee=grantee, granted_by=actor, reason=reason.strip(), granted_at=now,
                                          expires_at=now + dt.timedelta(hours=hours))
        record(actor=actor, obj=grant, action="privacy.break_glass_granted", reason=grant.reason,
               after={"grantee": grantee.get_username(), "expires_at": grant.expires_at, "hours": hours,
                      "text": f"授予{grantee.get_username()}应急查阅个人信息权限{hours}小时"})
    return grant


def masked_values(values: Iterable[str], terms: Terms | None = None) -> list[str]:
    return [mask_text(v, terms) for v in values]
