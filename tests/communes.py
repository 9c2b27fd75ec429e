"""Fixture plans written the way other communes' 2025 plans state things (issue 10)."""

from __future__ import annotations

HEAD = """\
planflow: 1
plan:
  id: xa-phu-lam-cds-2025
  title: "Kế hoạch chuyển đổi số xã Phú Lâm năm 2025"
  issuer: "Ủy ban nhân dân xã Phú Lâm"
  year: 2025
"""

START = (
    HEAD
    + """\
  number: "25/KH-UBND"
  issued: 14/02/2025
units:
  - {id: vhxh, name: "Công chức Văn hóa - Xã hội"}
tasks:
  - id: tuyen-truyen
    title: "Tuyên truyền về chuyển đổi số trên hệ thống truyền thanh xã"
    lead: vhxh
    window: "Năm 2025"
    recurrence: "FREQ=MONTHLY;BYMONTHDAY=10"
  - id: cong-khai-tthc
    title: "Cập nhật, công khai thủ tục hành chính"
    lead: vhxh
    window: "Thường xuyên trong năm"
  - id: rasoat-quy-1
    title: "Rà soát hạ tầng công nghệ thông tin"
    lead: vhxh
    window: "Quý I/2025"
  - id: tap-huan
    title: "Tập huấn kỹ năng số cho cán bộ"
    lead: vhxh
    window: {start: 2025-01-15, end: 2025-03-31}
"""
)

UNITS = (
    HEAD
    + """\
units:
  - id: vp-tk
    name: "Công chức Văn phòng - Thống kê"
    until: 30/06/2025
    successor: vp
  - id: dtn
    name: "Đoàn Thanh niên xã"
    until: 2025-06-30
  - id: vp
    name: "Văn phòng HĐND và UBND xã"
    from: 2025-07-01
groups:
  - id: don-vi
    name: "Các cơ quan, đơn vị"
    members: [vp-tk, dtn, vp]
tasks:
  - id: bao-cao-thang
    title: "Báo cáo tình hình chuyển đổi số hằng tháng"
    lead: vp-tk
    window: "Năm 2025"
    recurrence: "FREQ=MONTHLY;BYMONTHDAY=20"
    target: "12 per year"
  - id: cap-nhat-du-lieu
    title: "Cập nhật dữ liệu lên cổng thông tin"
    lead: don-vi
    window: "Năm 2025"
    recurrence: "FREQ=YEARLY;BYMONTH=3,6,9,12;BYMONTHDAY=25"
"""
)

PERIODS = (
    HEAD
    + """\
reporting_periods:
  - {id: q1, name: "Quý I", start: 15/12/2024, end: 14/03/2025, due: 20/03/2025}
  - {id: q2, name: "Quý II", start: 15/03/2025, end: 14/06/2025}
  - {id: h1, name: "6 tháng", start: 15/12/2024, end: 14/06/2025, due: 20/06/2025}
  - {id: q3, name: "Quý III", start: 15/06/2025, end: 14/09/2025}
  - {id: m9, name: "9 tháng", start: 15/12/2024, end: 14/09/2025, due: 20/09/2025}
  - {id: fy, name: "Năm", start: 15/12/2024, end: 14/11/2025, due: 20/11/2025}
units:
  - {id: vp, name: "Văn phòng HĐND và UBND xã"}
tasks:
  - id: bao-cao-dinh-ky
    title: "Báo cáo định kỳ kết quả chuyển đổi số"
    lead: vp
    window: "Năm 2025"
    period: reporting
  - id: bao-cao-thang
    title: "Báo cáo tháng"
    lead: vp
    window: "Năm 2025"
    recurrence: "FREQ=MONTHLY;BYMONTHDAY=20"
    period: reporting
    target: "12 per year"
  - id: bao-cao-quy
    title: "Báo cáo quý về cải cách hành chính"
    lead: vp
    window: "Năm 2025"
    recurrence: "FREQ=YEARLY;BYMONTH=3,6,9,12;BYMONTHDAY=20"
    target: "4 per year"
"""
)

