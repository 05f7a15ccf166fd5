"""Completions earned elsewhere: imported through the ICT admin's course mapping, previewed, all
or nothing, each bad row named with its row and column, counted like any other completion."""

from __future__ import annotations

import base64
import io
import re
from datetime import timedelta

import pytest
from sqlalchemy import select

from tests.records_support import (
    build_province,
    client_for,
    counts,
    csv_file,
    dmy,
    sample_course,
    xlsx_file,
)
from training.clock import today_vn, utcnow
from training.courses.completions import valid_completion
from training.courses.models import (
    Completion,
    CompletionAction,
    CompletionLog,
    CompletionMethod,
    ExternalCourse,
)
from training.errors import ImportRejected, NotAllowed, RuleViolation
from training.extensions import db
from training.records import external
from training.records.imports import DEFAULT_LIMITS

PLATFORM = "Bình dân học vụ số"
OUTSIDE = "Kỹ năng an toàn thông tin cho cán bộ"
HEADER = ["Mã nhân viên", "Nền tảng", "Khoá học", "Ngày hoàn thành", "Số chứng nhận"]


@pytest.fixture
def org(content, sync, make_unit, make_user):
    assert sync().exit_code == 0
    return build_province(make_unit, make_user)


@pytest.fixture
def mapped(org):
    mapping = external.add_mapping(
        external.MappingData(PLATFORM, OUTSIDE, sample_course()), actor=org.admin
    )
    db.session.commit()
    return mapping


def _day(days_ago: int = 20) -> str:
    return dmy(today_vn() - timedelta(days=days_ago))


def _upload(client, data: bytes, name: str = "chung-nhan.csv"):
    return client.post(
        "/records/external/import",
        data={"upload-file": (io.BytesIO(data), name)},
        content_type="multipart/form-data",
    )


def _confirm(client, preview_html: str, name: str = "chung-nhan.csv"):
    match = re.search(r'name="confirm-payload"[^>]*value="([^"]*)"', preview_html)
    assert match, preview_html
    return client.post(
        "/records/external/import",
        data={"confirm-payload": match.group(1), "confirm-filename": name},
    )


def test_the_admin_maps_outside_courses_and_officers_cannot(app, org):
    admin = client_for(app, org.admin)
    response = admin.post(
        "/records/external/courses",
        data={"source": PLATFORM, "title": OUTSIDE, "course_id": sample_course().id},
    )
    assert response.status_code == 302, response.get_data(as_text=True)
    mapping = db.session.scalar(select(ExternalCourse))
    assert (mapping.source, mapping.title, mapping.key) == (
        PLATFORM,
        OUTSIDE,
        "ky nang an toan thong tin cho can bo",
    )
    # The same course spelled otherwise is the same course.
    again = admin.post(
        "/records/external/courses",
        data={
            "source": "BÌNH DÂN HỌC VỤ SỐ",
            "title": "ky nang an toan  thong tin cho can bo",
            "course_id": sample_course().id,
        },
    )
    assert again.status_code == 200
    assert len(db.session.scalars(select(ExternalCourse)).all()) == 1
    edited = admin.post(
        f"/records/external/courses/{mapping.id}/edit",
        data={
            "source": PLATFORM,
            "title": OUTSIDE,
            "course_id": sample_course().id,
            "note": "Theo công văn của Sở",
        },
    )
    assert edited.status_code == 302
    assert admin.post(f"/records/external/courses/{mapping.id}/deactivate").status_code == 302
    db.session.expire_all()
    assert db.session.get(ExternalCourse, mapping.id).active is False
    officer = client_for(app, org.officer)
    assert officer.get("/records/external/courses").status_code == 403
    assert (
        officer.post(
            "/records/external/courses",
            data={"source": "X", "title": "Y", "course_id": sample_course().id},
        ).status_code
        == 403
    )
    assert officer.post(f"/records/external/courses/{mapping.id}/activate").status_code == 403
    db.session.expire_all()
    assert db.session.get(ExternalCourse, mapping.id).active is False
    with pytest.raises(NotAllowed):
        external.add_mapping(external.MappingData("X", "Y", sample_course()), actor=org.officer)


