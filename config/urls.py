from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerSplitView

from casework import health  # noqa: E402
from casework.accounts import views as account_views
from public import views as public_views

urlpatterns = [
    path("healthz", health.healthz, name="healthz"),
    path("readyz", health.readyz, name="readyz"),
    path("metrics", health.metrics, name="metrics"),
    path("login/", account_views.LoginView.as_view(), name="login"),
    path("logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("password_change/", account_views.PasswordChangeView.as_view(), name="password_change"),
    path("password_change/done/", auth_views.PasswordChangeDoneView.as_view(), name="password_change_done"),
    path("account/two-factor/setup/", account_views.two_factor_setup, name="two_factor_setup"),
    path("account/two-factor/verify/", account_views.two_factor_verify, name="two_factor_verify"),
    path("account/two-factor/recovery-codes/", account_views.recovery_codes, name="recovery_codes"),
    path("captcha/", include("captcha.urls")),
    path("admin/", admin.site.urls),
    path("api/v1/", include("casework.api_urls")),
    path("api/v1/", include("referrals.api_urls")),
    path("referrals/", include("referrals.urls")),
    path("api/v1/", include("complaints.api_urls")),
    path("complaints/", include("complaints.urls")),
    path("api/v1/", include("credit.api_urls")),
    path("credit/", include("credit.urls")),
    path("api/v1/", include("jointaction.api_urls")),
    path("joint/", include("jointaction.urls")),
    path("api/v1/", include("inspections.api_urls")),
    path("inspections/", include("inspections.urls")),
    path("api/v1/", include("consultations.api_urls")),
    path("consultations/", include("consultations.urls")),
    path("api/v1/", include("supervision.api_urls")),
    path("api/v1/", include("public.api_urls")),
    path("public/", include("public.urls")),
    path("supervision/", include("supervision.urls")),
    path("api/v1/", include("risk.api_urls")),
    path("risk/", include("risk.urls")),
    path("audit/", include("casework.events.urls")),
    path("api/schema/", SpectacularAPIView.as_view(), name="api-schema"),
    path("api/docs/", SpectacularSwaggerSplitView.as_view(url_name="api-schema"), name="api-docs"),
    path("", public_views.home, name="home"),  # the public portal; staff keep their workbench here
    path("", include("casework.urls")),
]
