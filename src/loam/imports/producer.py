"""Reading, parsing and deduplicating a big customer file in a second process.

On two cores the import of a million customers is two jobs of similar size: turning cells into checked,
deduplicated rows (Python, holding the GIL) and storing them (the database driver). In one process they
contend for the interpreter; here a child process (``spawn``, so it shares no locks or connections with
the job's threads) opens the file, builds the run's plan and dedup index from the database, and sends
each prepared batch through a pipe, while the parent stores the previous one and keeps every
guarantee of the job — the checkpoint committed with each batch, cancel, the counts. The child never
writes: a killed or cancelled run loses nothing, and a resumed run starts a new child from the
checkpoint, whose index then already holds the stored rows.

When this process already holds the parsed workbook (an xlsx uploaded here minutes ago: calamine parses a
whole sheet to show its header), a thread of this process sends the child its rows instead of the child
parsing the file a second time.

Messages from the child, in order: ``("opened", estimated_rows, existing_records)``, then
``("batch", rows_read, prepared)`` per batch and ``("done",)``; or ``("invalid", message)`` for a file that
turns out bad (a 422 for the user) and ``("crash", traceback)`` for anything else.
"""

from __future__ import annotations

import contextlib
import logging
import multiprocessing
import threading
import traceback
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from loam.errors import Invalid, LoamError
from loam.imports.writers import Outcome, Prepared

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Spec:
    """Everything the child needs, as plain values (a ``Scope`` is rebuilt there from the user)."""

    settings: dict[str, Any]  # the parent's settings, so the child reads the same database, caps and paths
    user_id: int
    entity: str
    mapping: list[str]
    policy: str
    note: str
    locale: str
    path: str
    name: str
    sheet: str | None
    skip: int
    batch: int
    fed: bool = False  # the parent sends the file's rows (it holds the parsed workbook); else the child reads
    estimated_rows: int = 0  # when fed


class ProducerError(RuntimeError):
    """The child failed for a reason that is not the file's fault (its traceback is logged)."""


class Producer:
    """The parent's end: start the child, read its messages, stop it."""

    def __init__(self, spec: Spec, rows: Iterator[tuple[int, list[Any]]] | None = None) -> None:
        """``rows``: the file's rows, when ``spec.fed`` (a thread of this process sends them, batch by batch)."""
        ctx = multiprocessing.get_context("spawn")
        self._conn, child_end = ctx.Pipe(duplex=False)
        feed_in, self._feed = ctx.Pipe(duplex=False) if spec.fed else (None, None)
        self._process = ctx.Process(target=main, args=(child_end, feed_in, spec), name="loam-import-parse", daemon=True)
        self._process.start()
        child_end.close()  # so that the child's death shows here as EOF
        self._feeder: threading.Thread | None = None
        if feed_in is not None:
            feed_in.close()
            self._feeder = threading.Thread(
                target=_feed, args=(self._feed, rows, spec.batch), name="loam-import-feed", daemon=True
            )
            self._feeder.start()

    def _receive(self) -> tuple[Any, ...]:
        try:
            message: tuple[Any, ...] = self._conn.recv()
        except EOFError:
            code = self._process.exitcode
            raise ProducerError(f"the parsing process ended unexpectedly (exit code {code})") from None
        if message[0] == "invalid":
            raise Invalid(message[1])
        if message[0] == "crash":
            log.error("import parsing process failed:\n%s", message[1])
            raise ProducerError("the parsing process failed")
        return message

    def opened(self) -> tuple[int, int]:
        """(estimated data rows of the file, records already in the table)."""
        message = self._receive()
        return int(message[1]), int(message[2])

    def batches(self) -> Iterator[tuple[int, Any]]:
        """(rows read, prepared batch) until the file ends."""
        while (message := self._receive())[0] == "batch":
            yield message[1], _unpack(message[2])

    def close(self) -> None:
        """Stop the child (it may be blocked sending a batch nobody will read) and reap it."""
        self._conn.close()
        if self._process.is_alive():
            self._process.terminate()
        self._process.join(timeout=10)
        if self._feed is not None:
            self._feed.close()
        if self._feeder is not None:
            self._feeder.join(timeout=10)


