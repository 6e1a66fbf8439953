"""The bad-input corpus: files people really send (wrong encodings, Excel's "Unicode text", formulas, dates
in every spelling, title rows, huge cells, zip bombs, renamed binaries...). Each one either is refused at
upload with a clear 422 and leaves nothing behind (no job, no stored file, no record), or imports its good
rows while every bad row fails with a message naming the problem, and the counts add up."""

from __future__ import annotations

import csv
import io
import random
import struct
import zipfile
from datetime import UTC, date, datetime, time
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest
import xlsxwriter
from sqlalchemy import func, select

from loam.bgjobs.models import BackgroundJob
from loam.config import settings
from loam.customers.models import Customer
from loam.errors import Invalid
from loam.exports.formatting import neutralise
from loam.imports import service
from loam.imports.schemas import ImportOptions
from loam.kit.i18n import gettext as _
from loam.kit.i18n import use_locale
from loam.leads.models import Lead
from tests.helpers import login, scope_of
from tests.imports.factory import counts, run_import

HEADER = ["客户名称", "电话", "城市", "备注"]


@pytest.fixture(autouse=True)
def files(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """Uploaded and generated files go to a folder of the test's own, to check what a refusal leaves."""
    folder = tmp_path / "files"
    monkeypatch.setattr(settings, "files_path", str(folder))
    return folder


@pytest.fixture
def scope(session, ids):  # type: ignore[no-untyped-def]
    return scope_of(session, ids["admin"])


def csv_of(rows: list[list[Any]]) -> str:
    buf = io.StringIO()
    csv.writer(buf, lineterminator="\n").writerows(rows)
    return buf.getvalue()


def xlsx_of(write: Any) -> bytes:
    """An .xlsx written by XlsxWriter; ``write(workbook, sheet)`` fills its first sheet."""
    buf = io.BytesIO()
    wb = xlsxwriter.Workbook(buf, {"in_memory": True, "strings_to_numbers": False})
    write(wb, wb.add_worksheet("客户"))
    wb.close()
    return buf.getvalue()


def customers(session, names: list[str]) -> dict[str, Customer]:  # type: ignore[no-untyped-def]
    """The live customers with these names, by name, in the order they were created."""
    stmt = select(Customer).where(Customer.name.in_(names), Customer.deleted_at.is_(None)).order_by(Customer.id)
    return {c.name: c for c in session.scalars(stmt)}


def totals(session) -> tuple[int, int, int]:  # type: ignore[no-untyped-def]
    return (
        session.scalar(select(func.count()).select_from(BackgroundJob)),
        session.scalar(select(func.count()).select_from(Customer)),
        session.scalar(select(func.count()).select_from(Lead)),
    )


def refused(session, scope, files: Path, filename: str, content: bytes, message: str) -> None:  # type: ignore[no-untyped-def]
    """``content`` is refused at upload with exactly ``message`` and nothing is kept: no job, no record, no file."""
    before = totals(session)
    with pytest.raises(Invalid) as exc:
        service.upload(session, scope, "customer", filename, io.BytesIO(content))
    assert exc.value.status_code == 422
    assert exc.value.message == message
    session.flush()
    assert totals(session) == before
    assert not files.exists() or not list(files.iterdir()), "a refused upload left its file behind"


# --- encodings -----------------------------------------------------------------------------------


def test_latin1_file_is_refused_with_an_encoding_message(session, scope, files) -> None:
    # "é," and "é " are invalid in UTF-8 and in GB18030 (a GB18030 trail byte is never below 0x30)
    content = csv_of([["name", "city"], ["Café Société", "Paris"], ["Crème brûlée SARL", "Lyon"]]).encode("cp1252")
    with pytest.raises(UnicodeDecodeError):
        content.decode("utf-8")
    refused(
        session,
        scope,
        files,
        "clients.csv",
        content,
        _("The file's text encoding is not UTF-8 or GBK/GB18030; save it as UTF-8 CSV or .xlsx."),
    )


def test_windows_1252_bytes_that_are_also_valid_gb18030_are_read_as_gb18030(session, scope) -> None:
    """A Windows-1252 file whose accented letters all happen to pair up as GB18030 cannot be told apart from a
    Chinese file: it is read as GB18030 (as Chinese Excel and WPS would), consistently, never half-decoded."""
    content = "客户名称,城市\n".encode("gb18030") + "Müller GmbH,Köln\n".encode("cp1252")
    with pytest.raises(UnicodeDecodeError):
        content.decode("utf-8")
    name, city = content.decode("gb18030").splitlines()[1].split(",")
    assert name != "Müller GmbH"  # mojibake, but the bytes' one consistent reading
    job = run_import(session, scope, "customer", content=content, filename="clients.csv")
    assert job.status == "done" and counts(job)["new"] == 1
    assert customers(session, [name])[name].city == city


def test_gbk_csv_with_chinese_headers_imports_names_intact(session, scope) -> None:
    rows = [
        ["客户名称", "电话", "城市", "客户级别"],
        ["广西河池电信分公司", "13800138000", "河池", "重点客户"],
        ["南宁轨道交通集团有限责任公司", "0771-2345678", "南宁", "一般客户"],
        ["柳州螺蛳粉产业园（筹）", "", "柳州", ""],
    ]
    content = csv_of(rows).encode("gbk")
    job = run_import(session, scope, "customer", content=content, filename="客户.csv")
    assert job.params["header"] == rows[0]
    assert job.params["mapping"] == ["name", "phone", "city", "level"]
    assert counts(job) == {"read": 3, "new": 3, "updated": 0, "skipped": 0, "failed": 0}
    found = customers(session, [r[0] for r in rows[1:]])
    assert {n: (c.city, c.level) for n, c in found.items()} == {
        "广西河池电信分公司": ("河池", "key"),
        "南宁轨道交通集团有限责任公司": ("南宁", "normal"),
        "柳州螺蛳粉产业园（筹）": ("柳州", "normal"),
    }


def test_utf8_with_bom_maps_the_first_header(session, scope) -> None:
    content = "\ufeff" + csv_of([["客户名称", "电话"], ["桂林旅游发展公司", "13800138011"]])
    job = run_import(session, scope, "customer", content=content.encode("utf-8"), filename="bom.csv")
    assert job.params["header"] == ["客户名称", "电话"]  # no BOM glued to the first header
    assert job.params["mapping"] == ["name", "phone"]
    assert counts(job)["new"] == 1
    assert customers(session, ["桂林旅游发展公司"])["桂林旅游发展公司"].phone == "13800138011"


@pytest.mark.parametrize("filename", ["unicode.txt", "unicode.csv"])
def test_utf16_excel_unicode_text_tab_separated(session, scope, filename: str) -> None:
    """Excel's "Unicode text": UTF-16 LE with a BOM, tab-separated, CRLF line ends."""
    text = "客户名称\t电话\t城市\r\n北海银滩旅游公司\t13800138012\t北海\r\n钦州港务公司\t\t钦州\r\n"
    content = text.encode("utf-16")
    assert content[:2] == b"\xff\xfe"
    job = run_import(session, scope, "customer", content=content, filename=filename)
    assert job.params["mapping"] == ["name", "phone", "city"]
    assert counts(job)["new"] == 2
    found = customers(session, ["北海银滩旅游公司", "钦州港务公司"])
    assert (found["北海银滩旅游公司"].phone, found["北海银滩旅游公司"].city) == ("13800138012", "北海")
    assert found["钦州港务公司"].city == "钦州"


def test_old_mac_line_ends_are_rows(session, scope) -> None:
    content = "客户名称,城市\r梧州茶厂,梧州\r贺州石材公司,贺州\r".encode()
    job = run_import(session, scope, "customer", content=content, filename="mac.csv")
    assert job.params["estimated_rows"] == 2
    assert counts(job)["new"] == 2
    assert set(customers(session, ["梧州茶厂", "贺州石材公司"])) == {"梧州茶厂", "贺州石材公司"}


# --- shapes ----------------------------------------------------------------------------------------


def test_empty_file_is_refused(session, scope, files) -> None:
    refused(session, scope, files, "empty.csv", b"", _("The file is empty."))
    refused(session, scope, files, "blank.csv", b"\r\n \n,,\n", _("The file has no header row."))


def test_header_only_file_reads_no_rows_and_is_done(session, scope) -> None:
    before = totals(session)[1]
    job = run_import(session, scope, "customer", content="客户名称,电话\n".encode(), filename="header.csv")
    assert job.status == "done" and job.error is None
    assert counts(job) == {"read": 0, "new": 0, "updated": 0, "skipped": 0, "failed": 0}
    assert job.output_file is None
    assert totals(session)[1] == before


def test_one_column_file(session, scope) -> None:
    content = csv_of([["客户名称"], ["防城港核电公司"], ["崇左糖业集团"], [""]]).encode()
    job = run_import(session, scope, "customer", content=content, filename="names.csv")
    assert job.params["header"] == ["客户名称"] and job.params["mapping"] == ["name"]
    assert counts(job) == {"read": 2, "new": 2, "updated": 0, "skipped": 0, "failed": 0}
    assert set(customers(session, ["防城港核电公司", "崇左糖业集团"])) == {"防城港核电公司", "崇左糖业集团"}


def test_duplicate_header_feeds_nothing_the_second_time(session, scope) -> None:
    rows = [
        ["客户名称", "电话", "城市", "电话", "公司名称"],
        ["百色芒果合作社", "13800138021", "百色", "13900000000", "别的名字"],
    ]
    job = run_import(session, scope, "customer", content=csv_of(rows).encode(), filename="dup.csv")
    assert job.params["mapping"] == ["name", "phone", "city", "", ""]
    assert counts(job)["new"] == 1
    c = customers(session, ["百色芒果合作社"])["百色芒果合作社"]
    assert (c.phone, c.city) == ("13800138021", "百色")
    assert not customers(session, ["别的名字"])


def test_title_row_with_merged_cells_and_trailing_empty_rows(session, scope) -> None:
    def write(wb, sh) -> None:  # type: ignore[no-untyped-def]
        title = wb.add_format({"bold": True, "align": "center"})
        boxed = wb.add_format({"border": 1})
        sh.merge_range("A1:D1", "2024年广西客户导入模板（请勿修改表头）", title)
        sh.write_row(1, 0, HEADER)
        sh.write_row(2, 0, ["玉林柴油机厂", "13800138031", "玉林", "老客户"])
        sh.write_row(3, 0, ["贵港港务局", "", "贵港", ""])
        for r in range(4, 30):  # trailing rows a user "cleared": formatted but empty, or blank strings
            sh.write_blank(r, 0, None, boxed)
            sh.write_string(r, 1, "")
            sh.write_string(r, 2, "   ")

    job = run_import(session, scope, "customer", content=xlsx_of(write), filename="template.xlsx")
    assert job.params["header"] == HEADER
    assert job.params["mapping"] == ["name", "phone", "city", "remark"]
    assert counts(job) == {"read": 2, "new": 2, "updated": 0, "skipped": 0, "failed": 0}
    found = customers(session, ["玉林柴油机厂", "贵港港务局"])
    assert (found["玉林柴油机厂"].phone, found["玉林柴油机厂"].remark) == ("13800138031", "老客户")
    assert not customers(session, ["2024年广西客户导入模板（请勿修改表头）"])


def test_csv_trailing_empty_rows_are_not_rows(session, scope) -> None:
    content = "客户名称,城市\n来宾糖厂,来宾\n,,\n\n  ,\n".encode()
    job = run_import(session, scope, "customer", content=content, filename="trailing.csv")
    assert counts(job) == {"read": 1, "new": 1, "updated": 0, "skipped": 0, "failed": 0}


# --- formulas and formula-like text ------------------------------------------------------------------


def test_xlsx_formula_cells_import_their_cached_value(session, scope) -> None:
    def write(wb, sh) -> None:  # type: ignore[no-untyped-def]
        sh.write_row(0, 0, HEADER)
        sh.write_formula(1, 0, '=CONCATENATE("河池","化工公司")', None, "河池化工公司")
        sh.write_formula(1, 1, "=13800138000+41", None, 13800138041)
        sh.write_string(1, 2, "河池")
        sh.write_formula(1, 3, '=HYPERLINK("http://evil.example/","点我")', None, "点我")

    job = run_import(session, scope, "customer", content=xlsx_of(write), filename="formulas.xlsx")
    assert counts(job)["new"] == 1
    c = customers(session, ["河池化工公司"])["河池化工公司"]
    assert (c.name, c.phone, c.city, c.remark) == ("河池化工公司", "13800138041", "河池", "点我")
    assert c.phone_norm == "+8613800138041"


def test_csv_cells_starting_with_formula_characters_are_stored_as_typed(session, scope) -> None:
    rows = [
        HEADER,
        ["=1+2", "+86 138 0013 8051", "-南宁", "@SUM(A1:A9)"],
        ['\'=HYPERLINK("http://evil.example")', "'+8613800138052", "'-柳州", "'@备注"],  # Loam's export quote
        ["'引号开头的公司", "", "", "'普通引号"],  # a quote before anything else is the user's own
    ]
    job = run_import(session, scope, "customer", content=csv_of(rows).encode(), filename="formulas.csv")
    assert counts(job) == {"read": 3, "new": 3, "updated": 0, "skipped": 0, "failed": 0}
    found = customers(session, ["=1+2", '=HYPERLINK("http://evil.example")', "'引号开头的公司"])
    assert [(c.phone, c.city, c.remark) for c in found.values()] == [
        ("+86 138 0013 8051", "-南宁", "@SUM(A1:A9)"),
        ("+8613800138052", "-柳州", "@备注"),
        (None, None, "'普通引号"),
    ]


def test_loam_export_neutralised_cells_come_back_unchanged(session, scope) -> None:
    """What Loam's own export writes (a quote before = + - @) imports back as the original text."""
    originals = [["=河池电信", "+86 771 2345678", "-", "@全体 =SUM(1)"], ["+桂林分公司", "-1", "南宁", "-负数备注"]]
    exported = [HEADER] + [[neutralise(v) for v in row] for row in originals]
    assert exported[1][0] == "'=河池电信"
    job = run_import(session, scope, "customer", content=csv_of(exported).encode("utf-8-sig"), filename="e.csv")
    assert counts(job)["new"] == 2
    found = customers(session, ["=河池电信", "+桂林分公司"])
    assert [[c.name, c.phone, c.city, c.remark] for c in found.values()] == originals


# --- oversized and hostile cells ---------------------------------------------------------------------


def test_fifty_thousand_character_cells_fail_their_row_only(session, scope) -> None:
    huge = "很长的备注" * 10_000
    rows = [
        HEADER,
        ["正常公司甲", "", "", "短备注"],
        ["备注太长的公司", "", "", huge],
        ["名称太长" * 12_500, "", "", ""],
        ["正常公司乙", "", "", ""],
    ]
    job = run_import(session, scope, "customer", content=csv_of(rows).encode(), filename="huge.csv")
    assert job.status == "done"
    assert counts(job) == {"read": 4, "new": 2, "updated": 0, "skipped": 0, "failed": 2}
    assert set(customers(session, ["正常公司甲", "正常公司乙", "备注太长的公司"])) == {"正常公司甲", "正常公司乙"}
    errors = dict(job.result["first_errors"])
    assert set(errors) == {3, 4}
    with use_locale(job.params["locale"]):
        remarks, name = _("Remarks"), _("Customer name")
    assert remarks in errors[3] and "50000" in errors[3] and str(settings.import_max_cell_chars) in errors[3]
    assert name in errors[4] and "50000" in errors[4] and "200" in errors[4]
    assert job.output_file  # the failed rows come back in the error file


def test_script_tags_are_stored_as_text_and_rendered_escaped(session, scope) -> None:
    name = "<script>alert(1)</script>恶意公司"
    rows = [HEADER, [name, "", "<b>南宁</b>", '<img src=x onerror="alert(2)">']]
    job = service.upload(session, scope, "customer", "xss.csv", io.BytesIO(csv_of(rows).encode()))
    session.flush()
    c = login("admin")
    draft = c.get(f"/imports/{job.id}")  # the mapping page previews the cells
    assert draft.status_code == 200
    assert "<script>alert(1)</script>" not in draft.text and "&lt;script&gt;alert(1)&lt;/script&gt;" in draft.text
    service.configure(session, scope, job.id, ImportOptions())
    service.start(session, scope, job.id, dry_run=False)
    session.flush()
    service.run_job(job.id)
    session.expire_all()
    assert counts(service.get(session, scope, job.id))["new"] == 1
    customer = customers(session, [name])[name]
    assert (customer.city, customer.remark) == ("<b>南宁</b>", '<img src=x onerror="alert(2)">')
    page = c.get(f"/customers/{customer.id}")
    assert page.status_code == 200
    assert name not in page.text and "<b>南宁</b>" not in page.text and "<img src=x" not in page.text
    assert "&lt;script&gt;alert(1)&lt;/script&gt;恶意公司" in page.text


# --- dates -------------------------------------------------------------------------------------------

DAY = date(2024, 1, 5)
SERIAL = (DAY - date(1899, 12, 30)).days  # Excel's day number for 2024-01-05


def _local(moment: datetime) -> datetime:
    return moment.astimezone(ZoneInfo(settings.timezone))


def test_dates_in_every_spelling_give_the_same_created_date(session, scope) -> None:
    def write(wb, sh) -> None:  # type: ignore[no-untyped-def]
        day_fmt = wb.add_format({"num_format": "yyyy-mm-dd"})
        stamp_fmt = wb.add_format({"num_format": "yyyy-mm-dd hh:mm"})
        sh.write_row(0, 0, ["客户名称", "创建时间"])
        for r, text in enumerate(["2024-01-05", "2024/1/5", "2024.01.05", "2024年1月5日", "2024-01-05 10:30"], 1):
            sh.write_string(r, 0, f"日期公司{r}")
            sh.write_string(r, 1, text)
        sh.write_string(6, 0, "日期公司6")
        sh.write_datetime(6, 1, datetime(2024, 1, 5), day_fmt)  # an Excel date cell
        sh.write_string(7, 0, "日期公司7")
        sh.write_number(7, 1, SERIAL)  # a bare serial number
        sh.write_string(8, 0, "日期公司8")
        sh.write_datetime(8, 1, datetime(2024, 1, 5, 16, 45), stamp_fmt)  # a date-time cell
        sh.write_string(9, 0, "日期公司9")
        sh.write_number(9, 1, 20240105)  # 20240105 typed into a number cell
        sh.write_string(10, 0, "日期公司10")
        sh.write_string(10, 1, "2024年13月5日")  # not a date: this row fails

    job = run_import(session, scope, "customer", content=xlsx_of(write), filename="dates.xlsx")
    assert job.params["mapping"] == ["name", "created_at"]
    assert counts(job) == {"read": 10, "new": 9, "updated": 0, "skipped": 0, "failed": 1}
    found = customers(session, [f"日期公司{i}" for i in range(1, 11)])
    assert {n: _local(c.created_at).date() for n, c in found.items()} == {f"日期公司{i}": DAY for i in range(1, 10)}
    assert _local(found["日期公司5"].created_at).time() == time(10, 30)
    assert _local(found["日期公司8"].created_at).time() == time(16, 45)
    assert _local(found["日期公司1"].created_at).time() == time(0, 0)
    with use_locale(job.params["locale"]):
        assert _("Created") in dict(job.result["first_errors"])[11]


def test_text_dates_in_a_csv_too(session, scope) -> None:
    spellings = ["2024-01-05", "2024/1/5", "2024.01.05", "2024年1月5日", str(SERIAL), "2024-01-05T08:00:00"]
    rows = [["客户名称", "创建时间"]] + [[f"CSV日期公司{i}", s] for i, s in enumerate(spellings)]
    job = run_import(session, scope, "customer", content=csv_of(rows).encode(), filename="dates.csv")
    assert counts(job)["new"] == len(spellings)
    found = customers(session, [r[0] for r in rows[1:]])
    assert {_local(c.created_at).date() for c in found.values()} == {DAY}


def test_a_time_with_an_offset_is_that_moment_not_local_time(session, scope) -> None:
    rows = [
        ["客户名称", "创建时间"],
        ["UTC时间公司", "2024-01-04T16:30:00Z"],
        ["东八区时间公司", "2024-01-05 00:30+08:00"],
    ]
    job = run_import(session, scope, "customer", content=csv_of(rows).encode(), filename="offsets.csv")
    assert counts(job)["new"] == 2
    found = customers(session, ["UTC时间公司", "东八区时间公司"])
    assert {c.created_at for c in found.values()} == {datetime(2024, 1, 4, 16, 30, tzinfo=UTC)}


# --- refused files -------------------------------------------------------------------------------------


def _bomb(path_in_zip: str, inflated: int) -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED, compresslevel=9) as zf:
        zf.writestr("[Content_Types].xml", '<?xml version="1.0"?><Types/>')
        zf.writestr(path_in_zip, b"\0" * inflated)
    return buf.getvalue()


