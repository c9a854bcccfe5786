"""Saving and removing a named filter of a list. The query string is cleaned (no page, no export) and the list
address must be one of the portal's lists, so a saved link can only lead back to a list."""

from __future__ import annotations

from urllib.parse import parse_qsl, urlencode

from django.db import IntegrityError, transaction
from django.urls import Resolver404, resolve

from casework.errors import DomainError, NotFound
from casework.org.selectors import user_departments
from casework.savedviews.models import SavedView

DROPPED = {"page", "export", "limit", "offset"}
MAX_PER_LIST = 30


def list_path(path: str) -> str:
    path = (path or "").strip()
    if not path.startswith("/") or path.startswith("//") or "?" in path:
        raise DomainError.for_field("path", "列表地址无效")
    try:
        match = resolve(path)
    except Resolver404 as exc:
        raise DomainError.for_field("path", "列表地址无效") from exc
    if not getattr(match.func, "saves_views", False):
        raise DomainError.for_field("path", "该页面不是可保存筛选的列表")
    return path


def clean_query(query: str) -> str:
    pairs = [(k, v) for k, v in parse_qsl((query or "").lstrip("?"), keep_blank_values=False)
             if k not in DROPPED and v.strip()]
    return urlencode(pairs)


def save_view(*, actor, path: str, name: str, query: str, share: bool = False) -> SavedView:
    name = (name or "").strip()
    if not name:
        raise DomainError.for_field("name", "请填写名称，如“我的超期”")
    if len(name) > 60:
        raise DomainError.for_field("name", "名称不超过60个字")
    path = list_path(path)
    query = clean_query(query)
    if len(query) > 1000:
        raise DomainError.for_field("query", "筛选条件过长")
    department = None
    if share:
        depts = user_departments(actor)
        if not depts:
            raise DomainError.for_field("share", "您不属于任何单位，不能共享")
        department = depts[0]
    if SavedView.objects.filter(owner=actor, path=path).count() >= MAX_PER_LIST:
        raise DomainError.for_field("name", f"每个列表最多保存 {MAX_PER_LIST} 个筛选，请先删除不用的")
    existing = SavedView.objects.filter(owner=actor, path=path, name=name).first()
    if existing:  # saving again under the same name replaces the filter (a double click changes nothing)
        existing.query, existing.department = query, department
        existing.save(update_fields=["query", "department"])
        return existing
    try:
        with transaction.atomic():
            return SavedView.objects.create(owner=actor, path=path, name=name, query=query, department=department)
    except IntegrityError:  # two tabs saving the same name at once
        return SavedView.objects.get(owner=actor, path=path, name=name)


def delete_view(*, actor, pk: int) -> None:
    deleted, _ = SavedView.objects.filter(pk=pk, owner=actor).delete()
    if not deleted:
        raise NotFound("未找到该保存的筛选（只能删除自己保存的）")