DEFAULTS = (
    HEAD
    + """\
defaults:
  lead: vp
  window: "Thường xuyên trong năm"
  shift: next
  reminder: 5 ngày làm việc
units:
  - {id: vp, name: "Văn phòng HĐND và UBND xã"}
  - {id: vhxh, name: "Công chức Văn hóa - Xã hội"}
tasks:
  - id: duy-tri-cong-ttdt
    title: "Duy trì Trang thông tin điện tử của xã"
  - id: hop-giao-ban
    title: "Họp giao ban chuyển đổi số"
    lead: vhxh
    window: "Năm 2025"
    recurrence: "FREQ=MONTHLY;BYMONTHDAY=1"
    shift: previous
"""
)

KPI = (
    HEAD
    + """\
sections:
  - {id: cqs, name: "Phát triển chính quyền số"}
  - {id: xhs, name: "Phát triển xã hội số"}
units:
  - {id: vp, name: "Văn phòng HĐND và UBND xã"}
  - {id: ca, name: "Công an xã"}
  - {id: thon-1, name: "Thôn 1"}
  - {id: thon-2, name: "Thôn 2", until: 2025-06-30}
groups:
  - {id: cac-thon, name: "Các thôn", members: [thon-1, thon-2]}
tasks:
  - id: xu-ly-ho-so
    title: "Xử lý hồ sơ công việc trên môi trường mạng"
    section: cqs
    lead: vp
    window: "Thường xuyên trong năm"
indicators:
  - id: ho-so-mang
    ref: "II.1.a"
    section: cqs
    text: "100% hồ sơ công việc được xử lý trên môi trường mạng (trừ hồ sơ mật)"
    target: "100%"
    denominator: "hồ sơ công việc"
    excluding: ["hồ sơ mật"]
    firmness: đặt mục tiêu
    owner: vp
    checkpoints: cuối mỗi quý
    task: xu-ly-ho-so
  - id: dinh-danh
    section: xhs
    text: "Phấn đấu 80% người dân trưởng thành có tài khoản định danh điện tử"
    target: "≥ 80%"
    denominator: "người dân trưởng thành"
    firmness: phấn đấu
    owner: ca
    by: 31/12/2025
  - id: thanh-toan
    section: xhs
    text: "60 – 70% người dân trong độ tuổi lao động sử dụng thanh toán không dùng tiền mặt"
    target: "60 – 70%"
    firmness: khuyến khích
    owner: cac-thon
    checkpoints: [30/06/2025, 31/12/2025]
  - id: doanh-nghiep
    section: xhs
    text: "Hơn 50% doanh nghiệp trên địa bàn sử dụng hợp đồng điện tử"
    target: "hơn 50%"
    firmness: hướng đến
    owner: vp
"""
)

CASCADE = (
    HEAD
    + """\
units:
  - {id: vp, name: "Văn phòng HĐND và UBND xã"}
  - {id: thon-1, name: "Thôn 1"}
  - {id: thon-2, name: "Thôn 2"}
groups:
  - {id: cac-thon, name: "Các thôn", members: [thon-1, thon-2]}
tasks:
  - id: thon-bao-cao
    title: "Các thôn báo cáo kết quả trước ngày 06 hằng tháng"
    lead: cac-thon
    window: "Năm 2025"
    recurrence: "ngày 6 hằng tháng"
  - id: tong-hop
    title: "Văn phòng tổng hợp, báo cáo UBND xã trước ngày 08 hằng tháng"
    lead: vp
    window: "Năm 2025"
    recurrence: "ngày 8 hằng tháng"
    after:
      - {task: thon-bao-cao, mode: all}
  - id: hop-quy
    title: "Họp đánh giá kết quả hằng quý"
    lead: vp
    window: "Năm 2025"
    recurrence: "ngày 25 tháng cuối quý"
    after:
      - {task: tong-hop, mode: same-period}
"""
)