def test_zip_bomb_is_refused_before_parsing(session, scope, files, monkeypatch) -> None:
    monkeypatch.setattr(settings, "import_max_unzipped_bytes", 1024 * 1024)
    message = _(
        "This workbook would inflate to more than %(n)s MB; it is refused (zip bomb protection).",
        n=1,
    )
    bomb = _bomb("xl/worksheets/sheet1.xml", 8 * 1024 * 1024)
    assert len(bomb) < 20_000
    refused(session, scope, files, "bomb.xlsx", bomb, message)

    # a real workbook that inflates past the cap: refused on its size alone, before calamine opens it
    def write(wb, sh) -> None:  # type: ignore[no-untyped-def]
        sh.write_row(0, 0, HEADER)
        for r in range(1, 41):
            sh.write_row(r, 0, [f"膨胀公司{r}", "", "", f"{r}" + "x" * 60_000])

    workbook = xlsx_of(write)
    assert len(workbook) < 100_000
    refused(session, scope, files, "big.xlsx", workbook, message)
    monkeypatch.setattr(settings, "import_max_unzipped_bytes", 64 * 1024 * 1024)
    job = service.upload(session, scope, "customer", "big.xlsx", io.BytesIO(workbook))
    assert job.params["header"] == HEADER  # the same file is a readable workbook


