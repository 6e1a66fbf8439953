"""Reading uploaded spreadsheets: xlsx / xls / ods through python-calamine, CSV in any of UTF-8 (with or
without BOM), UTF-16 or GB18030/GBK, detected. Files from Excel, WPS and LibreOffice all read the same:
numbers stored as text, dates as serials or text, empty trailing rows, merged header cells, a title row
above the header (WukongCRM's templates have one).

Safety: a size cap on the file, an inflated-size cap on zip containers (zip bombs), a row cap; cell
length is checked per row by the caller (a row with an oversized cell fails, the others go on).
"""

from __future__ import annotations

import codecs
import csv
import threading
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from loam.config import settings
from loam.errors import Invalid
from loam.kit.i18n import gettext as _

SPREADSHEET_SUFFIXES = (".xlsx", ".xlsm", ".xls", ".ods")
SUFFIXES = (*SPREADSHEET_SUFFIXES, ".csv", ".txt")
HEADER_SCAN_ROWS = 10
csv.field_size_limit(64 * 1024 * 1024)  # cell length is checked per row with a clear message instead


@dataclass
class Table:
    """One sheet: its header cells and an iterator over (sheet line number, cells) of the data rows."""

    path: Path
    sheet: str | None
    sheets: list[str]
    header: list[str]
    header_line: int
    encoding: str | None = None
    delimiter: str = ","
    estimated_rows: int = 0
    merged: list[Any] = field(default_factory=list)
    loaded: Any = None  # the parsed calamine sheet

    def rows(self, skip: int = 0) -> Iterator[tuple[int, list[Any]]]:
        """Data rows after the header, skipping entirely empty ones; ``skip`` data rows are passed over."""
        seen = 0
        for line, cells in self._raw():
            if line <= self.header_line or not any(cells) or not any(map(_filled, cells)):
                continue
            seen += 1
            if seen <= skip:
                continue
            if seen > settings.import_max_rows:
                raise Invalid(_("The file has more than %(n)s rows.", n=f"{settings.import_max_rows:,}"))
            yield line, cells

    def _raw(self) -> Iterator[tuple[int, list[Any]]]:
        if self.encoding is None:
            yield from _sheet_rows(self.loaded)
        else:
            yield from _csv_rows(self.path, self.encoding, self.delimiter)


def _filled(cell: Any) -> bool:
    return cell is not None and not (isinstance(cell, str) and not cell.strip())


