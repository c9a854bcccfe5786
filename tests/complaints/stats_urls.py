"""URLconf for the statistics tests: the project's URLs, plus the statistics pages under the
`complaints` namespace unless config.urls already provides them.

- no `complaints` namespace yet: add one holding just the statistics pages;
- a `complaints` namespace without the statistics pages: the same namespace, with them added;
- a `complaints` namespace that already has them: the project's URLs unchanged.
"""

from django.urls import URLResolver, include, path, re_path
from django.urls.resolvers import RegexPattern

from complaints.statistics_views import statistics_urlpatterns
from config.urls import urlpatterns as project_urlpatterns


def _names(resolver: URLResolver) -> set[str]:
    return {getattr(p, "name", None) for p in resolver.url_patterns}


def _with_statistics(patterns) -> list:
    result, found = [], False
    for p in patterns:
        if isinstance(p, URLResolver) and p.namespace == "complaints":
            found = True
            if "statistics" not in _names(p):
                make = re_path if isinstance(p.pattern, RegexPattern) else path
                p = make(str(p.pattern), include((list(p.url_patterns) + statistics_urlpatterns, p.app_name),
                                                 namespace=p.namespace))
        result.append(p)
    if not found:
        result.append(path("complaints/", include((statistics_urlpatterns, "complaints"))))
    return result


urlpatterns = _with_statistics(project_urlpatterns)