def test_an_external_completion_imported_through_the_mapping_counts(app, org, mapped):
    officer = client_for(app, org.officer)
    day = today_vn() - timedelta(days=20)
    data = csv_file(
        [
            HEADER,
            # the platform's own spelling: other case, no accents
            [
                "NV001",
                "binh dan hoc vu so",
                "KỸ NĂNG AN TOÀN THÔNG TIN CHO CÁN BỘ",
                dmy(day),
                "BDHVS-0001",
            ],
        ]
    )
    preview = _upload(officer, data)
    html = preview.get_data(as_text=True)
    assert preview.status_code == 200
    assert "1 to record, 0 already recorded" in html
    assert counts() == (0, 0)  # a preview writes nothing
    done = _confirm(officer, html)
    assert done.status_code == 302
    completion = valid_completion(org.learner.id, sample_course().id, on=day)
    assert completion is not None
    assert (completion.method, completion.external_course_id, completion.evidence) == (
        CompletionMethod.EXTERNAL,
        mapped.id,
        "BDHVS-0001",
    )
    assert completion.recorded_by_id == org.officer.id
    line = db.session.scalar(select(CompletionLog))
    assert (line.action, line.method, line.evidence) == (
        CompletionAction.RECORDED,
        CompletionMethod.EXTERNAL,
        "BDHVS-0001",
    )
    listed = client_for(app, org.learner).get("/certificates/").get_data(as_text=True)
    assert 'data-method="external"' in listed
    assert PLATFORM in listed
    verified = app.test_client().get(f"/verify/{completion.code}").get_data(as_text=True)
    assert PLATFORM in verified
    # The same file again changes nothing.
    again = _upload(officer, data).get_data(as_text=True)
    assert "0 to record, 1 already recorded" in again
    _confirm(officer, again)
    assert counts() == (1, 1)


def test_an_unmapped_course_is_a_problem_of_its_row_and_nothing_is_written(app, org, mapped):
    officer = client_for(app, org.officer)
    data = csv_file(
        [
            HEADER,
            ["NV001", PLATFORM, OUTSIDE, _day(), "BDHVS-0001"],
            ["NV002", PLATFORM, "Một khoá học chưa ánh xạ", _day(), "BDHVS-0002"],
        ]
    )
    html = _upload(officer, data).get_data(as_text=True)
    assert '<tr data-line="3"><td>3</td><td>Khoá học</td>' in html
    assert "Một khoá học chưa ánh xạ" in html
    assert 'data-line="2"' not in html
    assert "confirm-payload" not in html
    with pytest.raises(ImportRejected) as rejected:
        external.import_external(
            data,
            filename="chung-nhan.csv",
            actor=org.officer,
            now=utcnow(),
            today=today_vn(),
            limits=DEFAULT_LIMITS,
        )
    assert [(p.line, p.column) for p in rejected.value.problems] == [(3, "Khoá học")]
    db.session.rollback()
    assert counts() == (0, 0)
    # A deactivated mapping is no mapping.
    external.set_mapping_active(mapped, False, actor=org.admin)
    plan = external.plan_external_import(
        data,
        filename="x.csv",
        actor=org.officer,
        today=today_vn(),
        limits=DEFAULT_LIMITS,
    )
    assert [p.line for p in plan.problems] == [2, 3]


def test_every_bad_row_is_named_with_its_row_and_column(app, org, mapped):
    tomorrow = dmy(today_vn() + timedelta(days=1))
    data = csv_file(
        [
            ["Employee ID", "Platform", "Outside course", "Completion date", "Reference"],
            ["NV001", PLATFORM, OUTSIDE, _day(), "A-1"],  # fine
            ["NV404", PLATFORM, OUTSIDE, _day(), "A-2"],  # nobody
            ["NV900", PLATFORM, OUTSIDE, _day(), "A-3"],  # another unit's
            ["NV050", PLATFORM, OUTSIDE, _day(), "A-4"],  # a manager, not a learner
            ["NV002", PLATFORM, OUTSIDE, tomorrow, "A-5"],  # the future
            ["NV002", PLATFORM, OUTSIDE, "31/02/2026", "A-6"],  # no such day
            ["NV002", PLATFORM, OUTSIDE, _day(), ""],  # no evidence
        ],
        delimiter=";",
        bom=False,
    )
    plan = external.plan_external_import(
        data, filename="x.csv", actor=org.officer, today=today_vn(), limits=DEFAULT_LIMITS
    )
    assert [(p.line, p.column) for p in plan.problems] == [
        (3, "Employee ID"),
        (4, "Employee ID"),
        (5, "Employee ID"),
        (6, "Completion date"),
        (7, "Completion date"),
        (8, "Reference"),
    ]
    # Nobody and another unit's person read the same to an officer: a file tells nothing
    # about who works where.
    assert plan.problems[0].message.replace("NV404", "?") == plan.problems[1].message.replace(
        "NV900", "?"
    )
    assert [item.line for item in plan.items] == [2]
    with pytest.raises(ImportRejected):
        external.import_external(
            data,
            filename="x.csv",
            actor=org.officer,
            now=utcnow(),
            today=today_vn(),
            limits=DEFAULT_LIMITS,
        )
    db.session.rollback()
    assert counts() == (0, 0)
    # The admin reaches every unit: only the unknown ID, the dates and the evidence remain.
    plan = external.plan_external_import(
        data, filename="x.csv", actor=org.admin, today=today_vn(), limits=DEFAULT_LIMITS
    )
    assert [p.line for p in plan.problems] == [3, 6, 7, 8]


