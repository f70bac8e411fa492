"""A test-only Iceberg REST catalog on loopback, over pyiceberg's SQL catalog.

Polaris (Java) cannot run here, so the tests speak to this instead, exactly as to a
real catalog: DuckDB's iceberg extension and pyiceberg's own REST client connect
over HTTP, authenticate with OAuth2 client credentials (or a fixed bearer token),
and create, load, commit and drop tables. Table metadata and data files live in a
local warehouse directory; the catalog never vends storage credentials, so clients
attach with ``ACCESS_DELEGATION_MODE 'none'``.

Like Polaris, the catalog serves its API under a prefix named after the warehouse
(``/v1/config?warehouse=NAME`` answers ``overrides.prefix = NAME``) and issues
tokens at ``/v1/oauth/tokens``. It is never shipped: it lives under ``tests/``.

Only what the tests need of the REST specification is implemented; anything else
answers 404 or 501 in the specification's error shape, so a client relying on it
fails visibly instead of silently.
"""

from __future__ import annotations

import base64
import json
import re
import secrets
import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from http import HTTPStatus
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, unquote, urlsplit

from pyiceberg.catalog.rest import CreateTableRequest, TableResponse
from pyiceberg.catalog.sql import SqlCatalog
from pyiceberg.exceptions import (
    CommitFailedException,
    NamespaceAlreadyExistsError,
    NamespaceNotEmptyError,
    NoSuchNamespaceError,
    NoSuchTableError,
    TableAlreadyExistsError,
)
from pyiceberg.partitioning import UNPARTITIONED_PARTITION_SPEC
from pyiceberg.table import CommitTableRequest
from pyiceberg.table.metadata import new_table_metadata
from pyiceberg.table.sorting import UNSORTED_SORT_ORDER

NAMESPACE_SEPARATOR = "\x1f"


@dataclass(frozen=True)
class Request:
    """What the catalog saw: for assertions on the protocol a client spoke."""

    method: str
    path: str
    authorization: str | None


class CatalogError(Exception):
    def __init__(self, status: HTTPStatus, kind: str, message: str) -> None:
        super().__init__(message)
        self.status, self.kind, self.message = status, kind, message


