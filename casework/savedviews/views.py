from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect
from django.views.decorators.http import require_POST

from casework.savedviews import services


def lists_saved_views(view):
    """Marks a list view whose filters may be saved (the only pages a saved view may point to)."""
    view.saves_views = True
    return view


@login_required
@require_POST
def save(request):
    view = services.save_view(actor=request.user, path=request.POST.get("path", ""),
                              name=request.POST.get("name", ""), query=request.POST.get("query", ""),
                              share=request.POST.get("share") == "1")
    messages.success(request, f"已保存筛选“{view.name}”")
    return redirect(view.url)


@login_required
@require_POST
def delete(request, pk: int):
    try:
        back = services.list_path(request.POST.get("path", ""))
    except Exception:
        back = "casework:workbench"
    services.delete_view(actor=request.user, pk=pk)
    messages.info(request, "已删除保存的筛选")
    return redirect(back)