def test_an_officer_imports_only_for_their_people_by_web_too(app, org, mapped):
    officer = client_for(app, org.officer)
    data = csv_file([HEADER, ["NV900", PLATFORM, OUTSIDE, _day(), "X-1"]])
    html = _upload(officer, data).get_data(as_text=True)
    assert '<tr data-line="2"><td>2</td><td>Mã nhân viên</td>' in html
    assert org.outsider.full_name not in html
    # A confirmation forged around the preview is checked again and refused.
    forged = officer.post(
        "/records/external/import",
        data={"confirm-payload": base64.b64encode(data).decode(), "confirm-filename": "x.csv"},
    )
    assert forged.status_code == 200
    assert counts() == (0, 0)
    assert client_for(app, org.learner).get("/records/external/import").status_code == 403


def test_a_workbook_imports_and_the_commands_map_and_import(app, org, tmp_path):
    runner = app.test_cli_runner()
    mapped = runner.invoke(args=["records", "external-map", PLATFORM, OUTSIDE, "sample"])
    assert mapped.exit_code == 0, mapped.output
    updated = runner.invoke(
        args=["records", "external-map", PLATFORM.upper(), OUTSIDE, "sample", "--note", "ghi chú"]
    )
    assert updated.exit_code == 0, updated.output
    assert "(updated)" in updated.output
    assert len(db.session.scalars(select(ExternalCourse)).all()) == 1
    day = today_vn() - timedelta(days=40)
    workbook = tmp_path / "chung-nhan.xlsx"
    workbook.write_bytes(
        xlsx_file(
            [
                HEADER,
                ["NV001", PLATFORM, OUTSIDE, day, "BDHVS-77"],  # a real date cell
                ["NV002", PLATFORM, OUTSIDE, dmy(day), "BDHVS-78"],
            ]
        )
    )
    dry = runner.invoke(args=["records", "external-import", str(workbook), "--dry-run"])
    assert dry.exit_code == 0, dry.output
    assert "+ NV001" in dry.output
    assert counts() == (0, 0)
    unreadable = tmp_path / "danh-sach.csv"  # a roster, not certificates: no column matches
    unreadable.write_bytes(csv_file([["Họ và tên"], ["Nguyễn Văn An"]]))
    refused_dry = runner.invoke(args=["records", "external-import", str(unreadable), "--dry-run"])
    assert refused_dry.exit_code == 1
    assert "thiếu cột Mã nhân viên" in refused_dry.output  # every missing column is named
    assert "thiếu cột Ngày hoàn thành" in refused_dry.output
    assert "Không thể nhập tệp này." in refused_dry.output
    assert counts() == (0, 0)
    refused = runner.invoke(
        args=["records", "external-import", str(workbook), "--as", org.sub_officer.username]
    )
    assert refused.exit_code == 1  # neither row is the sub-unit officer's
    assert counts() == (0, 0)
    done = runner.invoke(
        args=["records", "external-import", str(workbook), "--as", org.officer.username]
    )
    assert done.exit_code == 0, done.output
    db.session.expire_all()
    methods = db.session.scalars(select(Completion.method)).all()
    assert methods == [CompletionMethod.EXTERNAL, CompletionMethod.EXTERNAL]
    assert valid_completion(org.learner.id, sample_course().id, on=day).evidence == "BDHVS-77"


def test_a_mapping_needs_a_platform_and_a_title(app, org):
    with pytest.raises(RuleViolation):
        external.add_mapping(external.MappingData(" ", OUTSIDE, sample_course()), actor=None)
    db.session.rollback()
    with pytest.raises(RuleViolation):
        external.add_mapping(external.MappingData(PLATFORM, "", sample_course()), actor=None)
