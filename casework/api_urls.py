from django.urls import path

from casework import api
from casework.attachments import views as attachment_views
from casework.letters import api as letter_api

urlpatterns = [
    path("departments/", api.DepartmentList.as_view(), name="api-departments"),
    path("clocks/", api.ClockList.as_view(), name="api-clocks"),
    path("clocks/<int:pk>/", api.ClockDetail.as_view(), name="api-clock"),
    path("letters/", letter_api.LetterList.as_view(), name="api-letters"),
    path("files/<int:pk>/", attachment_views.AttachmentDownload.as_view(), name="api-attachment"),
]
