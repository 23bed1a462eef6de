"""The signing rates of a 居民公约 as .xlsx (openpyxl), for the staff's export."""

from io import BytesIO

from django.utils import timezone
from openpyxl import Workbook
from openpyxl.styles import Font

from gongzhi.campaigns import selectors_conventions as sc
from gongzhi.campaigns.models import Convention


def rates_workbook(convention: Convention, rates: sc.Rates) -> bytes:
    """签署率: one row a building, then the total; headers stay Chinese (a shared format)."""
    book = Workbook()
    sheet = book.active
    sheet.title = "签署率"
    sheet.append([convention.title])
    sheet["A1"].font = Font(bold=True, size=14)
    sheet.append([f"{convention.area.name} · 导出时间 "
                  f"{timezone.localtime().strftime('%Y-%m-%d %H:%M')}"])
    sheet.append(["小区", "楼栋", "住户数", "已签署", "未签署", "签署率(%)"])
    for cell in sheet[3]:
        cell.font = Font(bold=True)
    for row in rates.rows:
        sheet.append([row.building.parent.name if row.building.parent else "",
                      row.building.name, row.households, row.signed, row.unsigned,
                      float(row.rate) if row.rate is not None else None])
    total = rates.total
    sheet.append(["合计", "", total.households, total.signed, total.unsigned,
                  float(total.rate) if total.rate is not None else None])
    for column, width in zip("ABCDEF", (18, 12, 10, 10, 10, 12), strict=True):
        sheet.column_dimensions[column].width = width
    buffer = BytesIO()
    book.save(buffer)
    return buffer.getvalue()