def open_table(path: Path, original_name: str, sheet: str | None = None) -> Table:
    """Open an uploaded file (its type from the original name), find its header row; 422 on a bad file."""
    suffix = Path(original_name).suffix.lower()
    if suffix not in SUFFIXES:
        raise Invalid(_("Upload an .xlsx, .xls, .ods or .csv file."))
    size = path.stat().st_size
    if size == 0:
        raise Invalid(_("The file is empty."))
    if size > settings.import_max_bytes:
        raise Invalid(_("The file is larger than %(n)s MB.", n=settings.import_max_bytes // 1024 // 1024))
    table = _open_spreadsheet(path, suffix, sheet) if suffix in SPREADSHEET_SUFFIXES else _open_csv(path)
    _check_row_count(table)
    return table


def _check_row_count(table: Table) -> None:
    """Refuse a file with more rows than the cap before any row is imported (a run that stopped at the
    cap would leave the rows before it behind). The estimate counts lines and is never below the rows
    by more than one, so only a file that may be over the cap pays for an exact count."""
    if table.estimated_rows + 1 > settings.import_max_rows:
        for _row in table.rows():  # raises Invalid past the cap
            pass


def _open_spreadsheet(path: Path, suffix: str, sheet: str | None) -> Table:
    from python_calamine import CalamineWorkbook

    if suffix != ".xls":
        _check_zip(path)
    key = _file_key(path)
    recent = _RECENT.get(key) if key is not None else None
    if recent is None:
        try:
            wb = CalamineWorkbook.from_path(str(path))
            recent = _Parsed([str(n) for n in wb.sheet_names], wb)
        except Exception as exc:  # noqa: BLE001 - calamine raises several error types for a broken file
            raise Invalid(_("This file cannot be read as a spreadsheet: %(why)s", why=str(exc)[:200])) from None
    names = recent.names
    if not names:
        raise Invalid(_("The workbook has no sheets."))
    chosen = sheet if sheet is not None else names[0]
    if chosen not in names:
        raise Invalid(_("The workbook has no sheet named %(name)s.", name=chosen[:100]))
    sh = recent.sheets.get(chosen)
    if sh is None:
        try:
            sh = recent.workbook.get_sheet_by_name(chosen)
        except Exception as exc:  # noqa: BLE001 - a sheet whose XML is broken or bigger than its zip entry says
            raise Invalid(_("This file cannot be read as a spreadsheet: %(why)s", why=str(exc)[:200])) from None
        recent.sheets[chosen] = sh
    _remember(key, recent)
    merged = list(getattr(sh, "merged_cell_ranges", None) or [])
    table = Table(path, chosen, names, [], 0, merged=merged, estimated_rows=max(int(sh.height) - 1, 0))
    table.loaded = sh  # calamine parses a sheet once, on first access: every later pass reuses it
    _find_header(table, _sheet_rows(sh))
    return table


@dataclass
class _Parsed:
    names: list[str]
    workbook: Any
    sheets: dict[str, Any] = field(default_factory=dict)


# The workbook this process parsed last, kept a few minutes: an upload parses the whole sheet to find its
# header (calamine has no partial read), and the run that follows in the same process (``loam import``,
# the web app's in-process worker) reuses it instead of parsing a million rows a second time.
_RECENT: dict[tuple[str, int, int], _Parsed] = {}
_RECENT_SECONDS = 600.0
_recent_lock = threading.Lock()
_timer: threading.Timer | None = None


def _file_key(path: Path) -> tuple[str, int, int] | None:
    try:
        st = path.stat()
    except OSError:
        return None
    return str(path.resolve()), st.st_size, st.st_mtime_ns


def _remember(key: tuple[str, int, int] | None, parsed: _Parsed) -> None:
    if key is None:
        return
    global _timer
    with _recent_lock:
        if _RECENT.get(key) is parsed:
            return
        _RECENT.clear()  # one workbook at most: a big sheet holds hundreds of MB
        _RECENT[key] = parsed
        if _timer is not None:
            _timer.cancel()
        _timer = threading.Timer(_RECENT_SECONDS, forget, args=(key,))
        _timer.daemon = True
        _timer.start()


def forget(key: Any = None) -> None:
    """Drop the kept workbook (``key``: only if it is that one; a path: that file's)."""
    if isinstance(key, Path):
        key = _file_key(key)
    with _recent_lock:
        if key is None or key in _RECENT:
            _RECENT.clear()


def parsed_here(path: Path) -> bool:
    """Whether this process holds ``path``'s parsed workbook (so reading it again costs nothing)."""
    key = _file_key(path)
    return key is not None and key in _RECENT


def _check_zip(path: Path) -> None:
    """An xlsx/ods is a zip: refuse a broken one and one that inflates past the cap (zip bomb)."""
    try:
        with zipfile.ZipFile(path) as zf:
            inflated = sum(i.file_size for i in zf.infolist())
    except (zipfile.BadZipFile, OSError):
        raise Invalid(_("This file is not a valid .xlsx workbook.")) from None
    if inflated > settings.import_max_unzipped_bytes:
        raise Invalid(
            _(
                "This workbook would inflate to more than %(n)s MB; it is refused (zip bomb protection).",
                n=settings.import_max_unzipped_bytes // 1024 // 1024,
            )
        )


def _sheet_rows(sh: Any) -> Iterator[tuple[int, list[Any]]]:
    first = int(sh.start[0]) if sh.start else 0
    for i, row in enumerate(sh.iter_rows()):
        yield first + i + 1, row


def _open_csv(path: Path) -> Table:
    encoding = detect_encoding(path)
    with path.open("r", encoding=encoding, newline="") as f:
        sample = f.read(64 * 1024)
    if "\x00" in sample or _has_nul(path, encoding):
        raise Invalid(_("This is not a text CSV file (it contains NUL bytes)."))
    delimiter = _delimiter(sample)
    table = Table(path, None, [], [], 0, encoding=encoding, delimiter=delimiter)
    table.estimated_rows = _count_lines(path)
    _find_header(table, _csv_rows(path, encoding, delimiter))
    return table


def detect_encoding(path: Path) -> str:
    """UTF-8 (BOM or not) when the whole file decodes as UTF-8, UTF-16 with its BOM, else GB18030 (⊃ GBK)."""
    with path.open("rb") as f:
        head = f.read(4)
    if head.startswith(codecs.BOM_UTF8):
        candidates = ["utf-8-sig"]
    elif head.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return "utf-16"
    else:
        candidates = ["utf-8", "gb18030"]
    for encoding in candidates:
        if _decodes(path, encoding):
            return encoding
    raise Invalid(_("The file's text encoding is not UTF-8 or GBK/GB18030; save it as UTF-8 CSV or .xlsx."))


def _decodes(path: Path, encoding: str) -> bool:
    decoder = codecs.getincrementaldecoder(encoding)()
    try:
        with path.open("rb") as f:
            while chunk := f.read(4 * 1024 * 1024):
                decoder.decode(chunk)
            decoder.decode(b"", final=True)
    except UnicodeDecodeError:
        return False
    return True


def _has_nul(path: Path, encoding: str) -> bool:
    """A NUL anywhere in the text, not only in the sample (PostgreSQL refuses NUL in text columns)."""
    with path.open("r", encoding=encoding, newline="") as f:
        while chunk := f.read(4 * 1024 * 1024):
            if "\x00" in chunk:
                return True
    return False


def _delimiter(sample: str) -> str:
    try:
        return csv.Sniffer().sniff(sample[:16384], delimiters=",;\t|").delimiter
    except csv.Error:
        return ","


def _count_lines(path: Path) -> int:
    n = 0
    with path.open("rb") as f:
        while chunk := f.read(8 * 1024 * 1024):
            n += chunk.count(b"\n") or chunk.count(b"\r")  # old Mac files end lines with CR only
    return max(n - 1, 0)


def _csv_rows(path: Path, encoding: str, delimiter: str) -> Iterator[tuple[int, list[Any]]]:
    with path.open("r", encoding=encoding, newline="") as f:
        reader = csv.reader(f, delimiter=delimiter)
        try:
            for row in reader:
                yield reader.line_num, row
        except csv.Error as exc:
            raise Invalid(_("The CSV file is malformed near line %(n)s: %(why)s", n=reader.line_num, why=exc)) from None


def _find_header(table: Table, rows: Iterator[tuple[int, list[Any]]]) -> None:
    """The header is the first row with at least two filled cells (or one, for a one-column file);
    a title row above it (one merged cell) is skipped. Merged header cells spread to their columns."""
    scanned: list[tuple[int, list[Any]]] = []
    for line, cells in rows:
        if any(_filled(c) for c in cells):
            scanned.append((line, cells))
        if len(scanned) >= HEADER_SCAN_ROWS:
            break
    if not scanned:
        raise Invalid(_("The file has no header row."))
    widest = max(sum(_filled(c) for c in cells) for _line, cells in scanned)
    need = min(2, widest)
    line, cells = next((ln, c) for ln, c in scanned if sum(_filled(x) for x in c) >= need)
    header = [_header_text(c) for c in cells]
    _spread_merged(header, line, table.merged)
    while header and not header[-1]:
        header.pop()
    table.header, table.header_line = header, line


def _header_text(cell: Any) -> str:
    if cell is None:
        return ""
    if isinstance(cell, float) and cell.is_integer():
        return str(int(cell))
    return str(cell).strip()


def _spread_merged(header: list[str], line: int, merged: list[Any]) -> None:
    """A header cell merged across columns names each of them (calamine gives the value to the first)."""
    for rng in merged:
        try:
            (r1, c1), (r2, c2) = rng
        except (TypeError, ValueError):
            continue
        if not r1 + 1 <= line <= r2 + 1 or c1 >= len(header):
            continue
        for c in range(c1 + 1, min(c2 + 1, len(header))):
            if not header[c]:
                header[c] = header[c1]


def preview(table: Table, n: int = 5) -> list[list[str]]:
    """The first ``n`` data rows as display text (for the mapping page)."""
    out = []
    for _line, cells in table.rows():
        out.append([display(c) for c in cells[: len(table.header)]])
        if len(out) >= n:
            break
    return out


def display(cell: Any) -> str:
    if cell is None:
        return ""
    if isinstance(cell, float) and cell.is_integer():
        return str(int(cell))
    return str(cell)