def _lying(workbook: bytes, member: str, declared: int) -> bytes:
    """``workbook`` with ``member``'s uncompressed size understated in its local and central headers."""
    data = bytearray(workbook)
    name = member.encode()
    for signature, size_at, name_len_at, name_at in ((b"PK\x03\x04", 22, 26, 30), (b"PK\x01\x02", 24, 28, 46)):
        pos = data.find(signature)
        while pos >= 0:
            n = struct.unpack_from("<H", data, pos + name_len_at)[0]
            if data[pos + name_at : pos + name_at + n] == name:
                struct.pack_into("<I", data, pos + size_at, declared)
            pos = data.find(signature, pos + 4)
    return bytes(data)


def test_zip_entries_larger_than_declared_are_refused(session, scope, files, monkeypatch) -> None:
    """The zip-bomb check trusts the declared sizes; a workbook that understates them is still refused, cleanly,
    because calamine stops inflating at the declared size (not a 500, and the upload is not kept)."""

    def write(wb, sh) -> None:  # type: ignore[no-untyped-def]
        sh.write_row(0, 0, HEADER)
        for r in range(1, 2001):
            sh.write_row(r, 0, [f"谎报公司{r}", "", "", "很长的备注" * 20])

    liar = _lying(xlsx_of(write), "xl/worksheets/sheet1.xml", 1000)
    with zipfile.ZipFile(io.BytesIO(liar)) as zf:
        assert zf.getinfo("xl/worksheets/sheet1.xml").file_size == 1000
    before = totals(session)
    with pytest.raises(Invalid) as exc:
        service.upload(session, scope, "customer", "liar.xlsx", io.BytesIO(liar))
    assert exc.value.message.startswith(_("This file cannot be read as a spreadsheet: %(why)s", why=""))
    assert totals(session) == before and not list(files.iterdir())