@dataclass
class RestCatalog:
    """The catalog's state; ``serve`` runs it on 127.0.0.1 with an ephemeral port."""

    root: Path
    warehouse: str = "floe_wh"
    client_id: str = "floe-client"
    client_secret: str = "s3cr3t-'quoted\"-value"  # a quote, so quoting is exercised
    static_token: str | None = None
    requests: list[Request] = field(default_factory=list)
    tokens: set[str] = field(default_factory=set)
    failures: list[str] = field(default_factory=list)
    scopes: list[str | None] = field(default_factory=list)
    _lock: threading.Lock = field(default_factory=threading.Lock)
    _server: ThreadingHTTPServer | None = None
    _thread: threading.Thread | None = None
    _sql: SqlCatalog | None = None

    @property
    def sql_catalog(self) -> SqlCatalog:
        """The pyiceberg SQL catalog behind the REST API (direct access for tests)."""
        if self._sql is None:
            data = self.root / "data"
            data.mkdir(parents=True, exist_ok=True)
            self._sql = SqlCatalog(
                self.warehouse,
                uri=f"sqlite:///{self.root / 'catalog.db'}",
                warehouse=data.as_uri(),
            )
        return self._sql

    @property
    def uri(self) -> str:
        """The catalog API root, as a client's endpoint (``http://127.0.0.1:PORT``)."""
        assert self._server is not None, "the catalog is not serving"
        host, port = self._server.server_address[:2]
        return f"http://{host!s}:{port}"

    @property
    def port(self) -> int:
        assert self._server is not None, "the catalog is not serving"
        return int(self._server.server_address[1])

    def serve(self, port: int = 0) -> None:
        """Listen on 127.0.0.1 (``port`` 0: an ephemeral one) in a daemon thread."""
        self.sql_catalog  # noqa: B018 - create the database before the first request
        handler = _handler_for(self)
        self._server = ThreadingHTTPServer(("127.0.0.1", port), handler)
        self._server.daemon_threads = True
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)
        self._thread.start()

    def stop(self) -> None:
        """Stop listening; ``uri`` then refuses connections."""
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()
        if self._thread is not None:
            self._thread.join(timeout=10)

    # -- protocol --------------------------------------------------------------

    def handle(self, method: str, target: str, headers: dict[str, str], body: bytes) -> Any:
        url = urlsplit(target)
        path = url.path
        query = {key: values[-1] for key, values in parse_qs(url.query).items()}
        with self._lock:
            self.requests.append(Request(method, path, headers.get("authorization")))
            if method == "POST" and path == "/v1/oauth/tokens":
                return self._token(headers, body)
            self._authorize(headers)
            if method == "GET" and path == "/v1/config":
                return self._config(query)
            for pattern, route_method, action in self._routes():
                match = re.fullmatch(pattern, path)
                if match and route_method == method:
                    prefix, *rest = (unquote(group) for group in match.groups())
                    if prefix != self.warehouse:
                        raise CatalogError(
                            HTTPStatus.NOT_FOUND,
                            "NotFoundException",
                            f"unknown warehouse {prefix!r}",
                        )
                    return action(*rest, body=_json(body), query=query)
            raise CatalogError(
                HTTPStatus.NOT_FOUND, "NotFoundException", f"no route {method} {path}"
            )

    def _routes(self) -> list[tuple[str, str, Callable[..., Any]]]:
        name = r"([^/]+)"
        base = r"/v1/([^/]+)"
        return [
            (f"{base}/namespaces", "GET", self._list_namespaces),
            (f"{base}/namespaces", "POST", self._create_namespace),
            (f"{base}/namespaces/{name}", "GET", self._load_namespace),
            (f"{base}/namespaces/{name}", "HEAD", self._load_namespace),
            (f"{base}/namespaces/{name}", "DELETE", self._drop_namespace),
            (f"{base}/namespaces/{name}/tables", "GET", self._list_tables),
            (f"{base}/namespaces/{name}/tables", "POST", self._create_table),
            (f"{base}/namespaces/{name}/tables/{name}", "GET", self._load_table),
            (f"{base}/namespaces/{name}/tables/{name}", "HEAD", self._load_table),
            (f"{base}/namespaces/{name}/tables/{name}", "POST", self._commit_table),
            (f"{base}/namespaces/{name}/tables/{name}", "DELETE", self._drop_table),
            (f"{base}/tables/rename", "POST", self._rename_table),
            (f"{base}/transactions/commit", "POST", self._commit_transaction),
        ]

    def _token(self, headers: dict[str, str], body: bytes) -> Any:
        form = {key: values[-1] for key, values in parse_qs(body.decode()).items()}
        client_id, client_secret = form.get("client_id"), form.get("client_secret")
        basic = headers.get("authorization", "")
        if basic.lower().startswith("basic "):
            decoded = base64.b64decode(basic[6:]).decode()
            client_id, _, client_secret = decoded.partition(":")
            client_id, client_secret = unquote(client_id), unquote(client_secret)
        self.scopes.append(form.get("scope"))
        if form.get("grant_type") != "client_credentials":
            raise CatalogError(
                HTTPStatus.BAD_REQUEST,
                "unsupported_grant_type",
                "grant_type must be client_credentials",
            )
        if client_id != self.client_id or client_secret != self.client_secret:
            raise CatalogError(HTTPStatus.UNAUTHORIZED, "invalid_client", "invalid client")
        token = secrets.token_urlsafe(24)
        self.tokens.add(token)
        return {
            "access_token": token,
            "token_type": "bearer",
            "expires_in": 3600,
            "issued_token_type": "urn:ietf:params:oauth:token-type:access_token",
        }

    def _authorize(self, headers: dict[str, str]) -> None:
        authorization = headers.get("authorization", "")
        scheme, _, token = authorization.partition(" ")
        valid = token in self.tokens or (
            self.static_token is not None and token == self.static_token
        )
        if scheme.lower() != "bearer" or not valid:
            raise CatalogError(
                HTTPStatus.UNAUTHORIZED, "NotAuthorizedException", "missing or invalid bearer token"
            )

    def _config(self, query: dict[str, str]) -> Any:
        warehouse = query.get("warehouse")
        if warehouse is not None and warehouse != self.warehouse:
            raise CatalogError(
                HTTPStatus.NOT_FOUND, "NotFoundException", f"unknown warehouse {warehouse!r}"
            )
        return {"defaults": {}, "overrides": {"prefix": self.warehouse}}

    def _list_namespaces(self, *, body: Any, query: dict[str, str]) -> Any:
        parent = query.get("parent")
        if parent:
            return {"namespaces": []}
        names = self.sql_catalog.list_namespaces()
        return {"namespaces": [list(name) for name in names]}

    def _create_namespace(self, *, body: Any, query: dict[str, str]) -> Any:
        namespace = tuple(body["namespace"])
        properties = body.get("properties") or {}
        try:
            self.sql_catalog.create_namespace(namespace, properties)
        except NamespaceAlreadyExistsError as error:
            raise CatalogError(HTTPStatus.CONFLICT, "AlreadyExistsException", str(error)) from None
        return {"namespace": list(namespace), "properties": properties}

    def _load_namespace(self, namespace: str, *, body: Any, query: dict[str, str]) -> Any:
        parts = _namespace(namespace)
        try:
            properties = self.sql_catalog.load_namespace_properties(parts)
        except NoSuchNamespaceError as error:
            raise CatalogError(
                HTTPStatus.NOT_FOUND, "NoSuchNamespaceException", str(error)
            ) from None
        return {"namespace": list(parts), "properties": properties}

    def _drop_namespace(self, namespace: str, *, body: Any, query: dict[str, str]) -> Any:
        try:
            self.sql_catalog.drop_namespace(_namespace(namespace))
        except NoSuchNamespaceError as error:
            raise CatalogError(
                HTTPStatus.NOT_FOUND, "NoSuchNamespaceException", str(error)
            ) from None
        except NamespaceNotEmptyError as error:
            raise CatalogError(
                HTTPStatus.CONFLICT, "NamespaceNotEmptyException", str(error)
            ) from None
        return None

    def _list_tables(self, namespace: str, *, body: Any, query: dict[str, str]) -> Any:
        parts = _namespace(namespace)
        try:
            tables = self.sql_catalog.list_tables(parts)
        except NoSuchNamespaceError as error:
            raise CatalogError(
                HTTPStatus.NOT_FOUND, "NoSuchNamespaceException", str(error)
            ) from None
        return {"identifiers": [{"namespace": list(parts), "name": table[-1]} for table in tables]}

    def _create_table(self, namespace: str, *, body: Any, query: dict[str, str]) -> Any:
        parts = _namespace(namespace)
        request = CreateTableRequest.model_validate({"location": None, **body})
        identifier = (*parts, request.name)
        if not self.sql_catalog.namespace_exists(parts):
            raise CatalogError(
                HTTPStatus.NOT_FOUND, "NoSuchNamespaceException", f"no namespace {namespace}"
            )
        if self.sql_catalog.table_exists(identifier):
            raise CatalogError(
                HTTPStatus.CONFLICT, "AlreadyExistsException", f"table {request.name} exists"
            )
        location = request.location or self._table_location(parts, request.name)
        _make_directories(location)
        if request.stage_create:
            metadata = new_table_metadata(
                schema=request.table_schema,
                partition_spec=request.partition_spec or UNPARTITIONED_PARTITION_SPEC,
                sort_order=request.write_order or UNSORTED_SORT_ORDER,
                location=location,
                properties=request.properties,
            )
            return _table_response(None, metadata)
        try:
            table = self.sql_catalog.create_table(
                identifier,
                schema=request.table_schema,
                location=location,
                partition_spec=request.partition_spec or UNPARTITIONED_PARTITION_SPEC,
                sort_order=request.write_order or UNSORTED_SORT_ORDER,
                properties=request.properties,
            )
        except TableAlreadyExistsError as error:
            raise CatalogError(HTTPStatus.CONFLICT, "AlreadyExistsException", str(error)) from None
        return _table_response(table.metadata_location, table.metadata)

    def _table_location(self, namespace: tuple[str, ...], name: str) -> str:
        return (self.root / "data" / ".".join(namespace) / name).as_uri()

    def _load_table(self, namespace: str, name: str, *, body: Any, query: dict[str, str]) -> Any:
        try:
            table = self.sql_catalog.load_table((*_namespace(namespace), name))
        except NoSuchTableError as error:
            raise CatalogError(HTTPStatus.NOT_FOUND, "NoSuchTableException", str(error)) from None
        return _table_response(table.metadata_location, table.metadata)

    def _commit_table(self, namespace: str, name: str, *, body: Any, query: dict[str, str]) -> Any:
        body = {"identifier": {"namespace": list(_namespace(namespace)), "name": name}, **body}
        return self._commit(CommitTableRequest.model_validate(body))

    def _commit_transaction(self, *, body: Any, query: dict[str, str]) -> Any:
        changes = [CommitTableRequest.model_validate(change) for change in body["table-changes"]]
        for change in changes:
            self._commit(change)
        return None

    def _commit(self, request: CommitTableRequest) -> Any:
        identifier = (*request.identifier.namespace.root, request.identifier.name)
        try:
            response = self.sql_catalog.commit_table(
                _Named(identifier),  # type: ignore[arg-type]  # only .name() is used
                request.requirements,
                request.updates,
            )
        except CommitFailedException as error:
            raise CatalogError(HTTPStatus.CONFLICT, "CommitFailedException", str(error)) from None
        except NoSuchTableError as error:
            raise CatalogError(HTTPStatus.NOT_FOUND, "NoSuchTableException", str(error)) from None
        return json.loads(response.model_dump_json(by_alias=True))

    def _drop_table(self, namespace: str, name: str, *, body: Any, query: dict[str, str]) -> Any:
        identifier = (*_namespace(namespace), name)
        try:
            if query.get("purgeRequested") == "true":
                self.sql_catalog.purge_table(identifier)
            else:
                self.sql_catalog.drop_table(identifier)
        except NoSuchTableError as error:
            raise CatalogError(HTTPStatus.NOT_FOUND, "NoSuchTableException", str(error)) from None
        return None

    def _rename_table(self, *, body: Any, query: dict[str, str]) -> Any:
        source, destination = body["source"], body["destination"]
        try:
            self.sql_catalog.rename_table(
                (*source["namespace"], source["name"]),
                (*destination["namespace"], destination["name"]),
            )
        except NoSuchTableError as error:
            raise CatalogError(HTTPStatus.NOT_FOUND, "NoSuchTableException", str(error)) from None
        except TableAlreadyExistsError as error:
            raise CatalogError(HTTPStatus.CONFLICT, "AlreadyExistsException", str(error)) from None
        return None


