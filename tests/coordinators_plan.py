"""A fixture plan whose coordinating units end on 30/06/2025 (issue 10): one hands
over to a successor, one ends with no successor, one is a member of a coordinating
group. Written the way a commune's plan states it."""

from __future__ import annotations

from communes import HEAD

COORDINATORS = (
    HEAD
    + """\
units:
  - id: vp
    name: "Văn phòng HĐND và UBND xã"
    contacts: {email: vp@phulam.gov.vn}
  - id: tp
    name: "Công chức Tư pháp - Hộ tịch"
    contacts: {email: tp@phulam.gov.vn}
    until: 30/06/2025
    successor: tp-moi
  - id: tp-moi
    name: "Phòng Tư pháp xã Phú Lâm (mới)"
    contacts: {email: tpmoi@phulam.gov.vn}
    from: 01/07/2025
  - id: dtn
    name: "Đoàn Thanh niên xã"
    contacts: {email: dtn@phulam.gov.vn}
    until: 30/06/2025
  - id: hpn
    name: "Hội Phụ nữ xã"
    contacts: {email: hpn@phulam.gov.vn}
groups:
  - id: doan-the
    name: "Các đoàn thể"
    members: [dtn, hpn]
tasks:
  - id: bao-cao-thang
    title: "Báo cáo tình hình chuyển đổi số hằng tháng"
    lead: vp
    coordinators: [tp, dtn]
    window: "Năm 2025"
    recurrence: "ngày 20 hằng tháng"
  - id: so-ket
    title: "Hội nghị sơ kết 6 tháng đầu năm"
    lead: vp
    coordinators: [dtn]
    window: "07/2025"
  - id: tuyen-truyen
    title: "Tuyên truyền chuyển đổi số trong đoàn viên, hội viên"
    lead: vp
    coordinators: [doan-the]
    window: "Năm 2025"
    recurrence: "FREQ=YEARLY;BYMONTH=3,9;BYMONTHDAY=10"
"""
)
