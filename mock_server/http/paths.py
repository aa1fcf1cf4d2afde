"""`PlainPaths`: the routes without a variable part, one aiohttp resource per folder (see
docs/performance.md, "Plain paths by folder")."""

from __future__ import annotations

from collections.abc import Iterable, Iterator

from aiohttp import hdrs, web
from yarl import URL

__all__ = ["PlainPaths", "one_resource"]


class PlainPaths(web.AbstractResource):
    """The `web.PlainResource`s of one folder (`/api/v1/generate/...`) behind one: a request's
    path picks its resource by a dict lookup, and that resource answers as it would on its own
    (its routes, the methods it allows, the match it makes). aiohttp's router tries it where
    it would try a resource of the folder itself: one step after where it found the path's
    own resource, next to resources with a variable part, none of which matches a plain path
    here (`one_resource` checks)."""

    def __init__(self, folder: str, resources: Iterable[web.PlainResource]) -> None:
        super().__init__()
        self._folder = folder
        self._frozen = False
        self._by_path = {resource.canonical: resource for resource in resources}
        # Each path's routes by method and the methods it allows, as its resource answers
        # them (read here, not asked of the resource per request: one coroutine less).
        self._routes: dict[str, tuple[dict[str, web.AbstractRoute], set[str]]] = {
            path: ({r.method: r for r in resource}, {r.method for r in resource})
            for path, resource in self._by_path.items()
        }

    @property
    def canonical(self) -> str:
        return self._folder

    def url_for(self, **kwargs: str) -> URL:
        raise NotImplementedError("PlainPaths holds many paths: ask the resource of one")

    async def resolve(
        self, request: web.Request
    ) -> tuple[web.UrlMappingMatchInfo | None, set[str]]:
        found = self._routes.get(request.rel_url.path_safe)
        if found is None:
            return None, set()
        routes, allowed = found
        route = routes.get(request.method) or routes.get(hdrs.METH_ANY)
        if route is None:
            return None, allowed
        return web.UrlMappingMatchInfo({}, route), allowed

    def add_prefix(self, prefix: str) -> None:
        raise NotImplementedError("PlainPaths is registered as it is, not in a sub-application")

    def get_info(self) -> dict[str, object]:  # type: ignore[override]
        return {"paths": tuple(self._by_path)}

    def freeze(self) -> None:
        # Every app that is started freezes its resources, and these are shared by all of
        # them (see docs/performance.md, "Plain paths by folder"): a plain resource's freeze
        # changes nothing the second time.
        if self._frozen:
            return
        for resource in self._by_path.values():
            resource.freeze()
        self._frozen = True

    def raw_match(self, path: str) -> bool:
        return path in self._by_path

    def __len__(self) -> int:
        return sum(len(resource) for resource in self._by_path.values())

    def __iter__(self) -> Iterator[web.AbstractRoute]:
        for resource in self._by_path.values():
            yield from resource

    def __repr__(self) -> str:
        return f"<PlainPaths {self._folder} {len(self._by_path)} paths>"


def one_resource(resources: Iterable[web.AbstractResource]) -> list[web.AbstractResource]:
    """`resources` (a router's, in order) with the plain ones gathered by folder, one
    `PlainPaths` each, ahead of the last (the route that takes every request no other
    matches): the variable ones, then the folders, then that last route. ValueError if a
    variable resource matches a plain path, which would then win where the plain one used to."""
    *variable, last = list(resources)
    plain = [r for r in variable if type(r) is web.PlainResource]
    variable = [r for r in variable if type(r) is not web.PlainResource]
    for resource in variable:
        shadowed = [p.canonical for p in plain if _matches(resource, p.canonical)]
        if shadowed:
            raise ValueError(f"{resource!r} also matches the plain paths {shadowed}")
    # A path goes with its folder's; a path that is itself a folder of others (the generate
    # route, /api/v1/generate) heads its own, where the router looks first for it.
    parents = {_folder(r.canonical) for r in plain}
    folders: dict[str, list[web.PlainResource]] = {}
    for resource in plain:
        path = resource.canonical
        folders.setdefault(path if path in parents else _folder(path), []).append(resource)
    tables = [PlainPaths(folder, group) for folder, group in folders.items()]
    return [*variable, *tables, last]


def _folder(path: str) -> str:
    return path.rpartition("/")[0] or "/"


def _matches(resource: web.AbstractResource, path: str) -> bool:
    info = resource.get_info()
    pattern = info.get("pattern")
    return pattern is not None and pattern.fullmatch(path) is not None
