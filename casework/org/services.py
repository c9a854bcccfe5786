"""Departments, memberships and API clients."""

from __future__ import annotations

import hashlib
import re
import secrets

from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.db import IntegrityError, transaction
from django.utils import timezone

from casework.errors import Conflict, DomainError
from casework.events.services import record
from casework.org.models import ADMIN_DUTIES, API_SCOPES, ApiClient, Department, Jurisdiction, Membership

TOKEN_PREFIX = "sp_"


def ensure_jurisdiction(*, code: str, name: str, level: str, parent: Jurisdiction | None) -> Jurisdiction:
    obj, _ = Jurisdiction.objects.update_or_create(
        code=code, defaults={"name": name, "level": level, "parent": parent})
    return obj


@transaction.atomic
def ensure_department(*, actor=None, code: str, name: str, type: str, jurisdiction: Jurisdiction,
                      short_name: str = "", parent: Department | None = None,
                      is_supervision_office: bool = False, doc_abbr: str = "") -> Department:
    """Create or update a department by its stable code, with its access group. `doc_abbr` (机关代字) is set
    from the preset where the department has none yet: an administrator's own value is never overwritten."""
    if type not in Department.Type.values:
        raise DomainError.for_field("type", f"未知的单位类型：{type}")
    existing = Department.objects.filter(code=code).first()
    values = {"name": name, "short_name": short_name, "type": type, "jurisdiction": jurisdiction,
              "parent": parent, "is_supervision_office": is_supervision_office}
    if doc_abbr and (existing is None or not existing.doc_abbr):
        values["doc_abbr"] = doc_abbr
    if existing is None:
        group, _ = Group.objects.get_or_create(name=f"department:{code}")
        dept = Department.objects.create(code=code, group=group, **values)
        record(actor=actor, obj=dept, action="department.created",
               after={"code": code, "name": name, "type": type})
        return dept
    changed = {k: v for k, v in values.items() if getattr(existing, k) != v}
    if changed:
        before = {k: str(getattr(existing, k)) for k in changed}
        for k, v in changed.items():
            setattr(existing, k, v)
        existing.save(update_fields=list(changed))
        record(actor=actor, obj=existing, action="department.updated", before=before,
               after={k: str(v) for k, v in changed.items()})
    return existing


@transaction.atomic
def add_membership(*, actor=None, user, department: Department, role: str) -> Membership:
    if role not in Membership.Role.values:
        raise DomainError.for_field("role", f"未知的角色：{role}")
    if role == Membership.Role.SUPERVISOR and not department.is_supervision_office:
        raise DomainError.for_field(
            "role", f"监管人员须属于综合监管办公室，{department.name}不是综合监管办公室")
    from casework.org import duties

    if role in ADMIN_DUTIES:
        duties.assign_duty(user=user, duty=role)  # no department group: a duty reads no case
    else:
        duties.refuse_case_role_for_duty_holder(user=user, role=role)
    membership, created = Membership.objects.get_or_create(user=user, department=department, role=role)
    # this user object's cached reads are stale now
    user._portal_departments = user._portal_supervised = None
    if role not in ADMIN_DUTIES:
        user.groups.add(department.group)
    if created:
        record(actor=actor, obj=membership, action="membership.added",
               after={"user": user.username, "department": department.code, "role": role})
    return membership


def _hash_token(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


NAME_RE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.-]{1,63}$")


def _check_scopes(scopes) -> list[str]:
    scopes = sorted(set(scopes or []))
    unknown = [s for s in scopes if s not in API_SCOPES]
    if unknown:
        raise DomainError.for_field("scopes", f"未知的权限范围：{'、'.join(unknown)}；可选：{'、'.join(API_SCOPES)}")
    return scopes


@transaction.atomic
def create_api_client(*, actor=None, name: str, department: Department, scopes=None,
                      expires_at=None) -> tuple[ApiClient, str]:
    """Create a client and return it with its token; only the token's hash is stored. `scopes` limits what the
    token may do (empty: everything its department may); `expires_at` ends it."""
    scopes = _check_scopes(scopes)
    if expires_at is not None and expires_at <= timezone.now():
        raise DomainError.for_field("expires_at", "有效期须晚于现在")
    if not NAME_RE.match(name or ""):
        raise DomainError.for_field(
            "name", "客户端名称须为 2–64 位字母、数字、点、下划线或连字符，且以字母或数字开头")
    if ApiClient.objects.filter(name=name).exists():
        raise Conflict(f"接口客户端“{name}”已存在", field_errors={"name": ["已存在"]})
    User = get_user_model()
    try:
        with transaction.atomic():
            user = User.objects.create(username=f"api.{name}"[:150], is_active=True)
    except IntegrityError as exc:
        raise Conflict(f"用户名 api.{name} 已被占用") from exc
    user.set_unusable_password()
    user.save(update_fields=["password"])
    add_membership(actor=actor, user=user, department=department, role=Membership.Role.API)
    token = TOKEN_PREFIX + secrets.token_urlsafe(32)
    client = ApiClient.objects.create(name=name, department=department, user=user,
                                      key_prefix=token[:10], key_hash=_hash_token(token), scopes=scopes,
                                      expires_at=expires_at)
    record(actor=actor, obj=client, action="apiclient.created",
           after={"name": name, "department": department.code, "key_prefix": client.key_prefix, "scopes": scopes,
                  "expires_at": expires_at})
    return client, token