def _feed(conn: Any, rows: Iterator[tuple[int, list[Any]]], size: int) -> None:
    """The parent's feeding thread: the rows in batches, then None; a file that turns bad midway (too many
    rows) sends its message instead, which the child reports as usual."""
    batch: list[tuple[int, list[Any]]] = []
    try:
        for row in rows:
            batch.append(row)
            if len(batch) >= size:
                conn.send(batch)
                batch = []
        if batch:
            conn.send(batch)
        conn.send(None)
    except LoamError as exc:
        _send(conn, exc.message)
    except OSError:  # the child is gone (cancelled, failed): nobody reads any more
        pass
    except Exception:  # the child reports the crash to the job
        log.exception("feeding the import's parsing process failed")
        _send(conn, "crash")


def _fed_rows(conn: Any) -> Iterator[tuple[int, list[Any]]]:
    while (batch := conn.recv()) is not None:
        if isinstance(batch, str):
            if batch == "crash":
                raise ProducerError("the parent could not read the file")
            raise Invalid(batch)
        yield from batch


def main(conn: Any, feed: Any, spec: Spec) -> None:
    """The child: produce the batches of ``spec``'s file, or say why it cannot."""
    try:
        _produce(conn, feed, spec)
    except LoamError as exc:
        _send(conn, ("invalid", exc.message))
    except BaseException:  # noqa: BLE001 - everything else is reported to the parent, which fails the job
        _send(conn, ("crash", traceback.format_exc()))
    finally:
        conn.close()


def _send(conn: Any, message: tuple[Any, ...]) -> None:
    with contextlib.suppress(OSError):  # the parent stopped listening (cancel)
        conn.send(message)


def _produce(conn: Any, feed: Any, spec: Spec) -> None:
    from loam import db
    from loam.authz import service as authz_service
    from loam.config import settings
    from loam.imports import reader
    from loam.imports.rows import build_plan
    from loam.imports.writers import CustomerWriter
    from loam.kit.i18n import use_locale
    from loam.org import service as org_service

    for key, value in spec.settings.items():
        setattr(settings, key, value)
    db.configure(settings.database_url)
    with use_locale(spec.locale):
        table = None if spec.fed else reader.open_table(Path(spec.path), spec.name, spec.sheet)
        with db.session_scope() as session:
            scope = authz_service.build_scope(session, org_service.get_user(session, spec.user_id))
            plan = build_plan(session, scope, spec.entity, spec.mapping, spec.policy, False, spec.note)
            writer = CustomerWriter(session, plan)
        db.engine.dispose()  # the child reads nothing more
        estimated = table.estimated_rows if table is not None else spec.estimated_rows
        conn.send(("opened", estimated, len(writer.index.owners)))
        rows = table.rows(skip=spec.skip) if table is not None else _fed_rows(feed)
        batch: list[tuple[int, list[Any]]] = []
        for row in rows:
            batch.append(row)
            if len(batch) >= spec.batch:
                conn.send(("batch", len(batch), _pack(writer.prepare(None, batch))))
                batch = []
        if batch:
            conn.send(("batch", len(batch), _pack(writer.prepare(None, batch))))
        conn.send(("done",))


def _pack(prepared: Prepared) -> tuple[Any, ...]:
    """A batch as plain tuples and dicts: pickling 25,000 outcome objects costs the two sides ~50 ms a batch,
    their fields as tuples ~4 ms."""
    outcomes = [(o.line, o.kind, o.message, o.record_id) for o in prepared.outcomes]
    return outcomes, prepared.new_rows, prepared.new_lines, prepared.updates


def _unpack(packed: tuple[Any, ...]) -> Prepared:
    outcomes, new_rows, new_lines, updates = packed
    return Prepared([Outcome(*o) for o in outcomes], new_rows, new_lines, updates)