@dataclass(frozen=True)
class _Named:
    identifier: tuple[str, ...]

    def name(self) -> tuple[str, ...]:
        return self.identifier


def _make_directories(location: str) -> None:
    # Object stores have no directories; a local warehouse does, and DuckDB writes
    # files without creating their parents, so the catalog prepares them.
    if location.startswith("file:"):
        from urllib.request import url2pathname

        path = Path(url2pathname(urlsplit(location).path))
        for part in ("data", "metadata"):
            (path / part).mkdir(parents=True, exist_ok=True)


def _namespace(text: str) -> tuple[str, ...]:
    return tuple(text.split(NAMESPACE_SEPARATOR))


def _json(body: bytes) -> Any:
    return json.loads(body) if body.strip() else None


def _table_response(location: str | None, metadata: Any) -> Any:
    response = TableResponse(**{"metadata-location": location, "metadata": metadata})
    return json.loads(response.model_dump_json(by_alias=True, exclude_none=True))


def _handler_for(catalog: RestCatalog) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def log_message(self, format: str, *args: Any) -> None:
            return  # quiet: pytest shows failures, not every request

        def _respond(self) -> None:
            length = int(self.headers.get("content-length") or 0)
            body = self.rfile.read(length) if length else b""
            headers = {key.lower(): value for key, value in self.headers.items()}
            try:
                answer = catalog.handle(self.command, self.path, headers, body)
                status = HTTPStatus.OK if answer is not None else HTTPStatus.NO_CONTENT
            except CatalogError as error:
                status = error.status
                if error.kind.islower():  # OAuth2 errors have their own shape
                    answer = {"error": error.kind, "error_description": error.message}
                else:
                    answer = {
                        "error": {
                            "message": error.message,
                            "type": error.kind,
                            "code": int(error.status),
                        }
                    }
            except Exception as error:  # the test should see it, not hang
                import traceback

                catalog.failures.append(traceback.format_exc())
                status = HTTPStatus.INTERNAL_SERVER_ERROR
                answer = {
                    "error": {
                        "message": f"{type(error).__name__}: {error}",
                        "type": "ServerError",
                        "code": 500,
                    }
                }
            payload = b"" if answer is None else json.dumps(answer).encode()
            self.send_response(status)
            self.send_header("content-type", "application/json")
            self.send_header("content-length", str(len(payload)))
            self.end_headers()
            if self.command != "HEAD":
                self.wfile.write(payload)

        do_GET = do_POST = do_DELETE = do_HEAD = _respond

    return Handler