def test_workbook_with_a_broken_sheet_is_refused(session, scope, files) -> None:
    good = xlsx_of(lambda wb, sh: sh.write_row(0, 0, HEADER))
    buf = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(good)) as src, zipfile.ZipFile(buf, "w") as out:
        for info in src.infolist():
            body = src.read(info)
            out.writestr(info, b"<worksheet><sheetData><row r=" if info.filename.endswith("sheet1.xml") else body)
    with pytest.raises(Invalid) as exc:
        service.upload(session, scope, "customer", "broken.xlsx", io.BytesIO(buf.getvalue()))
    assert exc.value.message.startswith(_("This file cannot be read as a spreadsheet: %(why)s", why=""))
    assert not list(files.iterdir())


def test_binary_and_broken_spreadsheets_are_refused(session, scope, files) -> None:
    before = totals(session)
    noise = random.Random(20240105).randbytes(8192)
    refused(session, scope, files, "客户.xlsx", noise, _("This file is not a valid .xlsx workbook."))
    refused(session, scope, files, "客户.ods", noise, _("This file is not a valid .xlsx workbook."))
    truncated = xlsx_of(lambda wb, sh: sh.write_row(0, 0, HEADER))[:600]
    refused(session, scope, files, "truncated.xlsx", truncated, _("This file is not a valid .xlsx workbook."))
    with pytest.raises(Invalid) as exc:  # not a zip at all: calamine's own reason
        service.upload(session, scope, "customer", "客户.xls", io.BytesIO(noise))
    assert exc.value.message.startswith(_("This file cannot be read as a spreadsheet: %(why)s", why=""))
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as zf:  # a zip, but a Word document
        zf.writestr("word/document.xml", "<w:document/>")
    with pytest.raises(Invalid) as exc:
        service.upload(session, scope, "customer", "renamed.xlsx", io.BytesIO(buf.getvalue()))
    assert exc.value.message.startswith(_("This file cannot be read as a spreadsheet: %(why)s", why=""))
    assert totals(session) == before and not list(files.iterdir())