@transaction.atomic
def rotate_api_client_token(*, actor=None, client: ApiClient) -> str:
    token = TOKEN_PREFIX + secrets.token_urlsafe(32)
    before = {"key_prefix": client.key_prefix}
    client.key_prefix, client.key_hash, client.revoked_at = token[:10], _hash_token(token), None
    client.save(update_fields=["key_prefix", "key_hash", "revoked_at"])
    record(actor=actor, obj=client, action="apiclient.token_rotated", before=before,
           after={"key_prefix": client.key_prefix})
    return token


@transaction.atomic
def revoke_api_client(*, actor=None, client: ApiClient) -> ApiClient:
    """Stop the client's token at once (rotation issues a new one)."""
    client = ApiClient.objects.select_for_update().get(pk=client.pk)
    if client.revoked_at is None:
        client.revoked_at = timezone.now()
        client.save(update_fields=["revoked_at"])
        record(actor=actor, obj=client, action="apiclient.revoked", after={"key_prefix": client.key_prefix})
    return client


def authenticate_token(token: str) -> ApiClient | None:
    """The client holding `token`: not revoked, not expired, its service user active."""
    if not token or len(token) > 200:
        return None
    client = (ApiClient.objects.select_related("user", "department")
              .filter(key_hash=_hash_token(token), revoked_at__isnull=True).first())
    if client is None or not client.user.is_active:
        return None
    if client.expires_at is not None and client.expires_at <= timezone.now():
        return None
    return client


def required_scope(method: str, path: str) -> str:
    """The scope an API request needs (see API_SCOPES)."""
    if path.startswith("/api/v1/credit/eligibility/"):
        return "eligibility:read"
    if path.startswith("/api/v1/clues/") and method not in ("GET", "HEAD", "OPTIONS"):
        return "clues:push"
    return "read" if method in ("GET", "HEAD", "OPTIONS") else "write"


def token_allows(client: ApiClient, method: str, path: str) -> bool:
    return not client.scopes or required_scope(method, path) in client.scopes


@transaction.atomic
def load_org_preset(*, actor=None, preset: str) -> list[Department]:
    """Jurisdictions, departments (from the seed document) and rule profiles for a preset."""
    from casework import presets
    from casework.rules.services import load_rule_preset

    data = presets.read("org", preset)
    by_code: dict[str, Jurisdiction] = {}
    for item in data["jurisdictions"]:
        by_code[item["code"]] = ensure_jurisdiction(
            code=item["code"], name=item["name"], level=item["level"],
            parent=by_code.get(item["parent"]) if item["parent"] else None)
    for item in data["jurisdictions"]:
        if item.get("profile"):
            load_rule_preset(actor=actor, jurisdiction=by_code[item["code"]], preset=item["profile"])
    departments: dict[str, Department] = {}
    pending = list(data["departments"])
    while pending:  # parents first, whatever the file order
        progressed = False
        for item in list(pending):
            parent_code = item.get("parent") or ""
            if parent_code and parent_code not in departments:
                continue
            departments[item["code"]] = ensure_department(
                actor=actor, code=item["code"], name=item["name"], type=item["type"],
                short_name=item.get("short_name", ""), jurisdiction=by_code[item["jurisdiction"]],
                parent=departments.get(parent_code), is_supervision_office=item.get("supervision_office", False),
                doc_abbr=item.get("doc_abbr", ""))
            pending.remove(item)
            progressed = True
        if not progressed:
            raise DomainError(f"预设 {preset} 中的上级单位无法解析：{[i['code'] for i in pending]}")
    return list(departments.values())


def grant(codename: str, departments, obj) -> None:
    """Give each department's group the object permission `codename` on obj: two queries, however many
    departments (guardian's assign_perm takes about six per group), one once the permission's id is memoised in the
request. Granting twice is harmless."""
    from django.contrib.auth.models import Permission
    from django.contrib.contenttypes.models import ContentType
    from guardian.models import GroupObjectPermission

    from casework.memo import memo

    ct = ContentType.objects.get_for_model(obj)
    perm_id = memo(("perm", ct.pk, codename), lambda: Permission.objects.filter(
        content_type=ct, codename=codename).values_list("id", flat=True).get())
    GroupObjectPermission.objects.bulk_create(
        [GroupObjectPermission(permission_id=perm_id, content_type=ct, object_pk=str(obj.pk), group_id=d.group_id)
         for d in departments], ignore_conflicts=True)


@transaction.atomic
def ensure_provincial_supervision(*, actor=None, code: str, name: str, office_code: str, office_name: str,
                                  cities: list[Jurisdiction]) -> Department:
    """One deployment serving several cities (each loaded from its own preset, with its own profile, staff,
    letters and public portal): a province-level jurisdiction above them and its supervision office, whose
    supervisors oversee every city below (org.selectors.supervised_jurisdiction_ids follows the tree)."""
    province = ensure_jurisdiction(code=code, name=name, level=Jurisdiction.Level.PROVINCE, parent=None)
    for city in cities:
        if city.parent_id not in (None, province.pk):
            raise DomainError.for_field("cities", f"{city.name}已隶属于{city.parent.name}")
        if city.parent_id != province.pk:
            city.parent = province
            city.save(update_fields=["parent"])
            record(actor=actor, obj=city, action="jurisdiction.attached", after={"parent": province.code})
    return ensure_department(actor=actor, code=office_code, name=office_name, type=Department.Type.DRC,
                             jurisdiction=province, is_supervision_office=True)
