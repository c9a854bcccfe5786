import datetime as dt

from django.utils import timezone
from drf_spectacular.extensions import OpenApiAuthenticationExtension
from rest_framework import authentication, exceptions

from casework.org.models import ApiClient
from casework.org.services import authenticate_token, required_scope, token_allows


class ApiClientAuthentication(authentication.BaseAuthentication):
    """`Authorization: Bearer <token>`: the client acts as its department's service user."""

    keyword = "bearer"

    def authenticate(self, request):
        header = authentication.get_authorization_header(request).decode("latin-1").split()
        if not header or header[0].lower() != self.keyword:
            return None
        if len(header) != 2:
            raise exceptions.AuthenticationFailed("Authorization 头格式应为：Bearer <令牌>")
        client = authenticate_token(header[1])
        if client is None:
            raise exceptions.AuthenticationFailed("令牌无效、已停用或已过期")
        if not token_allows(client, request.method, request.path):
            raise exceptions.PermissionDenied(
                f"该令牌的权限范围不含此操作（需要“{required_scope(request.method, request.path)}”）")
        now = timezone.now()
        # Recorded to the minute: no write (and no commit) on every request of a busy client.
        if client.last_used_at is None or now - client.last_used_at > dt.timedelta(minutes=1):
            ApiClient.objects.filter(pk=client.pk).update(last_used_at=now)
        request.api_client = client
        return client.user, client

    def authenticate_header(self, request):
        return 'Bearer realm="api"'



class ApiClientAuthenticationScheme(OpenApiAuthenticationExtension):
    """Describes the bearer token in the OpenAPI schema."""

    target_class = "casework.api_auth.ApiClientAuthentication"
    name = "bearerAuth"

    def get_security_definition(self, auto_schema):
        return {"type": "http", "scheme": "bearer",
                "description": "接口客户端令牌：python manage.py apiclient create NAME --department CODE"}