def test_csv_with_nul_bytes_is_refused(session, scope, files) -> None:
    message = _("This is not a text CSV file (it contains NUL bytes).")
    refused(session, scope, files, "nul.csv", "客户名称,电话\n空字符\0公司,13800138061\n".encode(), message)
    # far beyond the first 64 KB read for sniffing: PostgreSQL would refuse the text mid-run
    filler = "".join(f"填充公司{i:05d},\n" for i in range(7000))
    assert len(filler) > 64 * 1024
    late = ("客户名称,电话\n" + filler + "空字符\0公司,\n").encode()
    refused(session, scope, files, "late-nul.csv", late, message)
    refused(session, scope, files, "nul16.txt", "客户名称\t电话\r\n空\0字符\t1\r\n".encode("utf-16"), message)


def test_file_over_the_size_cap_is_refused(session, scope, files, monkeypatch) -> None:
    monkeypatch.setattr(settings, "import_max_bytes", 4096)
    content = csv_of([HEADER] + [[f"超大文件公司{i}", "", "", ""] for i in range(300)]).encode()
    assert len(content) > 4096
    refused(session, scope, files, "big.csv", content, _("The file is larger than %(n)s MB.", n=0))
    small = csv_of([HEADER] + [[f"超大文件公司{i}", "", "", ""] for i in range(100)]).encode()
    assert len(small) < 4096
    job = service.upload(session, scope, "customer", "small.csv", io.BytesIO(small))
    assert job.status == "draft"


def test_file_over_the_row_cap_is_refused_at_upload(session, scope, files, monkeypatch) -> None:
    monkeypatch.setattr(settings, "import_max_rows", 5)
    message = _("The file has more than %(n)s rows.", n="5")
    six = csv_of([HEADER] + [[f"行数公司{i}", "", "", ""] for i in range(6)])
    refused(session, scope, files, "six.csv", six.encode(), message)
    refused(session, scope, files, "six-no-eol.csv", six.rstrip("\n").encode(), message)

    def write(wb, sh) -> None:  # type: ignore[no-untyped-def]
        sh.write_row(0, 0, HEADER)
        for r in range(1, 7):
            sh.write_row(r, 0, [f"行数公司{r}"])

    refused(session, scope, files, "six.xlsx", xlsx_of(write), message)
    five = csv_of([HEADER] + [[f"行数公司{i}", "", "", ""] for i in range(5)] + [["", "", "", ""]] * 3)
    job = run_import(session, scope, "customer", content=five.encode(), filename="five.csv")
    assert counts(job)["new"] == 5  # exactly at the cap, with trailing empty rows: accepted


def test_row_cap_lowered_after_upload_fails_the_run_before_any_row_is_written(session, scope, monkeypatch) -> None:
    """Leads are written in batches of 500: a run that stopped at the cap would keep the first batch."""
    n = service.BATCH["lead"] + 5
    rows = [["姓名", "公司名称"]] + [[f"上限线索{i:04d}", f"上限公司{i}"] for i in range(n)]
    job = service.upload(session, scope, "lead", "leads.csv", io.BytesIO(csv_of(rows).encode()))
    service.start(session, scope, job.id, dry_run=False)
    session.flush()
    monkeypatch.setattr(settings, "import_max_rows", n - 2)
    leads_before = totals(session)[2]
    service.run_job(job.id)
    session.expire_all()
    job = service.get(session, scope, job.id)
    assert job.status == "failed"
    assert job.error == _("The file has more than %(n)s rows.", n=f"{n - 2:,}")
    assert totals(session)[2] == leads_before


@pytest.mark.parametrize("filename", ["客户.docx", "客户.pdf", "客户", "客户.xlsx.exe"])
def test_other_file_types_are_refused(session, scope, files, filename: str) -> None:
    content = b"%PDF-1.7\n" if filename.endswith(".pdf") else _bomb("word/document.xml", 100)
    refused(session, scope, files, filename, content, _("Upload an .xlsx, .xls, .ods or .csv file."))
